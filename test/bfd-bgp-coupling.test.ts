/**
 * RFC 5882 coupling of BGP to BFD (src/bfd/bgp-coupling.ts) with real sessions on one ManualClock:
 * two BgpSessions over MemoryNetwork and two BfdEndpoints over MemoryBfdNetwork. A frozen BFD
 * peer tears BGP down with Cease / BFD Down (6/10) at the detection time; AdminDown (peer or
 * local) leaves BGP alone; an FRR-style attach bounce is absorbed; a diag-3 Down outside the
 * window (or not back within the grace) tears down; waitForBfdUp holds BGP Idle until BFD is Up;
 * dispose() detaches; bad options are typed errors. No sleeps; every loop is bounded.
 */
import t, { type Test } from 'tap';
import { BfdEndpoint } from '../src/bfd/bfd-endpoint.js';
import type { BfdSession, BfdDownEvent } from '../src/bfd/bfd-session.js';
import { BfdDiag } from '../src/bfd/diagnostic.js';
import { encodeBfdControl } from '../src/bfd/packet.js';
import { BfdStateCode, type BfdStateValue } from '../src/bfd/iana.js';
import { MemoryBfdNetwork } from '../src/testing/memory-bfd-network.js';
import { mulberry32 } from '../src/testing/random-updates.js';
import { BgpError } from '../src/bgp/errors.js';
import { type BgpBfdCoupling, type BgpBfdCouplingOptions, type CouplableBfdSession, type CouplableBgpSession, coupleBgpToBfd } from '../src/bfd/bgp-coupling.js';
import { A_ADDR, B_ADDR, type LoggedEvent, type Pair, sessionPair } from './helpers/session-pair.js';

interface Lab {
  p: Pair;
  bnet: MemoryBfdNetwork;
  ea: BfdEndpoint;
  eb: BfdEndpoint;
  fa: BfdSession;
  fb: BfdSession;
  downsA: { at: number; e: BfdDownEvent }[];
  upsA: number[];
}

async function lab(o: { frozenB?: boolean } = {}): Promise<Lab> {
  const p = await sessionPair({ noStart: true });
  const bnet = new MemoryBfdNetwork(p.clock, { latencyMs: 1, logSize: 500 });
  if (o.frozenB) bnet.freeze(B_ADDR);
  const ea = new BfdEndpoint({ transport: bnet.transport(), clock: p.clock, random: mulberry32(11) });
  const eb = new BfdEndpoint({ transport: bnet.transport(), clock: p.clock, random: mulberry32(12) });
  const fa = await ea.addSession({ peerAddress: B_ADDR, localAddress: A_ADDR });
  const fb = await eb.addSession({ peerAddress: A_ADDR, localAddress: B_ADDR });
  const l: Lab = { p, bnet, ea, eb, fa, fb, downsA: [], upsA: [] };
  fa.on('down', (e) => l.downsA.push({ at: p.clock.now(), e }));
  fa.on('up', () => l.upsA.push(p.clock.now()));
  return l;
}

/** Lets promise continuations run (e.g. `start()` called by the coupling); no real-time waiting. */
const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Advances in 1 ms steps (running the BGP network and pending promise continuations after each)
 * until `cond` or `maxMs`.
 */
async function until(l: Lab, cond: () => boolean, maxMs: number): Promise<boolean> {
  for (let i = 0; i < maxMs && !cond(); i++) {
    l.p.advance(1, 1);
    await turn();
  }
  return cond();
}

async function bfdUp(t: Test, l: Lab): Promise<void> {
  t.ok(await until(l, () => l.fa.state === 'Up' && l.fb.state === 'Up', 10_000), 'BFD Up on both sides');
  l.p.advance(3000, 10); // settle the Poll Sequence of entering Up (300 ms intervals, 900 ms detection)
}

async function bgpUp(t: Test, l: Lab): Promise<number> {
  await l.p.b.start();
  await l.p.a.start();
  t.ok(await until(l, () => l.p.a.state === 'Established' && l.p.b.state === 'Established', 5000), 'BGP Established');
  return l.p.clock.now();
}

