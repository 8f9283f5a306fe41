/**
 * `npm run demo` (tsbgp demo) end to end, in-process (the routers run here, the three node
 * speakers are `bin/tsbgp.js speaker` child processes, so `npm run build` must have run, as
 * `npm test` does): the Service at three next hops, the drain to two, the frozen node dropped by
 * BFD in under a second, and the same failure without BFD taking the hold time. Plus usage errors.
 */
import t from 'tap';
import { PassThrough } from 'node:stream';
import { existsSync } from 'node:fs';
import { demoCommand } from '../src/demo/demo.js';
import { demoClusterYaml } from '../src/demo/demo-config.js';
import { loadMetalLbConfig } from '../src/metallb/index.js';

function io() {
  const o = { out: '', err: '' };
  return { o, io: { stdin: new PassThrough(), stdout: { write: (s: string) => ((o.out += s), true) }, stderr: { write: (s: string) => ((o.err += s), true) } } };
}

t.test('the demo cluster YAML is a valid MetalLB configuration with the seed settings', async (t) => {
  const { config, warnings } = loadMetalLbConfig(demoClusterYaml({ bgpPort: 10179, holdTimeSec: 9, readyNodes: ['node-21'], bfd: true }));
  t.same(warnings, []);
  t.same(config.peers.map((p) => [p.name, p.peerAddress, p.peerPort, p.holdTimeSec, p.bfdProfile]), [
    ['tor1', '127.0.0.11', 10179, 9, 'tor-bfd'],
    ['tor2', '127.0.0.12', 10179, 9, 'tor-bfd'],
  ]);
  t.same(config.advertisements[0]!.communities.map((c) => c.value), ['65000:100']);
  t.same(config.bfdProfiles.map((b) => [b.receiveInterval, b.transmitInterval, b.detectMultiplier]), [[300, 300, 3]]);
  const noBfd = loadMetalLbConfig(demoClusterYaml({ bgpPort: 10179, holdTimeSec: 9, readyNodes: [], bfd: false })).config;
  t.same(noBfd.peers.map((p) => p.bfdProfile), [undefined, undefined]);
});

t.test('usage', async (t) => {
  for (const [argv, re] of [
    [['--hold-time', '2'], /--hold-time: expected 3\.\.60/],
    [['--port', '179'], /--port: expected 1024\.\.16384/],
    [['--bfd-port', 'x'], /--bfd-port: expected 1024\.\.65535/],
    [['--what'], /Unknown option '--what'/],
  ] as [string[], RegExp][]) {
    const { o, io: cio } = io();
    await t.rejects(demoCommand(argv, cio), { code: 'ERR_CLI_USAGE', message: re });
    t.equal(o.out, '');
  }
  const { o, io: cio } = io();
  t.equal(await demoCommand(['--help'], cio), 0);
  t.match(o.out, /usage: tsbgp demo/);
});

t.test('the failover drill', { skip: existsSync(new URL('../dist/cli/main.js', import.meta.url)) ? false : 'needs npm run build (npm test runs it)' }, async (t) => {
  const port = 11000 + Math.floor(Math.random() * 5000);
  const { o, io: cio } = io();
  const code = await demoCommand(['--json', '--hold-time', '6', '--port', String(port), '--bfd-port', String(port + 20000)], cio);
  t.equal(o.err, '', 'nothing on stderr');
  const r = JSON.parse(o.out) as { ok: boolean; error: string | null; serviceIp: string; drill: { failure: string; routeMs?: number; detectedMs?: number; hopsBefore: string[]; hopsAfter: string[]; ok: boolean }[]; timeline: { text: string }[] };
  t.equal(code, 0);
  t.equal(r.ok, true);
  t.equal(r.serviceIp, '203.0.113.5');
  const [drain, bfd, hold] = r.drill;
  t.same([drain!.hopsBefore, drain!.hopsAfter], [['127.0.0.21', '127.0.0.22', '127.0.0.23'], ['127.0.0.21', '127.0.0.22']], 'drain: 3 -> 2');
  t.same([bfd!.hopsBefore.length, bfd!.hopsAfter], [2, ['127.0.0.21']], 'BFD: 2 -> 1');
  t.ok(bfd!.routeMs! < 1000, `BFD: one next hop after ${bfd!.routeMs} ms`);
  t.ok(bfd!.detectedMs! >= 450, `BFD Down after ${bfd!.detectedMs} ms: not before 2 of 3 packets could be missed`);
  t.same(hold!.hopsAfter, ['127.0.0.21'], 'no BFD: 2 -> 1');
  t.ok(hold!.routeMs! >= 3000 && hold!.routeMs! <= 7000, `no BFD: the hold time (6 s) found it after ${hold!.routeMs} ms`);
  t.ok(r.timeline.some((e) => /^BFD tears BGP node-22 down/.test(e.text)), 'the timeline shows the BFD teardown');
  t.ok(r.timeline.some((e) => /hold timer expired/.test(e.text)), 'and the hold timer expiry');
});
