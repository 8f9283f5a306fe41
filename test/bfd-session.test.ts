/**
 * BfdEndpoint / BfdSession on a ManualClock over MemoryBfdNetwork: the handshake, Down exactly at
 * the detection time, Poll/Final from either side, AdminDown received, authentication (replay
 * rejected), demultiplexing, shared listeners, passive role and the typed errors.
 */
import t, { type Test } from 'tap';
import { BfdEndpoint, type BfdSessionOptions } from '../src/bfd/bfd-endpoint.js';
import type { BfdSession, BfdStateChangeEvent, BfdDownEvent } from '../src/bfd/bfd-session.js';
import { ManualClock } from '../src/testing/manual-clock.js';
import { MemoryBfdNetwork } from '../src/testing/memory-bfd-network.js';
import { mulberry32 } from '../src/testing/random-updates.js';
import { checkBfdControl, decodeBfdControl, encodeBfdControl } from '../src/bfd/packet.js';
import { BfdDiag } from '../src/bfd/diagnostic.js';

const A = '198.18.0.1';
const B = '198.18.0.2';

interface Pair {
  clock: ManualClock;
  net: MemoryBfdNetwork;
  ea: BfdEndpoint;
  eb: BfdEndpoint;
  a: BfdSession;
  b: BfdSession;
  events: { side: 'a' | 'b'; at: number; type: string; e?: unknown }[];
}

function record(p: { clock: ManualClock; events: Pair['events'] }, side: 'a' | 'b', s: BfdSession): void {
  s.on('stateChange', (e: BfdStateChangeEvent) => p.events.push({ side, at: p.clock.now(), type: 'stateChange', e }));
  s.on('up', () => p.events.push({ side, at: p.clock.now(), type: 'up' }));
  s.on('down', (e: BfdDownEvent) => p.events.push({ side, at: p.clock.now(), type: 'down', e }));
  s.on('pollComplete', (e) => p.events.push({ side, at: p.clock.now(), type: 'pollComplete', e }));
  s.on('dropped', (e) => p.events.push({ side, at: p.clock.now(), type: 'dropped', e }));
}

async function pair(opts: { a?: Partial<BfdSessionOptions>; b?: Partial<BfdSessionOptions>; latencyMs?: number; seed?: number } = {}): Promise<Pair> {
  const clock = new ManualClock(1000);
  const net = new MemoryBfdNetwork(clock, { latencyMs: opts.latencyMs ?? 1, logSize: 200 });
  const ea = new BfdEndpoint({ transport: net.transport(), clock, random: mulberry32(opts.seed ?? 1) });
  const eb = new BfdEndpoint({ transport: net.transport(), clock, random: mulberry32((opts.seed ?? 1) + 100) });
  const a = await ea.addSession({ peerAddress: B, localAddress: A, ...opts.a });
  const b = await eb.addSession({ peerAddress: A, localAddress: B, ...opts.b });
  const p: Pair = { clock, net, ea, eb, a, b, events: [] };
  record(p, 'a', a);
  record(p, 'b', b);
  return p;
}

/** Advances until both sessions are Up (bounded: 10 s of clock time). */
function bringUp(t: Test, p: Pair): void {
  for (let i = 0; i < 100 && !(p.a.state === 'Up' && p.b.state === 'Up'); i++) p.clock.advance(100);
  t.equal(p.a.state, 'Up', 'a Up');
  t.equal(p.b.state, 'Up', 'b Up');
}

