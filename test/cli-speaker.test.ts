/**
 * `tsbgp speaker` in-process over real loopback TCP and UDP: a router-mode BgpSpeaker (with BFD)
 * stands in for the ToR. The node's route appears at the ToR; rewriting the YAML withdraws it
 * (file watch); a broken file is rejected and the last good config keeps running; SIGHUP and
 * stdin reload; stdin snapshot; SIGTERM shuts down with exit 0. Also usage errors, bad first
 * configs, and the text output of every event.
 */
import t from 'tap';
import { PassThrough } from 'node:stream';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BfdEndpoint } from '../src/bfd/bfd-endpoint.js';
import { BgpSpeaker } from '../src/bgp/session/bgp-speaker.js';
import { speakerCommand } from '../src/cli/speaker.js';
import { speakerPrinter } from '../src/cli/speaker-output.js';
import { main } from '../src/cli/main.js';

const rand = (n: number): number => Math.floor(Math.random() * n);
const TOR = `127.${10 + rand(200)}.${rand(250)}.1`;
const NODE = TOR.replace(/\.1$/, '.21');
const PORT = 11000 + rand(5000);
const BFD_PORT = 30000 + rand(20000);

function yaml(o: { ready?: boolean; policy?: string; bfd?: boolean; broken?: boolean } = {}): string {
  return `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: pool, namespace: metallb-system }
spec: { addresses: [203.0.113.0/24] }
---
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata: { name: fast, namespace: metallb-system }
spec: { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: tor, namespace: metallb-system }
spec:
  myASN: 65100
  peerASN: 65000
  peerAddress: ${TOR}
  peerPort: ${PORT}
  holdTime: ${o.broken ? '2s' : '9s'}
  connectTime: 1s
${o.bfd === false ? '' : '  bfdProfile: fast\n'}---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: adv, namespace: metallb-system }
spec: { ipAddressPools: [pool], communities: ["65000:100"] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default, annotations: { metallb.universe.tf/loadBalancerIPs: 203.0.113.7 } }
spec: { type: LoadBalancer, externalTrafficPolicy: ${o.policy ?? 'Local'}, ports: [{ port: 443 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: default, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
endpoints: [{ addresses: [10.244.1.5], nodeName: node-21, conditions: { ready: ${o.ready ?? true} } }]
`;
}

type Ev = Record<string, any>;