const notes = (log: readonly LoggedEvent[], name: 'notificationSent' | 'notificationReceived'): { at: number; cs: string }[] =>
  log.filter((e) => e.name === name).map((e) => ({ at: e.at, cs: `${e.payload.notification.code}/${e.payload.notification.subcode}` }));
const edges = (log: readonly LoggedEvent[], since: number): { at: number; edge: string }[] =>
  log.filter((e) => e.name === 'stateChange' && e.at >= since).map((e) => ({ at: e.at, edge: `${e.payload.from}>${e.payload.to}` }));

async function close(l: Lab, c: BgpBfdCoupling): Promise<void> {
  c.dispose();
  await l.ea.close();
  await l.eb.close();
}

/** A Control packet as b would send it (used to play the peer's side of an FRR attach bounce). */
function fromB(l: Lab, state: number): Uint8Array {
  return encodeBfdControl({
    diag: state === BfdStateCode.DOWN ? BfdDiag.NeighborSignaledSessionDown : 0,
    state: state as BfdStateValue,
    poll: false,
    final: false,
    controlPlaneIndependent: false,
    demand: false,
    detectMult: 3,
    myDiscriminator: l.fb.localDiscriminator,
    yourDiscriminator: l.fa.localDiscriminator,
    desiredMinTxInterval: 1_000_000,
    requiredMinRxInterval: 300_000,
    requiredMinEchoRxInterval: 0,
    auth: undefined,
  });
}

t.test('real BgpSession and BfdSession satisfy the structural interfaces', async (t) => {
  const l = await lab();
  const bgp: CouplableBgpSession = l.p.a;
  const bfd: CouplableBfdSession = l.fa;
  t.ok(bgp && bfd);
  await l.ea.close();
  await l.eb.close();
});

t.test('frozen BFD peer: Cease / BFD Down (6/10) at the detection time, then BGP restarts by its IdleHold schedule', async (t) => {
  const l = await lab();
  await bfdUp(t, l);
  const c = coupleBgpToBfd(l.p.a, l.fa, { clock: l.p.clock });
  await bgpUp(t, l);
  l.p.advance(5000, 10); // well outside the attach window
  const teardowns: unknown[] = [];
  c.on('teardown', (e) => teardowns.push(e));
  l.bnet.freeze(B_ADDR);
  const lastFromB = Math.max(...l.bnet.log.filter((d) => d.from === B_ADDR && d.delivered).map((d) => d.atMs));
  const detection = l.fa.snapshot().detectionTimeMs!;
  t.equal(detection, 900);
  t.ok(await until(l, () => l.p.a.state !== 'Established', 2000), 'BGP left Established');
  const downAt = lastFromB + 1 + detection;
  t.match(l.downsA, [{ at: downAt, e: { diag: BfdDiag.ControlDetectionTimeExpired } }], 'BFD Down diag 1 at last receive + detection time');
  t.same(notes(l.p.logA, 'notificationSent'), [{ at: downAt, cs: '6/10' }], 'a sent Cease / BFD Down at that instant');
  t.same(notes(l.p.logB, 'notificationReceived'), [{ at: Math.ceil(downAt), cs: '6/10' }], 'the peer received 6/10 (the BGP network runs on whole ms)');
  t.match(l.p.a.snapshot().lastError, /^BFD Down \(diag 1 ControlDetectionTimeExpired\)/);
  t.match(teardowns, [{ atMs: downAt, diag: 1, bgpState: 'Established', afterGrace: false, held: false }]);
  t.match(c.snapshot(), { teardowns: 1, bouncesAbsorbed: 0, pendingGrace: undefined, waitingForBfd: false, bfdState: 'Down', bgpState: 'Idle' });
  // Without waitForBfdUp BGP restarts after the IdleHoldTime (1 s) as today, BFD or not.
  l.p.advance(1500, 10);
  t.match(edges(l.p.logA, downAt), [{ edge: 'Established>Idle', at: downAt }, { edge: 'Idle>Connect', at: downAt + 1000 }]);
  await close(l, c);
});