t.test('three-way handshake: Down -> Init -> Up on both sides, events in order', async (t) => {
  const p = await pair();
  bringUp(t, p);
  const a = p.events.filter((e) => e.side === 'a' && e.type !== 'dropped').map((e) => (e.type === 'stateChange' ? `${(e.e as BfdStateChangeEvent).from}>${(e.e as BfdStateChangeEvent).to}` : e.type));
  t.ok(a.slice(0, 2).join(',') === 'Down>Init,Init>Up' || a.slice(0, 1).join(',') === 'Down>Up', `a went Down -> (Init ->) Up: ${a.join(',')}`);
  t.ok(a.includes('up'), 'up emitted');
  t.equal(p.a.remoteDiscriminator, p.b.localDiscriminator, 'a learned b discriminator');
  t.equal(p.b.remoteDiscriminator, p.a.localDiscriminator, 'b learned a discriminator');
  t.not(p.a.localDiscriminator, 0);
  // Settle the Poll Sequence of entering Up (slow 1 s -> 300 ms), then the interval is 300 ms with jitter.
  p.clock.advance(3000);
  const snap = p.a.snapshot();
  t.equal(snap.negotiatedTxIntervalMs, 300);
  t.equal(snap.detectionTimeMs, 900, '3 x 300 ms');
  t.equal(snap.pollActive, false);
  const fromA = p.net.log.filter((d) => d.from === A && d.atMs > p.clock.now() - 2000).map((d) => d.atMs);
  const gaps = fromA.slice(1).map((x, i) => x - fromA[i]!);
  t.ok(gaps.length >= 5, 'packets sent');
  t.ok(gaps.every((g) => g >= 225 - 1e-9 && g <= 300 + 1e-9), `gaps within 75-100% of 300 ms: ${gaps.map((g) => g.toFixed(0)).join(' ')}`);
  t.ok(p.net.log.every((d) => d.ttl === 255), 'TTL 255');
  t.ok(p.a.snapshot().sourcePort >= 49152, 'source port in the RFC 5881 range');
  await p.ea.close();
  await p.eb.close();
});

t.test('while not Up, packets go at 1 s (RFC 5880 s6.8.3)', async (t) => {
  const clock = new ManualClock(0);
  const net = new MemoryBfdNetwork(clock, { logSize: 100 });
  const ea = new BfdEndpoint({ transport: net.transport(), clock, random: () => 0.5 });
  const a = await ea.addSession({ peerAddress: B, localAddress: A });
  clock.advance(5000);
  const times = net.log.map((d) => d.atMs);
  t.same(times, [0, 875, 1750, 2625, 3500, 4375], 'first packet at once, then 1 s x 0.875 (jitter 0.5)');
  t.equal(a.state, 'Down');
  t.equal(decodeBfdControl(net.log[0]!.bytes).desiredMinTxInterval, 1_000_000, 'advertises 1 s while Down');
  await ea.close();
});

t.test('Down exactly at the detection time after the peer freezes, diag 1', async (t) => {
  const p = await pair();
  bringUp(t, p);
  p.clock.advance(3000);
  p.net.freeze(B);
  const lastFromB = Math.max(...p.net.log.filter((d) => d.from === B && d.delivered).map((d) => d.atMs));
  const detection = p.a.snapshot().detectionTimeMs!;
  p.clock.advance(2000);
  const down = p.events.find((e) => e.side === 'a' && e.type === 'down');
  t.ok(down, 'down emitted');
  // Delivered 1 ms after it was sent (latency), so received at lastFromB + 1.
  t.equal(down!.at, lastFromB + 1 + detection, `Down at last receive + ${detection} ms`);
  t.equal((down!.e as BfdDownEvent).diag, BfdDiag.ControlDetectionTimeExpired);
  t.equal(p.a.state, 'Down');
  t.equal(p.a.remoteDiscriminator, 0, 'bfd.RemoteDiscr reset after a Detection Time without packets');
  // Thaw: the session comes back.
  p.net.thaw(B);
  bringUp(t, p);
  await p.ea.close();
  await p.eb.close();
});