function run(argv: string[]) {
  const stdin = new PassThrough();
  const events: Ev[] = [];
  let stderr = '';
  let sig: ((s: string) => void) | undefined;
  let hup: (() => void) | undefined;
  const waiters: { pred: (e: Ev) => boolean; resolve: (e: Ev) => void }[] = [];
  const done = speakerCommand(argv, {
    stdin,
    stdout: {
      write: (s: string) => {
        for (const line of s.trimEnd().split('\n')) {
          const e = JSON.parse(line) as Ev;
          events.push(e);
          for (const w of [...waiters]) if (w.pred(e)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(e));
        }
        return true;
      },
    },
    stderr: { write: (s: string) => ((stderr += s), true) },
    onSignal: (h) => ((sig = h), () => (sig = undefined)),
    onReload: (h) => ((hup = h), () => (hup = undefined)),
  }, { debounceMs: 50 });
  return {
    stdin,
    events,
    done,
    stderr: () => stderr,
    signal: () => sig?.('SIGTERM'),
    hup: () => hup?.(),
    waitFor: (pred: (e: Ev) => boolean, what: string, after = 0): Promise<Ev> => {
      const found = events.slice(after).find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 15_000);
        waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
  };
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (let i = 0; i < ms / 20 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

t.test('a node speaker against a ToR on loopback: announce, withdraw by file change, bad reload kept out, SIGHUP, stdin, SIGTERM', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tsbgp-speaker-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'cluster.yaml');
  const put = async (text: string): Promise<void> => {
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
  };
  await put(yaml());
  const tor = new BgpSpeaker({ asn: 65000, routerId: '198.18.0.1', listen: { address: TOR, port: PORT }, locRib: { maximumPaths: 4 } });
  tor.addPeer({ peerAddress: NODE, peerAsn: 65100, passive: true, localAddress: TOR, acceptLoopbackNextHop: true, holdTimeSec: 9 });
  await tor.start();
  const bfd = new BfdEndpoint({ singleHopPort: BFD_PORT });
  await bfd.addSession({ peerAddress: NODE, localAddress: TOR, profile: { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 } });
  t.teardown(async () => {
    await tor.stop();
    await bfd.close();
  });
  const hops = (): string[] => (tor.routes('203.0.113.7')?.multipath ?? []).map((h) => h.nextHop);

  const s = run(['--config', file, '--node', 'node-21', '--node-address', NODE, '--bfd-port', String(BFD_PORT), '--events', 'json']);
  t.teardown(async () => {
    s.signal();
    await s.done;
  });
  const started = await s.waitFor((e) => e.event === 'started', 'started');
  t.match(started, { node: 'node-21', generation: 1, files: [file] });
  await s.waitFor((e) => e.event === 'peerState' && e.to === 'Established', 'Established');
  await s.waitFor((e) => e.event === 'bfdState' && e.to === 'Up', 'BFD Up');
  t.ok(await until(() => hops().join() === NODE, 5000), 'the ToR has the /32 via the node');
  t.same(tor.routes('203.0.113.7')!.best.communities, ['65000:100']);
  t.match(s.events.find((e) => e.event === 'serviceStatus'), { service: 'default/web', ips: ['203.0.113.7'], status: 'announced', peers: ['tor'] });

  // the endpoint goes unready: the file watch reloads, the route is withdrawn, the session stays
  let mark = s.events.length;
  await put(yaml({ ready: false }));
  const ann = await s.waitFor((e) => e.event === 'announcements' && e.withdrawn.length === 1, 'withdrawal', mark);
  t.same(ann.withdrawn, ['203.0.113.7/32']);
  t.ok(await until(() => hops().length === 0, 5000), 'withdrawn at the ToR');
  t.match(await s.waitFor((e) => e.event === 'applied' && e.generation === 2, 'generation 2'), { peersKept: ['tor'], peersReset: [] });

  // a broken file: rejected, generation 2 keeps running
  mark = s.events.length;
  await put(yaml({ broken: true }));
  const rejected = await s.waitFor((e) => e.event === 'configRejected', 'configRejected', mark);
  t.match(rejected, { reason: 'file changed', generation: 2 });
  t.match(rejected.issues[0], /BGPPeer tor.*spec\.holdTime/);
  await put('{ not yaml');
  t.match(await s.waitFor((e) => e.event === 'configRejected', 'second reject', s.events.indexOf(rejected) + 1), { generation: 2 });

  // the endpoint is back: the watch announces again; SIGHUP re-applies the same text (nothing to send)
  mark = s.events.length;
  await put(yaml({ ready: true }));
  await s.waitFor((e) => e.event === 'announcements' && e.added.length === 1, 're-announce', mark);
  t.ok(await until(() => hops().join() === NODE, 5000), 'announced again');
  const gen = (await s.waitFor((e) => e.event === 'applied' && e.generation === 3, 'generation 3')).generation as number;
  mark = s.events.length;
  s.hup();
  t.match(await s.waitFor((e) => e.event === 'applied', 'SIGHUP applied', mark), { generation: gen + 1, peersKept: ['tor'] });
  t.notOk(s.events.slice(mark).some((e) => e.event === 'announcements'), 'the same routes: no UPDATE');
  // stdin: reload of the same text (applied again, nothing changes), snapshot, a bad command
  mark = s.events.length;
  s.stdin.write('{"reload":true}\n\n{"dump":"snapshot"}\n{"bogus":1}\n');
  const snap = await s.waitFor((e) => e.event === 'snapshot', 'snapshot', mark);
  t.match(snap.peers, [{ peer: 'tor', address: TOR, state: 'Established', bfd: { profile: 'fast', state: 'Up' }, prefixes: ['203.0.113.7/32'] }]);
  t.match(await s.waitFor((e) => e.event === 'error' && e.code === 'ERR_CLI_BAD_COMMAND', 'bad command', mark), { message: /expected/ });
  t.notOk(s.events.some((e) => e.event === 'peerState' && e.from === 'Established'), 'the session never left Established');

  s.signal();
  t.equal(await s.done, 0);
  t.ok(s.events.some((e) => e.event === 'shutdown' && e.message === 'tsbgp speaker stopped (SIGTERM)'));
  t.match(s.events.filter((e) => e.event === 'peerState').at(-1), { from: 'Established', to: 'Idle', reason: /tsbgp speaker stopped/ });
  t.ok(await until(() => tor.peer(NODE)!.state !== 'Established', 3000), 'the ToR saw the Cease');
});

t.test('stdin shutdown; a first config that cannot run exits 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tsbgp-speaker-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'c.yaml');
  await writeFile(file, yaml({ bfd: false }));
  const s = run(['--config', file, '--node', 'node-21', '--router-id', '198.18.0.21', '--events', 'json']);
  t.teardown(async () => {
    s.signal();
    await s.done;
  });
  await s.waitFor((e) => e.event === 'started', 'started');
  s.stdin.write('{"shutdown":true}\n');
  t.equal(await s.done, 0);
  // no router ID anywhere: the peer cannot run
  const bad = run(['--config', file, '--node', 'node-21']);
  t.equal(await bad.done, 1);
  t.match(bad.stderr(), /BGPPeer tor\).*spec\.routerID: no BGP router ID/);
  await writeFile(file, yaml({ broken: true }));
  const broken = run(['--config', file, '--node', 'node-21', '--router-id', '198.18.0.21']);
  t.equal(await broken.done, 1);
  t.match(broken.stderr(), /tsbgp speaker: .*c\.yaml:\d+: document 3 \(BGPPeer tor\).*spec\.holdTime/);
  const missing = run(['--config', join(dir, 'nope.yaml'), '--node', 'node-21']);
  t.equal(await missing.done, 1);
  t.match(missing.stderr(), /cannot read .*nope\.yaml: no such file/);
});