t.test('peer AdminDown (RFC 5882 s3.2) and local AdminDown leave BGP Established', async (t) => {
  const l = await lab();
  await bfdUp(t, l);
  const c = coupleBgpToBfd(l.p.a, l.fa, { clock: l.p.clock });
  await bgpUp(t, l);
  l.p.advance(500, 10); // inside the attach window: AdminDown is still not a bounce
  const ignored: { reason: string }[] = [];
  c.on('downIgnored', (e) => ignored.push(e));
  l.fb.adminDown();
  t.ok(await until(l, () => l.fa.state !== 'Up', 100), 'a left Up');
  t.match(l.downsA, [{ e: { diag: BfdDiag.NeighborSignaledSessionDown, remoteState: 'AdminDown' } }], 'diag 3 with remote AdminDown');
  l.p.advance(10_000, 10);
  t.equal(l.p.a.state, 'Established', 'BGP untouched');
  t.match(c.snapshot(), { teardowns: 0, downsIgnored: 1, pendingGrace: undefined });
  t.match(ignored, [{ reason: /peer AdminDown/ }]);
  // Back up, then our side disabled: diag 7.
  l.fb.adminUp();
  t.ok(await until(l, () => l.fa.state === 'Up' && l.fb.state === 'Up', 10_000), 'BFD Up again');
  l.fa.adminDown();
  l.p.advance(10_000, 10);
  t.equal(l.fa.state, 'AdminDown');
  t.equal(l.p.a.state, 'Established', 'BGP untouched by a local AdminDown');
  t.match(ignored, [{}, { reason: /local AdminDown/ }]);
  t.same(notes(l.p.logA, 'notificationSent'), []);
  t.equal(c.snapshot().teardowns, 0);
  await close(l, c);
});

t.test('FRR attach bounce right after Established (diag 3, Up again in 5 ms) is absorbed with the defaults', async (t) => {
  const l = await lab();
  await bfdUp(t, l);
  const c = coupleBgpToBfd(l.p.a, l.fa, { clock: l.p.clock });
  const est = await bgpUp(t, l);
  // Play bgpd attaching on the peer: its bfdd signals Down, then the session comes straight back.
  // Inject just after a transmitted, so a's own Down packet never reaches b in between.
  t.ok(await until(l, () => (l.fa.fsmState.timers.transmit ?? 0) - l.p.clock.now() > 50, 1000), 'a just transmitted');
  const held: unknown[] = [];
  const absorbed: unknown[] = [];
  c.on('bounceHeld', (e) => held.push(e));
  c.on('bounceAbsorbed', (e) => absorbed.push(e));
  const port = l.fb.snapshot().sourcePort;
  const t0 = l.p.clock.now();
  t.ok(t0 - est < 3000, 'inside the attach window');
  // The real b is Up; a's answers (sent at once on each state change) must not reach it while
  // the injected packets play its bfdd, so a -> b is cut for the 5 ms of the bounce.
  l.bnet.cutLink(A_ADDR, B_ADDR, true);
  l.bnet.inject(B_ADDR, A_ADDR, fromB(l, BfdStateCode.DOWN), { fromPort: port });
  l.p.advance(2, 1);
  t.match(l.downsA, [{ at: t0 + 1, e: { diag: BfdDiag.NeighborSignaledSessionDown, remoteState: 'Down' } }], 'a Down with diag 3');
  t.match(c.snapshot().pendingGrace, { downAtMs: t0 + 1, untilMs: t0 + 1 + 1500, diag: 3 }, 'held for the grace');
  l.bnet.inject(B_ADDR, A_ADDR, fromB(l, BfdStateCode.INIT), { fromPort: port });
  l.p.advance(5, 1);
  l.bnet.restoreLink(A_ADDR, B_ADDR);
  t.equal(l.fa.state, 'Up', 'a Up again');
  t.match(held, [{ atMs: t0 + 1, untilMs: t0 + 1501 }]);
  t.match(absorbed, [{ downAtMs: t0 + 1, upAtMs: t0 + 3 }]);
  l.p.advance(10_000, 10);
  t.equal(l.p.a.state, 'Established', 'BGP untouched');
  t.same(notes(l.p.logA, 'notificationSent'), []);
  t.match(c.snapshot(), { bouncesAbsorbed: 1, teardowns: 0, pendingGrace: undefined });
  await close(l, c);
});