t.test('Poll/Final rate change initiated by either side', async (t) => {
  const p = await pair();
  bringUp(t, p);
  p.clock.advance(3000);
  p.events.length = 0;
  p.a.setParameters({ transmitInterval: 100, receiveInterval: 100 });
  t.equal(p.a.snapshot().pollActive, true, 'a polls');
  p.clock.advance(1000);
  t.ok(p.events.some((e) => e.side === 'a' && e.type === 'pollComplete'), 'a poll completed');
  const polls = p.net.log.filter((d) => d.from === A && decodeBfdControl(d.bytes).poll).length;
  const finals = p.net.log.filter((d) => d.from === B && decodeBfdControl(d.bytes).final).length;
  t.ok(polls >= 1 && finals >= 1, 'P from a, F from b');
  // b still sends at 300 ms (its own desired TX), so a detects at 3 x 300.
  t.equal(p.a.snapshot().detectionTimeMs, 900);
  t.equal(p.b.snapshot().negotiatedTxIntervalMs, 300, 'b: max(its 300, a RX 100)');
  t.equal(p.a.snapshot().negotiatedTxIntervalMs, 300, 'a: max(its 100, b RX 300)');
  p.events.length = 0;
  p.b.setParameters({ transmitInterval: 100, receiveInterval: 100 });
  p.clock.advance(1000);
  t.ok(p.events.some((e) => e.side === 'b' && e.type === 'pollComplete'), 'b poll completed');
  t.equal(p.a.snapshot().negotiatedTxIntervalMs, 100);
  t.equal(p.b.snapshot().negotiatedTxIntervalMs, 100);
  t.equal(p.a.snapshot().detectionTimeMs, 300, '3 x 100');
  t.equal(p.a.state, 'Up');
  t.equal(p.b.state, 'Up');
  t.ok(!p.events.some((e) => e.type === 'down'), 'no flap during the change');
  t.throws(() => p.a.setParameters({ transmitInterval: 5 }), { code: 'ERR_CONFIG_INVALID' }, 'out of range: typed');
  t.equal(p.a.snapshot().transmitIntervalMs, 100, 'unchanged after the bad call');
  await p.ea.close();
  await p.eb.close();
});

t.test('AdminDown received: Down with diag 3 and remoteState AdminDown; close tells the peer', async (t) => {
  const p = await pair();
  bringUp(t, p);
  p.b.adminDown();
  p.clock.advance(10);
  const down = p.events.find((e) => e.side === 'a' && e.type === 'down');
  t.ok(down, 'a down');
  t.equal((down!.e as BfdDownEvent).diag, BfdDiag.NeighborSignaledSessionDown);
  t.equal((down!.e as BfdDownEvent).remoteState, 'AdminDown');
  t.equal(p.b.state, 'AdminDown');
  t.equal(p.b.snapshot().localDiag, 'AdministrativelyDown');
  p.clock.advance(5000);
  t.equal(p.a.state, 'Down', 'stays Down while the peer is AdminDown');
  p.b.adminUp();
  bringUp(t, p);
  p.events.length = 0;
  await p.eb.close();
  p.clock.advance(10);
  const d2 = p.events.find((e) => e.side === 'a' && e.type === 'down');
  t.equal((d2!.e as BfdDownEvent).remoteState, 'AdminDown', 'closing the endpoint sends AdminDown');
  t.equal(p.eb.sessions.length, 0);
  await p.ea.close();
});

