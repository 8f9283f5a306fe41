/**
 * resolvePeerConfig: defaults, and every validation error is ERR_CONFIG_INVALID naming the field.
 */
import t from 'tap';
import { BgpError } from '../src/bgp/errors.js';
import { type BgpPeerConfig, FAMILIES, familyName, resolvePeerConfig } from '../src/bgp/session/session-config.js';

const BASE: BgpPeerConfig = { localAsn: 65000, peerAsn: 65001, routerId: '192.0.2.1', peerAddress: '192.0.2.2' };

t.test('defaults', async (t) => {
  const c = resolvePeerConfig(BASE);
  t.same(c, {
    localAsn: 65000,
    peerAsn: 65001,
    peerAsnRange: [1, 0xffffffff],
    routerId: '192.0.2.1',
    peerAddress: '192.0.2.2',
    peerPort: 179,
    localAddress: undefined,
    localPort: undefined,
    passive: false,
    activeOnly: false,
    holdTimeSec: 90,
    keepaliveTimeSec: undefined,
    connectRetryTimeSec: 120,
    delayOpenTimeSec: 0,
    idleHoldTimeSec: 1,
    minRouteAdvertisementIntervalSec: 0,
    maxIdleHoldTimeSec: 120,
    idleHoldResetSec: 60,
    sendHoldTimeSec: undefined,
    families: ['ipv4-unicast', 'ipv6-unicast'],
    addPath: {},
    routeRefresh: true,
    enhancedRouteRefresh: true,
    extendedMessage: true,
    gracefulRestart: undefined,
    restarting: false,
    ttl: undefined,
    ttlSecurityHops: undefined,
    password: undefined,
    sendNotificationWithoutOpen: true,
    gracefulShutdownWaitSec: 0,
    acceptLoopbackNextHop: false,
  });
  t.same(resolvePeerConfig({ ...BASE, gracefulRestart: {} }).gracefulRestart, { restartTimeSec: 120, forwardingState: false, stalePathTimeSec: 360, notification: true });
  t.same(resolvePeerConfig({ ...BASE, families: ['ipv6-unicast', 'ipv6-unicast', 'ipv4-unicast'] }).families, ['ipv6-unicast', 'ipv4-unicast'], 'deduplicated, order kept');
  t.equal(resolvePeerConfig({ ...BASE, idleHoldTimeSec: 300 }).maxIdleHoldTimeSec, 300, 'the ceiling is never below the initial IdleHoldTime');
  t.equal(resolvePeerConfig({ ...BASE, peerAsn: undefined }).peerAsn, undefined, 'dynamic neighbor');
  t.same(resolvePeerConfig({ ...BASE, peerAsnRange: [64512, 65534] }).peerAsnRange, [64512, 65534]);
  t.same(resolvePeerConfig({ ...BASE, addPath: { 'ipv4-unicast': 'both', 'ipv6-unicast': undefined } }).addPath, { 'ipv4-unicast': 'both' });
  t.equal(resolvePeerConfig({ ...BASE, peerAddress: '2001:db8::2', localAddress: 'fe80::1' }).peerAddress, '2001:db8::2');
  t.same(FAMILIES, { 'ipv4-unicast': { afi: 1, safi: 1 }, 'ipv6-unicast': { afi: 2, safi: 1 } });
  t.equal(familyName(1, 1), 'ipv4-unicast');
  t.equal(familyName(2, 1), 'ipv6-unicast');
  t.equal(familyName(1, 2), undefined);
  t.equal(familyName(25, 1), undefined);
});