t.test('a real diag-3 Down inside the window that is not Up again within the grace tears down when the grace ends', async (t) => {
  const l = await lab();
  await bfdUp(t, l);
  const c = coupleBgpToBfd(l.p.a, l.fa, { clock: l.p.clock });
  const est = await bgpUp(t, l);
  // One-way cut a -> b: only b detects (diag 1) and tells a Down, so a sees diag 3.
  l.bnet.cutLink(A_ADDR, B_ADDR, true);
  t.ok(await until(l, () => l.downsA.length > 0, 3000), 'a Down');
  const down = l.downsA[0]!;
  t.equal(down.e.diag, BfdDiag.NeighborSignaledSessionDown);
  t.ok(down.at - est <= 3000, `inside the attach window (${down.at - est} ms)`);
  t.equal(l.p.a.state, 'Established', 'held, not torn down yet');
  t.ok(await until(l, () => l.p.a.state !== 'Established', 2000), 'torn down');
  t.same(notes(l.p.logA, 'notificationSent'), [{ at: down.at + 1500, cs: '6/10' }], 'Cease / BFD Down at the end of the grace');
  t.match(l.p.a.snapshot().lastError, /diag 3 NeighborSignaledSessionDown, not Up again within the 1500 ms bounce grace/);
  t.match(c.snapshot(), { teardowns: 1, bouncesAbsorbed: 0, pendingGrace: undefined });
  await close(l, c);
});

t.test('a diag-3 Down outside the attach window tears down at once', async (t) => {
  const l = await lab();
  await bfdUp(t, l);
  const c = coupleBgpToBfd(l.p.a, l.fa, { clock: l.p.clock });
  const est = await bgpUp(t, l);
  l.p.advance(3500, 10);
  l.bnet.cutLink(A_ADDR, B_ADDR, true);
  t.ok(await until(l, () => l.downsA.length > 0, 3000), 'a Down');
  const down = l.downsA[0]!;
  t.equal(down.e.diag, BfdDiag.NeighborSignaledSessionDown);
  t.ok(down.at - est > 3000, 'outside the window');
  l.p.advance(1, 1);
  t.same(notes(l.p.logA, 'notificationSent'), [{ at: down.at, cs: '6/10' }], 'at once');
  t.same(notes(l.p.logB, 'notificationReceived'), [{ at: Math.ceil(down.at), cs: '6/10' }]);
  t.match(c.snapshot(), { teardowns: 1, pendingGrace: undefined });
  await close(l, c);
});