t.test('authentication: meticulous keyed SHA1 comes Up; a replayed packet is dropped; a wrong key never comes Up', async (t) => {
  const auth = { type: 'meticulous-keyed-sha1' as const, keyId: 7, secret: 'lab-secret' };
  const p = await pair({ a: { auth }, b: { auth } });
  bringUp(t, p);
  p.clock.advance(2000);
  const old = p.net.log.filter((d) => d.from === B && d.delivered).at(-3)!;
  const dropsBefore = p.a.snapshot().counters.dropped;
  p.net.inject(B, A, old.bytes, { fromPort: old.fromPort });
  p.clock.advance(1);
  const drop = p.events.find((e) => e.side === 'a' && e.type === 'dropped');
  t.ok(drop, 'replay dropped');
  t.equal((drop!.e as { reason: string }).reason, 'AUTH_SEQUENCE');
  t.equal(p.a.snapshot().counters.dropped, dropsBefore + 1);
  t.equal(p.a.state, 'Up', 'still Up');
  t.same(p.a.snapshot().auth, { type: 'meticulous-keyed-sha1', keyId: 7 }, 'snapshot names type and key id, not the secret');
  t.notMatch(JSON.stringify(p.a.snapshot()), /lab-secret/);
  // Tampered digest.
  const bytes = Uint8Array.from(p.net.log.filter((d) => d.from === B).at(-1)!.bytes);
  bytes[bytes.length - 1]! ^= 1;
  p.net.inject(B, A, bytes);
  p.clock.advance(1);
  t.equal((p.events.filter((e) => e.side === 'a' && e.type === 'dropped').at(-1)!.e as { reason: string }).reason, 'BAD_DIGEST');
  await p.ea.close();
  await p.eb.close();

  const q = await pair({ a: { auth }, b: { auth: { ...auth, secret: 'other' } } });
  q.clock.advance(5000);
  t.equal(q.a.state, 'Down', 'wrong key: never Up');
  t.ok(q.events.some((e) => e.side === 'a' && e.type === 'dropped' && (e.e as { reason: string }).reason === 'BAD_DIGEST'));
  await q.ea.close();
  await q.eb.close();

  const r = await pair({ a: { auth } });
  r.clock.advance(5000);
  t.equal(r.a.state, 'Down', 'peer without auth: never Up');
  t.ok(r.events.some((e) => e.side === 'a' && e.type === 'dropped' && (e.e as { reason: string }).reason === 'AUTH_MISSING'));
  t.ok(r.events.some((e) => e.side === 'b' && e.type === 'dropped' && (e.e as { reason: string }).reason === 'AUTH_UNEXPECTED'));
  await r.ea.close();
  await r.eb.close();
});

t.test('every auth type comes Up; keyed types tolerate a repeated sequence, meticulous do not', async (t) => {
  for (const type of ['simple-password', 'keyed-md5', 'meticulous-keyed-md5', 'keyed-sha1', 'meticulous-keyed-sha1'] as const) {
    const auth = { type, keyId: 1, secret: new Uint8Array([1, 2, 3, 4]) };
    const p = await pair({ a: { auth }, b: { auth } });
    bringUp(t, p);
    await p.ea.close();
    await p.eb.close();
  }
  const ea = new BfdEndpoint({ transport: new MemoryBfdNetwork(new ManualClock()).transport(), clock: new ManualClock() });
  await t.rejects(ea.addSession({ peerAddress: B, localAddress: A, auth: { type: 'keyed-md5', keyId: 1, secret: 'x'.repeat(17) } }), { code: 'ERR_BFD_INVALID_ARGUMENT' });
  await t.rejects(ea.addSession({ peerAddress: B, localAddress: A, auth: { type: 'nope' as never, keyId: 1, secret: 'x' } }), { code: 'ERR_BFD_INVALID_ARGUMENT' });
  await t.rejects(ea.addSession({ peerAddress: B, localAddress: A, auth: { type: 'keyed-sha1', keyId: 256, secret: 'x' } }), { code: 'ERR_BFD_INVALID_ARGUMENT' });
  await ea.close();
});

