/**
 * The interop harness parsers (test/helpers/lab-parse.ts) against real daemon output captured in
 * the lab (test/interop/fixtures/lab-outputs/: FRR 8.4.4, BIRD 2.0.12, GoBGP 3.10, ExaBGP 4.2.21,
 * OpenBGPD 7.7, each in rtr with the session-interop config, peering with a BIRD stand-in for
 * tsbgp at 198.18.1.11 that announced 203.0.113.5/32 and 2001:db8:200::/48 and then sent
 * "fixture: stand-in going down"). Runs everywhere (no root, no lab): it keeps the parsers honest
 * when the lab tests are skipped.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ExabgpApiLog,
  exabgpNeighborInfo,
  parseAsPathText,
  parseBirdLogShutdown,
  parseBirdProtocol,
  parseBirdRoutes,
  parseExabgpSummary,
  parseFrrNeighbor,
  parseFrrPrefixDetail,
  parseFrrTable,
  parseGobgpLogShutdown,
  parseGobgpNeighbor,
  parseGobgpRib,
  parseOpenbgpdNeighbor,
  parseOpenbgpdRib,
} from '../helpers/lab-parse.js';

const DIR = new URL('fixtures/lab-outputs/', import.meta.url).pathname;
const text = (f: string): string => readFileSync(join(DIR, f), 'utf8');
const json = (f: string): unknown => JSON.parse(text(f));

const PEER = '198.18.1.11';
const MSG = 'fixture: stand-in going down';
const V4 = { prefix: '203.0.113.5/32', peer: PEER, nextHop: PEER, asPath: [65001, 65001, 65001], origin: 'IGP', med: 15, communities: ['65001:5'], largeCommunities: ['65001:5:5'] };
const V6 = { prefix: '2001:db8:200::/48', peer: PEER, nextHop: '2001:db8:1::11', asPath: [65001], med: 16, communities: ['65001:6'], largeCommunities: ['65001:6:6'] };

t.test('AS path text', async (t) => {
  t.same(parseAsPathText('65001 65001 {65002,65003}'), [65001, 65001, 65002, 65003]);
  t.same(parseAsPathText(''), []);
});

t.test('FRR', async (t) => {
  t.match(parseFrrNeighbor(json('frr-neighbor-established.json'), PEER), { state: 'Established', established: true, ready: false });
  t.match(parseFrrNeighbor(json('frr-neighbor-shutdown.json'), PEER), { established: false, lastShutdownDescription: MSG });
  t.match(parseFrrNeighbor({}, PEER), { state: 'Unknown', established: false });
  const table = parseFrrTable(json('frr-table-ipv4.json'));
  t.match(table.find((r) => r.prefix === V4.prefix), { peer: PEER, stale: false });
  t.notOk(table.find((r) => r.prefix === '203.0.113.192/26')?.peer, 'a local route has no peer');
  const [v4] = parseFrrPrefixDetail(json('frr-prefix-ipv4.json'));
  t.match(v4, { ...V4, stale: false, best: true });
  const [v6] = parseFrrPrefixDetail(json('frr-prefix-ipv6.json'));
  t.match(v6, V6, 'IPv6: the global next hop, not the link-local one');
  const [stale] = parseFrrPrefixDetail(json('frr-prefix-ipv4-stale.json'));
  t.equal(stale?.stale, true, 'stale after the stand-in crashed');
  const [local] = parseFrrPrefixDetail(json('frr-prefix-local.json'));
  t.match(local, { prefix: '203.0.113.192/26', asPath: [], med: 50, localPref: 300, communities: ['65000:100'], largeCommunities: ['65000:1:2'] });
  t.equal(local?.peer, undefined);
});

t.test('BIRD', async (t) => {
  t.match(parseBirdProtocol(text('bird-protocol-established.txt'), 'tsbgp_n1'), { state: 'Established', established: true, protoState: 'up', gracefulRestartActive: false });
  t.match(parseBirdProtocol(text('bird-protocol-shutdown.txt'), 'tsbgp_n1'), { state: 'Active', established: false, ready: true, info: /Received: Administrative shutdown/, message: MSG });
  t.match(parseBirdProtocol(text('bird-protocol-gr.txt'), 'tsbgp_n1'), { established: false, gracefulRestartActive: true });
  t.throws(() => parseBirdProtocol(text('bird-protocol-gr.txt'), 'nope'), /no protocol nope/);
  const v4 = parseBirdRoutes(text('bird-routes-ipv4.txt'));
  t.match(v4.find((r) => r.prefix === V4.prefix), { ...V4, peer: undefined, protocol: 'tsbgp_n1', best: true, localPref: 100 });
  t.match(v4.find((r) => r.prefix === '203.0.113.192/26'), { protocol: 'S4', asPath: [] });
  const v6 = parseBirdRoutes(text('bird-routes-ipv6.txt'));
  t.match(v6.find((r) => r.prefix === V6.prefix), { ...V6, protocol: 'tsbgp_n1' }, 'IPv6 routes show "from PEER"');
  t.same(parseBirdLogShutdown(text('bird-rtr.log'), 'tsbgp_n1'), { subcode: 'shutdown', message: MSG });
  t.same(parseBirdLogShutdown('x <RMT> tsbgp_n1: Received: Administrative reset', 'tsbgp_n1'), { subcode: 'reset' });
  t.equal(parseBirdLogShutdown(text('bird-rtr.log'), 'tsbgp_n2'), undefined);
});

t.test('GoBGP', async (t) => {
  t.match(parseGobgpNeighbor(json('gobgp-neighbor-established.json')), { state: 'ESTABLISHED', established: true });
  t.match(parseGobgpNeighbor(json('gobgp-neighbor-idle.json')), { state: 'IDLE', established: false, ready: false });
  t.match(parseGobgpNeighbor({ state: { session_state: 'active' } }), { state: 'ACTIVE', ready: true });
  const v4 = parseGobgpRib(json('gobgp-rib-ipv4.json'));
  t.match(v4.find((r) => r.prefix === V4.prefix), { ...V4, stale: false });
  t.match(v4.find((r) => r.prefix === '203.0.113.192/26'), { peer: undefined, med: 50, localPref: 300, communities: ['65000:100'], largeCommunities: ['65000:1:2'] });
  const v6 = parseGobgpRib(json('gobgp-rib-ipv6.json'));
  t.match(v6.find((r) => r.prefix === V6.prefix), V6, 'IPv6 next hop from MP_REACH_NLRI');
  t.match(v6.find((r) => r.prefix === '2001:db8:100::/48'), { nextHop: '2001:db8:1::1', communities: ['65000:600'] });
  t.equal(parseGobgpLogShutdown(text('gobgpd-rtr.log'), PEER), MSG);
  t.equal(parseGobgpLogShutdown(text('gobgpd-rtr.log'), '198.18.1.12'), undefined);
});

t.test('OpenBGPD', async (t) => {
  t.match(parseOpenbgpdNeighbor(json('openbgpd-neighbor-established.json')), { state: 'Established', established: true });
  t.match(parseOpenbgpdNeighbor(json('openbgpd-neighbor-shutdown.json')), { state: 'Idle', established: false, ready: false, lastShutdownReason: MSG });
  const v4 = parseOpenbgpdRib(json('openbgpd-rib-ipv4.json'));
  t.match(v4.find((r) => r.prefix === V4.prefix), V4);
  t.match(v4.find((r) => r.prefix === '203.0.113.192/26'), { peer: undefined, med: 50, localPref: 300 });
  const v6 = parseOpenbgpdRib(json('openbgpd-rib-ipv6.json'));
  t.match(v6.find((r) => r.prefix === V6.prefix), V6);
  t.match(v6.find((r) => r.prefix === '2001:db8:100::/48'), { peer: undefined, nextHop: '2001:db8:1::1' });
});

t.test('ExaBGP', async (t) => {
  t.match(exabgpNeighborInfo(parseExabgpSummary(text('exabgp-summary-established.txt')), PEER), { established: true, ready: false });
  t.match(exabgpNeighborInfo(parseExabgpSummary(text('exabgp-summary-down.txt')), PEER), { state: 'down', established: false, ready: true }, 'a neighbor without a session is not listed');
  t.match(exabgpNeighborInfo(parseExabgpSummary('Peer AS up/down state | #sent #recvd\n198.18.1.11     65001        down established           6          4\n'), PEER), { state: 'down', established: false }, '"down" in up/down wins over "established" (seen while a session was coming up)');

  const lines = text('exabgp-api.jsonl');
  const log = ExabgpApiLog.from(lines);
  const reasons = log.downReasons.get(PEER) ?? [];
  t.ok(reasons.some((r) => /notification received \(6,2\)/.test(r)), 'Cease without text: decoded');
  t.ok(reasons.some((r) => /notification sent \(1,0\).*can not decode/.test(r)), 'Cease with a shutdown communication: the ExaBGP 4.2.21 decode bug');
  t.match(log.notifications.get(PEER)?.[0], { direction: 'receive', code: 6, subcode: 2, data: '' });
  // the routes of the first session, up to its "down" (the log ends with the session down; the
  // "down" lines before it are ExaBGP's connection attempts before the stand-in listened)
  const all = lines.split('\n');
  const firstUp = all.findIndex((l) => l.includes('"state": "up"'));
  const firstDown = all.findIndex((l, i) => i > firstUp && l.includes('"state": "down"'));
  t.ok(firstUp >= 0 && firstDown > firstUp, 'the log has a session that went up and down');
  const upToDown = ExabgpApiLog.from(all.slice(0, firstDown).join('\n'));
  const rib = upToDown.adjRibIn.get(PEER);
  t.match(rib?.get(V4.prefix), V4);
  t.match(rib?.get(V6.prefix), V6, 'the global next hop of the (global, link-local) pair');
  t.same(upToDown.endOfRib.get(PEER), ['ipv4 unicast', 'ipv6 unicast']);
  t.equal(log.adjRibIn.get(PEER), undefined, 'routes dropped when the session went down');

  const synthetic = ExabgpApiLog.from([
    JSON.stringify({ type: 'update', neighbor: { address: { peer: PEER }, message: { update: { attribute: { origin: 'incomplete', 'local-preference': 200 }, announce: { 'ipv4 unicast': { [PEER]: [{ nlri: '203.0.113.7/32' }] } } } } } }),
    JSON.stringify({ type: 'update', neighbor: { address: { peer: PEER }, message: { update: { withdraw: { 'ipv4 unicast': [{ nlri: '203.0.113.7/32' }] } } } } }),
    JSON.stringify({ type: 'update', neighbor: { address: { peer: PEER }, message: { update: { attribute: { origin: 'egp' }, announce: { 'ipv4 unicast': { [PEER]: [{ nlri: '203.0.113.8/32' }] } } } } } }),
    JSON.stringify({ type: 'notification', neighbor: { address: { peer: PEER }, direction: 'receive', notification: { code: 6, subcode: 2, data: `0x05${Buffer.from('hello').toString('hex')}` } } }),
    JSON.stringify({ type: 'refresh', neighbor: { address: { peer: PEER }, message: { refresh: { afi: 'ipv4' } } } }),
    '{"half a line',
  ].join('\n'));
  t.equal(synthetic.adjRibIn.get(PEER)?.has('203.0.113.7/32'), false, 'withdrawn');
  t.match(synthetic.adjRibIn.get(PEER)?.get('203.0.113.8/32'), { origin: 'EGP' });
  t.equal(synthetic.notifications.get(PEER)?.[0]?.communication, 'hello', 'RFC 9003 text decoded from the data');
  t.equal(synthetic.refreshes.get(PEER)?.length, 1);
});