t.test('every bad value is ERR_CONFIG_INVALID naming the field', async (t) => {
  const bad: [string, Record<string, unknown>][] = [
    ['localAsn', { localAsn: 0 }],
    ['localAsn', { localAsn: 2 ** 32 }],
    ['localAsn', { localAsn: 1.5 }],
    ['localAsn', { localAsn: '65000' }],
    ['peerAsn', { peerAsn: 0 }],
    ['peerAsn', { peerAsn: -1 }],
    ['peerAsnRange', { peerAsnRange: [1] }],
    ['peerAsnRange', { peerAsnRange: 'any' }],
    ['peerAsnRange[0]', { peerAsnRange: [0, 5] }],
    ['peerAsnRange[1]', { peerAsnRange: [10, 5] }],
    ['routerId', { routerId: 5 }],
    ['routerId', { routerId: 'router-1' }],
    ['routerId', { routerId: '0.0.0.0' }],
    ['routerId', { routerId: '2001:db8::1' }],
    ['holdTimeSec', { holdTimeSec: 1 }],
    ['holdTimeSec', { holdTimeSec: 2 }],
    ['holdTimeSec', { holdTimeSec: -1 }],
    ['holdTimeSec', { holdTimeSec: 65536 }],
    ['holdTimeSec', { holdTimeSec: 30.5 }],
    ['keepaliveTimeSec', { keepaliveTimeSec: -1 }],
    ['keepaliveTimeSec', { keepaliveTimeSec: 21846 }],
    ['families', { families: [] }],
    ['families', { families: ['ipv4-multicast'] }],
    ['families', { families: 'ipv4-unicast' }],
    ['addPath.ipv4-flowspec', { addPath: { 'ipv4-flowspec': 'both' } }],
    ['addPath.ipv4-unicast', { addPath: { 'ipv4-unicast': 'all' } }],
    ['password', { password: '' }],
    ['password', { password: 'x'.repeat(81) }],
    ['password', { password: 'é'.repeat(41) }],
    ['password', { password: 42 }],
    ['ttl', { ttl: 0 }],
    ['ttl', { ttl: 256 }],
    ['ttlSecurityHops', { ttlSecurityHops: 255 }],
    ['ttl', { ttl: 64, ttlSecurityHops: 1 }],
    ['passive', { passive: 'yes' }],
    ['activeOnly', { activeOnly: 1 }],
    ['passive', { passive: true, activeOnly: true }],
    ['idleHoldTimeSec', { idleHoldTimeSec: -1 }],
    ['idleHoldTimeSec', { idleHoldTimeSec: 3601 }],
    ['maxIdleHoldTimeSec', { idleHoldTimeSec: 10, maxIdleHoldTimeSec: 5 }],
    ['idleHoldResetSec', { idleHoldResetSec: -5 }],
    ['peerAddress', { peerAddress: 'peer.example' }],
    ['peerAddress', { peerAddress: undefined }],
    ['localAddress', { localAddress: '300.1.1.1' }],
    ['peerPort', { peerPort: 0 }],
    ['localPort', { localPort: 70000 }],
    ['connectRetryTimeSec', { connectRetryTimeSec: 0 }],
    ['delayOpenTimeSec', { delayOpenTimeSec: 241 }],
    ['sendHoldTimeSec', { sendHoldTimeSec: 0 }],
    ['routeRefresh', { routeRefresh: 'true' }],
    ['enhancedRouteRefresh', { enhancedRouteRefresh: 0 }],
    ['extendedMessage', { extendedMessage: null }],
    ['restarting', { restarting: 'no' }],
    ['sendNotificationWithoutOpen', { sendNotificationWithoutOpen: 'no' }],
    ['gracefulShutdownWaitSec', { gracefulShutdownWaitSec: 3601 }],
    ['gracefulRestart.restartTimeSec', { gracefulRestart: { restartTimeSec: 4096 } }],
    ['gracefulRestart.forwardingState', { gracefulRestart: { forwardingState: 'yes' } }],
    ['gracefulRestart.stalePathTimeSec', { gracefulRestart: { stalePathTimeSec: 0 } }],
    ['gracefulRestart.notification', { gracefulRestart: { notification: 1 } }],
  ];
  for (const [field, over] of bad) {
    const what = `${field} = ${JSON.stringify(over)}`;
    let err: unknown;
    try {
      resolvePeerConfig({ ...BASE, ...over } as BgpPeerConfig);
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof BgpError, `${what}: throws a BgpError`);
    t.equal((err as BgpError | undefined)?.code, 'ERR_CONFIG_INVALID', `${what}: ERR_CONFIG_INVALID`);
    t.ok((err as Error | undefined)?.message.startsWith(`${field}: `), `${what}: message names ${field} (${(err as Error | undefined)?.message})`);
  }
  for (const c of [null, undefined, 'config']) {
    t.throws(() => resolvePeerConfig(c as unknown as BgpPeerConfig), { code: 'ERR_CONFIG_INVALID', message: /^config: / }, `config ${String(c)}`);
  }
});

t.test('boundary values accepted', async (t) => {
  const ok: Record<string, unknown>[] = [
    { localAsn: 1 },
    { localAsn: 0xffffffff },
    { holdTimeSec: 0 },
    { holdTimeSec: 3 },
    { holdTimeSec: 65535 },
    { keepaliveTimeSec: 0 },
    { password: 'x'.repeat(80) },
    { ttl: 1 },
    { ttl: 255 },
    { ttlSecurityHops: 1 },
    { ttlSecurityHops: 254 },
    { idleHoldTimeSec: 0 },
    { delayOpenTimeSec: 240 },
    { gracefulRestart: { restartTimeSec: 0 } },
    { gracefulRestart: { restartTimeSec: 4095 } },
    { peerAsnRange: [5, 5] },
  ];
  for (const over of ok) t.doesNotThrow(() => resolvePeerConfig({ ...BASE, ...over } as BgpPeerConfig), JSON.stringify(over));
});

t.test('name: an optional non-empty string', async (t) => {
  const base = { localAsn: 65000, peerAsn: 65001, routerId: '198.18.0.1', peerAddress: '198.18.0.2' };
  t.equal(resolvePeerConfig({ ...base, name: 'tor1' }).name, 'tor1');
  t.equal(resolvePeerConfig(base).name, undefined);
  t.throws(() => resolvePeerConfig({ ...base, name: '' }), { code: 'ERR_CONFIG_INVALID', message: /name/ });
  t.throws(() => resolvePeerConfig({ ...base, name: 5 as unknown as string }), { code: 'ERR_CONFIG_INVALID', message: /name/ });
});