t.test('waitForBfdUp: BGP Idle until BFD is Up; after a BFD Down it stays Idle until BFD is Up again', async (t) => {
  const l = await lab({ frozenB: true });
  await l.p.b.start(); // the passive peer runs on its own
  const starts: number[] = [];
  const c = coupleBgpToBfd(l.p.a, l.fa, { clock: l.p.clock, waitForBfdUp: true });
  c.on('bgpStart', (e) => starts.push(e.atMs));
  l.p.advance(10_000, 10);
  t.equal(l.p.a.state, 'Idle', 'not started while BFD is Down');
  t.match(c.snapshot(), { waitingForBfd: true, bfdState: 'Down', teardowns: 0 });
  l.bnet.thaw(B_ADDR);
  t.ok(await until(l, () => l.fa.state === 'Up', 5000), 'BFD Up');
  t.same(starts, l.upsA, 'started at BFD Up');
  t.ok(await until(l, () => l.p.a.state === 'Established', 2000), 'BGP Established after BFD Up');
  t.equal(c.snapshot().waitingForBfd, false);
  l.p.advance(5000, 10);
  l.bnet.freeze(B_ADDR);
  t.ok(await until(l, () => l.p.a.state === 'Idle', 2000), 'torn down');
  const downAt = l.downsA[0]!.at;
  t.same(notes(l.p.logA, 'notificationSent'), [{ at: downAt, cs: '6/10' }]);
  l.p.advance(30_000, 10); // far past any IdleHoldTime
  t.equal(l.p.a.state, 'Idle', 'no automatic restart while BFD is Down');
  t.same(edges(l.p.logA, downAt).map((e) => e.edge), ['Established>Idle']);
  t.match(c.snapshot(), { waitingForBfd: true, teardowns: 1 });
  t.same(l.p.a.snapshot().timers, {}, 'no IdleHoldTimer');
  l.bnet.thaw(B_ADDR);
  t.ok(await until(l, () => l.fa.state === 'Up', 5000), 'BFD Up again');
  t.ok(await until(l, () => l.p.a.state === 'Established', 2000), 'BGP Established again');
  t.equal(starts.length, 2);
  t.same(starts, l.upsA, 'started at each BFD Up');
  t.equal(c.snapshot().waitingForBfd, false);
  await close(l, c);
});

t.test('waitForBfdUp with BFD already Up starts BGP at once; a running BGP is held when BFD is not Up', async (t) => {
  const l = await lab();
  await bfdUp(t, l);
  await l.p.b.start();
  const c = coupleBgpToBfd(l.p.a, l.fa, { clock: l.p.clock, waitForBfdUp: true });
  t.ok(await until(l, () => l.p.a.state === 'Established', 2000), 'Established');
  c.dispose();
  // A second coupling made while BFD is Down stops the running session and holds it.
  l.fb.adminDown(); // (peer AdminDown is not a failure, but BFD is not Up either)
  t.ok(await until(l, () => l.fa.state !== 'Up', 100));
  t.equal(l.p.a.state, 'Established');
  const c2 = coupleBgpToBfd(l.p.a, l.fa, { clock: l.p.clock, waitForBfdUp: true });
  l.p.advance(10, 1);
  t.equal(l.p.a.state, 'Idle');
  t.match(c2.snapshot(), { waitingForBfd: true, teardowns: 1 });
  t.match(l.p.a.snapshot().lastError, /BFD not Up/);
  // Let the passive peer (Idle for its IdleHoldTime after our Cease) listen again first.
  t.ok(await until(l, () => l.p.b.state === 'Active', 5000), 'peer listening');
  l.fb.adminUp();
  t.ok(await until(l, () => l.fa.state === 'Up', 10_000), 'BFD Up');
  t.equal(c2.snapshot().waitingForBfd, false, 'released at BFD Up');
  t.ok(await until(l, () => l.p.a.state === 'Established', 2000), 'Established once BFD is Up');
  await close(l, c2);
});

t.test('dispose() detaches: BFD Down no longer touches BGP', async (t) => {
  const l = await lab();
  await bfdUp(t, l);
  const before = { up: l.fa.listenerCount('up'), down: l.fa.listenerCount('down'), sc: l.fa.listenerCount('stateChange'), bgp: l.p.a.listenerCount('stateChange') };
  const c = coupleBgpToBfd(l.p.a, l.fa, { clock: l.p.clock });
  t.equal(l.fa.listenerCount('down'), before.down + 1);
  await bgpUp(t, l);
  c.dispose();
  c.dispose(); // idempotent
  t.same({ up: l.fa.listenerCount('up'), down: l.fa.listenerCount('down'), sc: l.fa.listenerCount('stateChange'), bgp: l.p.a.listenerCount('stateChange') }, before);
  l.bnet.freeze(B_ADDR);
  l.p.advance(5000, 10);
  t.equal(l.fa.state, 'Down');
  t.equal(l.p.a.state, 'Established', 'BGP untouched after dispose');
  t.match(c.snapshot(), { disposed: true, teardowns: 0 });
  await l.ea.close();
  await l.eb.close();
});

