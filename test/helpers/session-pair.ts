/**
 * Two BgpSessions connected through the in-memory network on one ManualClock: `a` at
 * 198.18.1.11 (AS 65001) and `b` at 198.18.1.1 (AS 65000), with an event log per side.
 * Used by the session scenario tests; no sockets, no real time.
 */
import { BgpSession, type BgpSessionOptions } from '../../src/bgp/session/bgp-session.js';
import type { BgpSessionEvents } from '../../src/bgp/session/session-events.js';
import { ManualClock } from '../../src/testing/manual-clock.js';
import type { Clock } from '../../src/clock/clock.js';
import { type MemoryConnection, MemoryNetwork } from '../../src/testing/memory-transport.js';
import { mulberry32 } from '../../src/testing/random-updates.js';
import { type BgpMessage, decodeMessage } from '../../src/bgp/codec/message.js';
import type { CodecContext } from '../../src/bgp/codec/context.js';

export interface LoggedEvent {
  readonly at: number;
  readonly name: keyof BgpSessionEvents;
  readonly payload: any;
}

export const A_ADDR = '198.18.1.11';
export const B_ADDR = '198.18.1.1';

/** A deterministic random source for jitter (mulberry32 from tsbgp/testing). */
export function seeded(seed = 1): () => number {
  return mulberry32(seed);
}

export function logEvents(s: BgpSession, clock: ManualClock, log: LoggedEvent[]): void {
  const names: (keyof BgpSessionEvents)[] = ['stateChange', 'established', 'update', 'notificationSent', 'notificationReceived', 'routeRefresh', 'endOfRib', 'staleRoutes', 'sessionError'];
  for (const name of names) s.on(name, (payload: any) => log.push({ at: clock.now(), name, payload }));
}

export interface Pair {
  readonly clock: ManualClock;
  readonly net: MemoryNetwork;
  a: BgpSession;
  b: BgpSession;
  readonly logA: LoggedEvent[];
  readonly logB: LoggedEvent[];
  /** Advances the clock by `ms` in steps of at most `stepMs`, running the network after each. */
  advance(ms: number, stepMs?: number): void;
  run(): void;
  /**
   * Replaces session a (a restart) with new options, keeping b. `setup` runs on the new session
   * before it starts (e.g. to announce routes that must precede its End-of-RIB).
   */
  restartA(overrides?: Partial<BgpSessionOptions>, setup?: (s: BgpSession) => void): Promise<void>;
}

export interface PairOptions {
  a?: Partial<BgpSessionOptions>;
  b?: Partial<BgpSessionOptions>;
  highWaterMark?: number;
  /** Do not start the sessions. */
  noStart?: boolean;
  /** Gives the sessions a clock built on the pair's ManualClock (e.g. one whose now() creeps). */
  wrapClock?: (c: ManualClock) => Clock;
}

export async function sessionPair(o: PairOptions = {}): Promise<Pair> {
  const clock = new ManualClock(1_000_000);
  const net = new MemoryNetwork({ highWaterMark: o.highWaterMark });
  const random = seeded(7);
  const sessionClock: Clock = o.wrapClock?.(clock) ?? clock;
  const logA: LoggedEvent[] = [];
  const logB: LoggedEvent[] = [];
  const mk = (which: 'a' | 'b', extra: Partial<BgpSessionOptions> | undefined): BgpSession => {
    const base: BgpSessionOptions =
      which === 'a'
        ? { localAsn: 65001, peerAsn: 65000, routerId: '198.18.0.11', peerAddress: B_ADDR, localAddress: A_ADDR }
        : { localAsn: 65000, peerAsn: 65001, routerId: '198.18.0.1', peerAddress: A_ADDR, localAddress: B_ADDR, passive: true };
    const s = new BgpSession({ ...base, clock: sessionClock, random, defer: net.schedule, connector: net.connector(which === 'a' ? A_ADDR : B_ADDR), ...extra });
    logEvents(s, clock, which === 'a' ? logA : logB);
    return s;
  };
  const pair: Pair = {
    clock,
    net,
    a: mk('a', o.a),
    b: mk('b', o.b),
    logA,
    logB,
    advance(ms: number, stepMs = 100) {
      const end = clock.now() + ms;
      net.run();
      for (let i = 0; i < 1_000_000 && clock.now() < end; i++) {
        clock.advanceTo(Math.min(end, clock.now() + stepMs));
        net.run();
      }
    },
    run() {
      net.run();
      clock.runDue();
      net.run();
    },
    async restartA(overrides, setup) {
      pair.a = mk('a', { ...o.a, ...overrides });
      setup?.(pair.a);
      await pair.a.start();
      net.run();
    },
  };
  // Each side listens at its address; connections are routed to the session for that peer.
  await net.listen({ address: A_ADDR, port: 179 }, (c) => void pair.a.acceptConnection(c));
  await net.listen({ address: B_ADDR, port: 179 }, (c) => void pair.b.acceptConnection(c));
  if (!o.noStart) {
    await pair.b.start();
    await pair.a.start();
    net.run();
  }
  return pair;
}

export function states(log: readonly LoggedEvent[]): string[] {
  return log.filter((e) => e.name === 'stateChange').map((e) => `${e.payload.from}>${e.payload.to}`);
}

/**
 * The MemoryConnection a session currently runs on (matched by its snapshot's local address and
 * port), or undefined when it has none.
 */
export function connectionOf(net: MemoryNetwork, s: BgpSession): MemoryConnection | undefined {
  const c = s.snapshot().connection;
  if (c === undefined) return undefined;
  return net.connections.find((x) => !x.closed && x.localAddress === c.localAddress && x.localPort === c.localPort && x.remotePort === c.remotePort);
}

/**
 * Lets promise continuations run (e.g. `stop()` after its graceful-shutdown wait) and runs the
 * network after each round. Uses setImmediate only to drain the microtask queue: no real-time
 * waiting. Bounded by `rounds`.
 */
export async function settle(pair: Pair, rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    pair.run();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  pair.run();
}

/** Decodes the messages written on a connection (one message per write, as the session writes). */
export function writtenMessages(c: MemoryConnection, ctx?: CodecContext): BgpMessage[] {
  return c.written.map((b) => decodeMessage(b, ctx));
}

/** Instants (clock ms) at which each write on `c` happened, by message type, recorded from now on. */
export function recordWrites(c: MemoryConnection, clock: ManualClock): { at: number; type: number; ok: boolean }[] {
  const log: { at: number; type: number; ok: boolean }[] = [];
  const write = c.write.bind(c);
  c.write = (bytes: Uint8Array): boolean => {
    const ok = write(bytes);
    log.push({ at: clock.now(), type: bytes[18] ?? -1, ok });
    return ok;
  };
  return log;
}

/** Instants (clock ms) at which `c` received chunks (what restarts the receiver's HoldTimer), from now on. */
export function recordReceives(c: MemoryConnection, clock: ManualClock): number[] {
  const log: number[] = [];
  const receive = c.receive.bind(c);
  c.receive = (chunk: Uint8Array): void => {
    log.push(clock.now());
    receive(chunk);
  };
  return log;
}