t.test('demultiplexing: by Your Discriminator, by address before; unknown and misdirected packets dropped', async (t) => {
  const clock = new ManualClock(0);
  const net = new MemoryBfdNetwork(clock, { logSize: 500 });
  const hub = new BfdEndpoint({ transport: net.transport(), clock, random: mulberry32(5) });
  const peers = ['198.18.0.11', '198.18.0.12', '198.18.0.13'];
  const hubSessions = await Promise.all(peers.map((peer) => hub.addSession({ peerAddress: peer, localAddress: A })));
  const far = await Promise.all(
    peers.map(async (peer) => {
      const e = new BfdEndpoint({ transport: net.transport(), clock, random: mulberry32(peer.length + Number(peer.slice(-2))) });
      return { e, s: await e.addSession({ peerAddress: A, localAddress: peer }) };
    }),
  );
  for (let i = 0; i < 50 && !hubSessions.every((s) => s.state === 'Up'); i++) clock.advance(100);
  t.ok(hubSessions.every((s) => s.state === 'Up'), 'three sessions Up through one listener');
  const snap = hub.snapshot();
  t.equal(snap.listeners.length, 1, 'one shared listener');
  t.equal(snap.listeners[0]!.sessions, 3);
  t.equal(new Set(hubSessions.map((s) => s.localDiscriminator)).size, 3, 'distinct discriminators');
  t.equal(new Set(hubSessions.map((s) => s.snapshot().sourcePort)).size, 3, 'one source port per session');
  t.equal(hub.findSession({ peerAddress: peers[1]!, localAddress: A }), hubSessions[1]);

  const dropped: string[] = [];
  hub.on('dropped', (e) => dropped.push(e.reason));
  const template = decodeBfdControl(net.log.find((d) => d.from === peers[0])!.bytes);
  // Unknown Your Discriminator.
  net.inject(peers[0]!, A, encodeBfdControl({ ...template, state: 3, yourDiscriminator: 0xdeadbeef }));
  // A discriminator of another peer's session.
  net.inject(peers[0]!, A, encodeBfdControl({ ...template, state: 3, yourDiscriminator: hubSessions[2]!.localDiscriminator }));
  // No session for this address.
  net.inject('198.18.0.99', A, encodeBfdControl({ ...template, state: 1, yourDiscriminator: 0 }));
  // Malformed.
  net.inject(peers[0]!, A, new Uint8Array([0x20, 0x40, 3, 24]));
  // TTL 254 on single hop: the listener (like the kernel filter) never delivers it.
  net.inject(peers[0]!, A, encodeBfdControl({ ...template, state: 1, yourDiscriminator: 0 }), { ttl: 254 });
  clock.advance(1);
  t.same(dropped.sort(), ['NO_SESSION', 'NO_SESSION', 'TRUNCATED', 'WRONG_PEER'].sort());
  t.same(hub.snapshot().dropped, { NO_SESSION: 2, WRONG_PEER: 1, TRUNCATED: 1 });
  t.ok(hubSessions.every((s) => s.state === 'Up'), 'nothing disturbed');

  // Closing one session keeps the listener for the others; closing all releases it.
  await hubSessions[0]!.close();
  t.equal(hub.snapshot().listeners[0]!.sessions, 2);
  await hub.close();
  t.equal(hub.snapshot().listeners.length, 0);
  await Promise.all(far.map((f) => f.e.close()));
});

t.test('passive role: silent until the peer speaks', async (t) => {
  const clock = new ManualClock(0);
  const net = new MemoryBfdNetwork(clock, { logSize: 100 });
  const ea = new BfdEndpoint({ transport: net.transport(), clock, random: mulberry32(3) });
  const a = await ea.addSession({ peerAddress: B, localAddress: A, profile: { passiveMode: true } });
  clock.advance(5000);
  t.equal(net.log.length, 0, 'passive sends nothing alone');
  const eb = new BfdEndpoint({ transport: net.transport(), clock, random: mulberry32(4) });
  const b = await eb.addSession({ peerAddress: A, localAddress: B });
  for (let i = 0; i < 50 && a.state !== 'Up'; i++) clock.advance(100);
  t.equal(a.state, 'Up');
  t.equal(b.state, 'Up');
  await ea.close();
  await eb.close();
});

