/**
 * The BFD interop parsers (test/helpers/lab-bfd.ts) against real daemon output captured in the
 * lab (test/interop/fixtures/bfd-outputs/): FRR 8.4.4 bfdd `show bfd peers json` and BIRD 2.0.12
 * `show bfd sessions` + its log (`debug { events }`), each in rtr with a static single-hop session
 * to `tsbgp bfd` in n1 (300 ms x 3): before tsbgp started, Up, after tsbgp was frozen (SIGSTOP:
 * detection time expired) and after tsbgp stopped (SIGTERM: AdminDown). Also the config
 * generators and the small statistics helpers. Runs everywhere (no root, no lab).
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bfdArgs, birdBfdConfig, birdBfdLogLines, defaultBfdPeer, defaultTsbgpBfd, distribution, frrBfdConfig, parseBirdBfdSessions, parseFrrBfdPeers, percentile } from '../helpers/lab-bfd.js';

const DIR = new URL('fixtures/bfd-outputs/', import.meta.url).pathname;
const text = (f: string): string => readFileSync(join(DIR, f), 'utf8');
const json = (f: string): unknown => JSON.parse(text(f));

t.test('FRR show bfd peers json', async (t) => {
  const base = { peer: '198.18.1.11', local: '198.18.1.1', interface: 'br0', multihop: false, receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 };
  const initial = parseFrrBfdPeers(json('frr-peers-down-initial.json'));
  t.equal(initial.length, 1);
  // before the peer was ever heard: remote-id 0, the RFC's 1 s slow rate assumed for the peer
  t.match(initial[0], { ...base, status: 'down', diagnostic: 'ok', remoteDiagnostic: 'ok', remoteId: 0, remoteReceiveInterval: 1000, remoteTransmitInterval: 1000, uptime: undefined });
  t.type(initial[0]!.downtime, 'number');

  const [up] = parseFrrBfdPeers(json('frr-peers-up.json'));
  t.match(up, { ...base, status: 'up', diagnostic: 'ok', remoteDiagnostic: 'ok', remoteReceiveInterval: 300, remoteTransmitInterval: 300, remoteDetectMultiplier: 3, downtime: undefined });
  t.ok(up!.remoteId > 0 && up!.id > 0, 'discriminators');
  t.type(up!.uptime, 'number');

  const [expired] = parseFrrBfdPeers(json('frr-peers-detect-expired.json'));
  t.match(expired, { status: 'down', diagnostic: 'control detection time expired', remoteDiagnostic: 'ok' });

  const [admin] = parseFrrBfdPeers(json('frr-peers-remote-admindown.json'));
  t.match(admin, { status: 'down', diagnostic: 'neighbor signaled session down', remoteDiagnostic: 'administratively down', remoteId: 0 });

  t.throws(() => parseFrrBfdPeers({ peers: [] }), /expected an array/);
  t.throws(() => parseFrrBfdPeers([{ status: 'up' }]), /without "peer"/);
});

t.test('BIRD show bfd sessions', async (t) => {
  const row = (f: string) => {
    const rows = parseBirdBfdSessions(text(f));
    t.equal(rows.length, 1, `${f}: one row`);
    return rows[0];
  };
  t.match(row('bird-sessions-down-initial.txt'), { protocol: 'bfd1', address: '198.18.1.11', interface: 'br0', state: 'Down', intervalMs: 1000, timeoutMs: 0 });
  t.match(row('bird-sessions-up.txt'), { protocol: 'bfd1', address: '198.18.1.11', interface: 'br0', state: 'Up', since: '09:06:44.104', intervalMs: 300, timeoutMs: 900 });
  t.match(row('bird-sessions-detect-expired.txt'), { state: 'Down', intervalMs: 1000, timeoutMs: 0 });
  // a received AdminDown shows as plain Down (BIRD has no diagnostic column)
  t.match(row('bird-sessions-remote-admindown.txt'), { state: 'Down', intervalMs: 1000, timeoutMs: 3000 });
  t.same(parseBirdBfdSessions('BIRD 2.0.12 ready.\nbfd1:\nIP address                Interface  State      Since         Interval  Timeout\n'), [], 'no sessions');
  // a date in the Since column (other timeformat settings)
  t.match(parseBirdBfdSessions('b:\n2001:db8:1::11  br0  Init  2026-11-21 09:06:44  1.000  3.000\n'), [{ protocol: 'b', address: '2001:db8:1::11', state: 'Init', since: '2026-11-21 09:06:44', intervalMs: 1000, timeoutMs: 3000 }]);
});

t.test('BIRD log lines', async (t) => {
  const lines = birdBfdLogLines(text('bird-bfd.log'), '198.18.1.11');
  t.same(lines.map((l) => l.replace(/^.*bfd1: /, '')), [
    'Session to 198.18.1.11 added',
    'Session to 198.18.1.11 changed state from Down to Init',
    'Session to 198.18.1.11 changed state from Init to Up',
    'Session to 198.18.1.11 expired',
    'Session to 198.18.1.11 changed state from Up to Down',
    'Session to 198.18.1.11 changed state from Down to Init',
    'Session to 198.18.1.11 changed state from Init to Up',
    'Session to 198.18.1.11 changed state from Up to Down',
  ]);
  t.same(birdBfdLogLines(text('bird-bfd.log'), '198.18.1.12'), []);
});

t.test('config generators', async (t) => {
  const frr = frrBfdConfig();
  t.same(Object.keys(frr).sort(), ['bfdd.conf', 'bgpd.conf', 'zebra.conf']);
  t.match(frr['bfdd.conf'], /^bfd\n peer 198\.18\.1\.11 local-address 198\.18\.1\.1 interface br0\n  receive-interval 300\n  transmit-interval 300\n  detect-multiplier 3\n  no shutdown\n/m);
  const bird = birdBfdConfig({ ...defaultBfdPeer(), auth: { type: 'keyed sha1', keyId: 7, password: 's3cret' } });
  t.match(bird, /protocol bfd bfd1 \{/);
  t.match(bird, /interface "br0" \{\n\s+min rx interval 300 ms;\n\s+min tx interval 300 ms;\n\s+multiplier 3;\n\s+authentication keyed sha1;\n\s+password "s3cret" \{ id 7; \};/);
  t.match(bird, /neighbor 198\.18\.1\.11 dev "br0" local 198\.18\.1\.1;/);
  t.notMatch(birdBfdConfig(), /authentication/);
  t.same(bfdArgs(defaultTsbgpBfd({ auth: 'keyed-sha1:7:x', passive: true })), ['--local', '198.18.1.11', '--peer', '198.18.1.1', '--rx', '300', '--tx', '300', '--multiplier', '3', '--passive', '--auth', 'keyed-sha1:7:x', '--events', 'json']);
});

t.test('statistics', async (t) => {
  t.equal(percentile([5, 1, 3, 2, 4], 50), 3);
  t.equal(percentile([5, 1, 3, 2, 4], 100), 5);
  t.equal(percentile([7], 90), 7);
  t.ok(Number.isNaN(percentile([], 50)));
  t.same(distribution([700.04, 800, 900.06, 650]), { n: 4, min: 650, p50: 700, p90: 900.1, max: 900.1 });
});
