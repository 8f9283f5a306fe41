/**
 * resolveBfdProfile: MetalLB BFDProfile defaults and ranges; every error is ERR_CONFIG_INVALID naming the field.
 */
import t from 'tap';
import { BgpError } from '../src/bgp/errors.js';
import { BFD_PROFILE_DEFAULTS, type BfdProfile, resolveBfdProfile } from '../src/bfd/bfd-config.js';

t.test('defaults', async (t) => {
  t.same(resolveBfdProfile(), {
    receiveInterval: 300,
    transmitInterval: 300,
    detectMultiplier: 3,
    echoInterval: 50,
    echoMode: false,
    passiveMode: false,
    minimumTtl: 254,
  });
  t.same(resolveBfdProfile({}), BFD_PROFILE_DEFAULTS);
});

t.test('bounds are accepted', async (t) => {
  const lo = resolveBfdProfile({ receiveInterval: 10, transmitInterval: 10, detectMultiplier: 2, echoInterval: 10, minimumTtl: 1, echoMode: true, passiveMode: true });
  t.same(lo, { receiveInterval: 10, transmitInterval: 10, detectMultiplier: 2, echoInterval: 10, echoMode: true, passiveMode: true, minimumTtl: 1 });
  const hi = resolveBfdProfile({ receiveInterval: 60000, transmitInterval: 60000, detectMultiplier: 255, echoInterval: 60000, minimumTtl: 254 });
  t.equal(hi.receiveInterval, 60000);
  t.equal(hi.detectMultiplier, 255);
  t.equal(hi.minimumTtl, 254);
});

t.test('out of range names the field', async (t) => {
  const cases: Array<[string, BfdProfile]> = [
    ['receiveInterval', { receiveInterval: 9 }],
    ['receiveInterval', { receiveInterval: 60001 }],
    ['transmitInterval', { transmitInterval: 9 }],
    ['transmitInterval', { transmitInterval: 60001 }],
    ['transmitInterval', { transmitInterval: 1.5 }],
    ['detectMultiplier', { detectMultiplier: 1 }],
    ['detectMultiplier', { detectMultiplier: 256 }],
    ['echoInterval', { echoInterval: 9 }],
    ['echoInterval', { echoInterval: 60001 }],
    ['minimumTtl', { minimumTtl: 0 }],
    ['minimumTtl', { minimumTtl: 255 }],
    ['echoMode', { echoMode: 'yes' as unknown as boolean }],
    ['passiveMode', { passiveMode: 1 as unknown as boolean }],
    ['receiveInterval', { receiveInterval: '300' as unknown as number }],
  ];
  for (const [field, p] of cases) {
    let err: unknown;
    try {
      resolveBfdProfile(p);
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof BgpError, `${field} ${JSON.stringify(p)} throws BgpError`);
    t.match(err, { code: 'ERR_CONFIG_INVALID', message: new RegExp(`^${field}: `) });
  }
});

t.test('not an object', async (t) => {
  t.throws(() => resolveBfdProfile(null as unknown as BfdProfile), { code: 'ERR_CONFIG_INVALID' });
});