t.test('multihop: minimum TTL per session, lowest on the shared listener', async (t) => {
  const clock = new ManualClock(0);
  const net = new MemoryBfdNetwork(clock, { logSize: 100 });
  const ea = new BfdEndpoint({ transport: net.transport(), clock, random: mulberry32(8) });
  const s1 = await ea.addSession({ peerAddress: '198.18.5.1', localAddress: A, multihop: true, profile: { minimumTtl: 250 } });
  t.equal(ea.snapshot().listeners[0]!.minTtl, 250);
  const s2 = await ea.addSession({ peerAddress: '198.18.5.2', localAddress: A, multihop: true, profile: { minimumTtl: 200 } });
  t.equal(ea.snapshot().listeners[0]!.minTtl, 200, 'listener takes the lowest');
  const dropped: string[] = [];
  ea.on('dropped', (e) => dropped.push(`${e.reason}:${e.detail}`));
  const pkt = encodeBfdControl({
    diag: 0, state: 1, poll: false, final: false, controlPlaneIndependent: false, demand: false, detectMult: 3,
    myDiscriminator: 77, yourDiscriminator: s1.localDiscriminator, desiredMinTxInterval: 1e6, requiredMinRxInterval: 3e5, requiredMinEchoRxInterval: 0,
  });
  net.inject('198.18.5.1', A, pkt, { toPort: 4784, ttl: 220 });
  clock.advance(1);
  t.match(dropped, [/^TTL:TTL 220 below the session's minimum 250/], 'session minimum applies by discriminator');
  t.equal(checkBfdControl(pkt).ok, true);
  await s2.close();
  t.equal(ea.snapshot().listeners[0]!.minTtl, 250, 'raised again when the lower session leaves');
  await ea.close();
});

t.test('typed errors for bad sessions; the endpoint keeps working', async (t) => {
  const clock = new ManualClock(0);
  const net = new MemoryBfdNetwork(clock);
  const ea = new BfdEndpoint({ transport: net.transport(), clock });
  await t.rejects(ea.addSession({ peerAddress: 'nope', localAddress: A }), { code: 'ERR_BFD_INVALID_ARGUMENT' });
  await t.rejects(ea.addSession({ peerAddress: B, localAddress: '::1' }), { code: 'ERR_BFD_INVALID_ARGUMENT' });
  await t.rejects(ea.addSession({ peerAddress: B, localAddress: A, profile: { detectMultiplier: 1 } }), { code: 'ERR_CONFIG_INVALID' });
  await t.rejects(ea.addSession({ peerAddress: B, localAddress: A, multihop: 'yes' as never }), { code: 'ERR_BFD_INVALID_ARGUMENT' });
  await t.rejects(ea.addSession(null as never), { code: 'ERR_BFD_INVALID_ARGUMENT' });
  t.throws(() => new BfdEndpoint({ singleHopPort: 0 }), { code: 'ERR_BFD_INVALID_ARGUMENT' });
  const s = await ea.addSession({ peerAddress: B, localAddress: A });
  await t.rejects(ea.addSession({ peerAddress: B, localAddress: A }), { code: 'ERR_BFD_INVALID_ARGUMENT' }, 'duplicate key');
  // A listener that cannot bind: the session is not created and nothing leaks.
  const other = new BfdEndpoint({ transport: net.transport(), clock });
  await t.rejects(other.addSession({ peerAddress: B, localAddress: A }), { code: 'ERR_BFD_BIND_FAILED' });
  t.equal(other.sessions.length, 0);
  t.equal(s.state, 'Down');
  await ea.close();
  await t.rejects(ea.addSession({ peerAddress: B, localAddress: A }), { code: 'ERR_BFD_CLOSED' });
  t.equal(s.closed, true);
  await other.close();
});

t.test('IPv6 sessions', async (t) => {
  const p = await pair({ a: { peerAddress: '2001:db8::2', localAddress: '2001:db8::1' }, b: { peerAddress: '2001:db8::1', localAddress: '2001:db8::2' } });
  bringUp(t, p);
  await p.ea.close();
  await p.eb.close();
});