t.test('dispose() during a held bounce cancels the grace timer', async (t) => {
  const l = await lab();
  await bfdUp(t, l);
  const c = coupleBgpToBfd(l.p.a, l.fa, { clock: l.p.clock });
  await bgpUp(t, l);
  l.bnet.cutLink(A_ADDR, B_ADDR, true);
  t.ok(await until(l, () => c.snapshot().pendingGrace !== undefined, 3000), 'bounce held');
  c.dispose();
  t.equal(c.snapshot().pendingGrace, undefined);
  l.p.advance(3000, 10);
  t.equal(l.p.a.state, 'Established');
  await l.ea.close();
  await l.eb.close();
});

t.test('bad options are BgpError ERR_CONFIG_INVALID naming the field', async (t) => {
  const l = await lab();
  const bad: [Partial<Record<keyof BgpBfdCouplingOptions, unknown>>, RegExp][] = [
    [{ attachWindowMs: -1 }, /^attachWindowMs:/],
    [{ attachWindowMs: Number.NaN }, /^attachWindowMs:/],
    [{ bounceGraceMs: '1500' }, /^bounceGraceMs:/],
    [{ bounceGraceMs: 60_001 }, /^bounceGraceMs:/],
    [{ waitForBfdUp: 'yes' }, /^waitForBfdUp:/],
    [{ clock: {} }, /^clock:/],
  ];
  for (const [o, re] of bad) {
    let err: unknown;
    try {
      coupleBgpToBfd(l.p.a, l.fa, o as BgpBfdCouplingOptions);
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof BgpError && err.code === 'ERR_CONFIG_INVALID' && re.test(err.message), `${JSON.stringify(o)}: ${String(err)}`);
  }
  t.throws(() => coupleBgpToBfd(null as unknown as CouplableBgpSession, l.fa), { code: 'ERR_CONFIG_INVALID', message: /^bgp:/ });
  t.throws(() => coupleBgpToBfd(l.p.a, {} as CouplableBfdSession), { code: 'ERR_CONFIG_INVALID', message: /^bfd:/ });
  t.throws(() => coupleBgpToBfd(l.p.a, l.fa, null as unknown as BgpBfdCouplingOptions), { code: 'ERR_CONFIG_INVALID', message: /^options:/ });
  t.equal(l.fa.listenerCount('down'), 1, 'nothing subscribed by a failed coupling (only the test recorder)');
  await l.ea.close();
  await l.eb.close();
});

t.test('BgpSession.automaticStop(..., { restart: false }): stays Idle; in Idle it cancels a pending IdleHold restart', async (t) => {
  const p = await sessionPair();
  p.advance(1000);
  t.equal(p.a.state, 'Established');
  const spec = { code: 6, subcode: 10, data: new Uint8Array(0) };
  p.a.automaticStop(spec, 'BFD down', { restart: false });
  p.run();
  t.equal(p.a.state, 'Idle');
  t.same(p.a.snapshot().timers, {}, 'no IdleHoldTimer');
  t.same(notes(p.logB, 'notificationReceived').map((n) => n.cs), ['6/10']);
  p.advance(30_000, 1000);
  t.equal(p.a.state, 'Idle', 'no automatic restart');
  await p.a.start();
  p.advance(2000);
  t.equal(p.a.state, 'Established', 'start() works again');
  // Default AutomaticStop arms the IdleHoldTimer; a second one with restart: false in Idle cancels it.
  p.a.automaticStop(spec, 'max prefix');
  p.run();
  t.ok(p.a.snapshot().timers.idleHold !== undefined, 'restart pending');
  p.a.automaticStop(spec, 'BFD down', { restart: false });
  t.same(p.a.snapshot().timers, {}, 'cancelled');
  p.advance(30_000, 1000);
  t.equal(p.a.state, 'Idle');
});