t.test('usage errors exit 2; --help exits 0', async (t) => {
  const io = () => {
    const o = { out: '', err: '' };
    return { o, io: { stdin: new PassThrough(), stdout: { write: (s: string) => ((o.out += s), true) }, stderr: { write: (s: string) => ((o.err += s), true) } } };
  };
  for (const [argv, re] of [
    [[], /--config FILE is required/],
    [['--config', 'x.yaml'], /--node NAME is required/],
    [['--config', 'x.yaml', '--node', 'n', '--events', 'xml'], /--events: expected json or text/],
    [['--config', 'x.yaml', '--node', 'n', '--bfd-port', '0'], /--bfd-port: expected 1\.\.65535/],
    [['--config', 'x.yaml', '--node', 'n', '--router-id', '::1'], /--router-id: expected an IPv4 address/],
    [['--config', 'x.yaml', '--node', 'n', '--node-address', 'node.example'], /--node-address: expected an IP address/],
    [['--config', 'x.yaml', '--node', 'n', '--frobnicate'], /Unknown option '--frobnicate'/],
  ] as [string[], RegExp][]) {
    const { o, io: cio } = io();
    t.equal(await main(['speaker', ...argv], cio), 2, argv.join(' '));
    t.match(o.err, re);
  }
  const { o, io: cio } = io();
  t.equal(await main(['speaker', '--help'], cio), 0);
  t.match(o.out, /usage: tsbgp speaker --config FILE/);
});

t.test('text output: one readable line per event', async (t) => {
  let out = '';
  const print = speakerPrinter({ stdin: new PassThrough(), stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: () => true } }, 'text');
  const a = { peer: 'tor1', address: '198.18.0.1' };
  print({ event: 'peerState', ...a, from: 'OpenConfirm', to: 'Established', reason: 'KEEPALIVE' });
  print({ event: 'peerState', ...a, from: 'Established', to: 'Idle', reason: 'hold timer expired' });
  print({ event: 'bfdState', ...a, from: 'Init', to: 'Up', diagName: 'NoDiagnostic' });
  print({ event: 'bfdState', ...a, from: 'Up', to: 'Down', diagName: 'ControlDetectionTimeExpired' });
  print({ event: 'bfdTeardown', ...a, diagName: 'ControlDetectionTimeExpired', bgpState: 'Established' });
  print({ event: 'announcements', ...a, prefixes: ['203.0.113.7/32'], added: ['203.0.113.7/32'], withdrawn: ['203.0.113.8/32'], changed: 1 });
  print({ event: 'serviceStatus', service: 'default/web', ips: ['203.0.113.7'], status: 'announced', peers: ['tor1', 'tor2'] });
  print({ event: 'serviceStatus', service: 'default/web', ips: ['203.0.113.7'], status: 'noLocalEndpoints', peers: [] });
  print({ event: 'applied', generation: 2, peersAdded: [], peersRemoved: ['tor2'], peersReset: [], peersKept: ['tor1'], services: 2, announced: 1, allocationFailures: [{ service: 'default/db', reason: 'no pool' }], conflicts: ['x'] });
  print({ event: 'configRejected', reason: 'SIGHUP', generation: 2, issues: ['document 3: bad'] });
  print({ event: 'configWarning', message: 'unknown field' });
  print({ event: 'started', node: 'node-21', generation: 1 });
  print({ event: 'shutdown', message: 'bye' });
  print({ event: 'error', code: 'ERR_X', message: 'oops' });
  print({ event: 'error', ...a, code: 'ERR_Y', message: 'peer oops' });
  print({ event: 'snapshot', node: 'node-21' });
  const lines = out.trimEnd().split('\n').map((l) => l.replace(/^\S+ /, ''));
  t.same(lines, [
    'tor1 (198.18.0.1) BGP OpenConfirm -> Established',
    'tor1 (198.18.0.1) BGP Established -> Idle: hold timer expired',
    'tor1 (198.18.0.1) BFD Init -> Up',
    'tor1 (198.18.0.1) BFD Up -> Down (ControlDetectionTimeExpired)',
    'tor1 (198.18.0.1) BFD down (ControlDetectionTimeExpired): BGP torn down from Established with Cease / BFD Down',
    'tor1 (198.18.0.1) routes +203.0.113.7/32 -203.0.113.8/32 1 changed (now 1)',
    'service default/web 203.0.113.7: announced to tor1,tor2',
    'service default/web 203.0.113.7: not announced (noLocalEndpoints)',
    'config generation 2: peers added -, removed tor2, reset -, kept tor1; 1 of 2 services announced; not allocated: default/db (no pool); conflicts: x',
    'config rejected (SIGHUP), generation 2 keeps running:',
    '  document 3: bad',
    'config warning: unknown field',
    'node node-21 speaker started (generation 1)',
    'shutdown: bye',
    'error ERR_X: oops',
    'tor1 (198.18.0.1) error ERR_Y: peer oops',
    'snapshot {"node":"node-21"}',
  ]);
  t.match(out.split('\n')[0], /^\d{4}-\d\d-\d\dT\S+Z tor1/);
});
