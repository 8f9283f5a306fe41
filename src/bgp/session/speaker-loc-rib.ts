/**
 * Router mode of a BgpSpeaker: every session's received routes feed one Loc-RIB, incrementally.
 * Each `update` event is applied whole (`LocRib.applyUpdate`) with the peer descriptor built from
 * the negotiated state (peer AS, BGP Identifier, eBGP or iBGP); a session that leaves Established
 * without graceful restart loses its paths (a peerDown job, in slices); with graceful restart
 * (RFC 4724) they stay, marked stale, until the session sweeps them (`staleRoutes` 'swept'); an
 * enhanced route refresh from the peer (RFC 7313 BoRR) marks its family stale the same way.
 *
 * Work is done in the order the sessions reported it. While a slice job (peerDown, a large sweep)
 * is pending, later work waits behind it in a queue drained `sliceRoutes` paths per turn of the
 * event loop; otherwise an UPDATE is applied at once, so `routes()` agrees with the event.
 *
 * Owns: the per-session descriptors and that queue. Must not touch: sessions' internals, sockets,
 * the decision process (the LocRib does it).
 */
import { BgpError } from '../errors.js';
import type { UpdateMessage } from '../codec/update.js';
import type { ReceivedRoute } from '../../rib/adj-rib-in.js';
import type { PeerDescriptor } from '../../rib/decision-process.js';
import { LocRib } from '../../rib/loc-rib.js';
import type { AfiSafi, LocRibOptions, PeerDownJob } from '../../rib/loc-rib-types.js';
import type { BgpSession } from './bgp-session.js';

/** The speaker's `locRib` option: a Loc-RIB to feed, or the options of a new one (plus `sliceRoutes`). */
export type SpeakerLocRibOption = LocRib | (LocRibOptions & { readonly sliceRoutes?: number | undefined });

/** Queued work of one peer: `run` returns true once finished; `budget` is in paths. */
interface Task {
  readonly peer: string;
  readonly run: (budget: number) => boolean;
  /** A slice job (peerDown, sweep), as opposed to one UPDATE or marking. */
  readonly sliced: boolean;
}

interface Attached {
  readonly session: BgpSession;
  readonly address: string;
  descriptor: PeerDescriptor | undefined;
  /** The families the peer keeps forwarding state for (RFC 4724), from its OPEN. */
  grFamilies: readonly AfiSafi[];
  /** The session reported its routes kept stale for the current session-down. */
  retained: boolean;
  readonly off: () => void;
}

const DEFAULT_SLICE = 4000;

export class SpeakerLocRib {
  readonly locRib: LocRib;
  readonly #slice: number;
  readonly #defer: (callback: () => void) => void;
  readonly #report: (peer: string, error: BgpError) => void;
  readonly #attached = new Map<BgpSession, Attached>();
  readonly #queue: Task[] = [];
  #scheduled = false;

  /** Throws ERR_CONFIG_INVALID for bad options (the LocRib's own message as the cause). */
  constructor(option: SpeakerLocRibOption, defer: ((callback: () => void) => void) | undefined, report: (peer: string, error: BgpError) => void) {
    if (option instanceof LocRib) {
      this.locRib = option;
      this.#slice = DEFAULT_SLICE;
    } else {
      if (typeof option !== 'object' || option === null) throw new BgpError('ERR_CONFIG_INVALID', 'locRib: must be a LocRib or LocRib options');
      const { sliceRoutes, ...ribOptions } = option;
      if (sliceRoutes !== undefined && (!Number.isInteger(sliceRoutes) || sliceRoutes < 1)) throw new BgpError('ERR_CONFIG_INVALID', `locRib.sliceRoutes: must be an integer >= 1 (got ${JSON.stringify(sliceRoutes)})`);
      this.#slice = sliceRoutes ?? DEFAULT_SLICE;
      try {
        this.locRib = new LocRib(ribOptions);
      } catch (e) {
        throw new BgpError('ERR_CONFIG_INVALID', `locRib: ${(e as Error).message}`, { cause: e });
      }
    }
    this.#defer = defer ?? ((cb) => void setImmediate(cb));
    this.#report = report;
  }

  /** Work waiting behind a slice job (0 when the Loc-RIB is up to date). */
  get pending(): number {
    return this.#queue.length;
  }

  /** Feeds `session`'s routes into the Loc-RIB from now on. */
  attach(session: BgpSession): void {
    if (this.#attached.has(session)) return;
    const address = session.peer;
    const on = session.on.bind(session) as (name: string, fn: (e: never) => void) => unknown;
    const off = session.off.bind(session) as (name: string, fn: (e: never) => void) => unknown;
    const handlers: [string, (e: never) => void][] = [
      ['established', (e: { negotiated: NonNullable<BgpSession['negotiated']> }) => this.#established(a, e.negotiated)],
      ['update', (e: { update: UpdateMessage }) => this.#update(a, e.update)],
      ['staleRoutes', (e: { action: 'marked' | 'swept'; routes?: readonly ReceivedRoute[] | undefined }) => this.#stale(a, e.action, e.routes ?? [])],
      ['routeRefresh', (e: { afi: number; safi: number; subtype: number }) => e.subtype === 1 && this.#run(address, () => void this.locRib.markStale(address, [{ afi: e.afi, safi: e.safi }]))],
      ['stateChange', (e: { from: string }) => e.from === 'Established' && this.#down(a)],
    ];
    const a: Attached = {
      session,
      address,
      descriptor: undefined,
      grFamilies: [],
      retained: false,
      off: () => {
        for (const [name, fn] of handlers) off(name, fn);
      },
    };
    for (const [name, fn] of handlers) on(name, fn);
    this.#attached.set(session, a);
  }

  /** Stops feeding `session` and removes whatever paths its peer still has (stale ones included). */
  detach(session: BgpSession): void {
    const a = this.#attached.get(session);
    if (a === undefined) return;
    a.off();
    this.#attached.delete(session);
    this.#peerDown(a.address);
  }

  #established(a: Attached, n: NonNullable<BgpSession['negotiated']>): void {
    a.descriptor = { peerAddress: a.address, peerAs: n.peerAsn, localAs: n.localAsn, routerId: n.peerBgpIdentifier, ibgp: !n.external };
    a.grFamilies = (n.gracefulRestart.peer?.families ?? []).map((f) => ({ afi: f.afi, safi: f.safi }));
    a.retained = false;
  }

  #update(a: Attached, update: UpdateMessage): void {
    const peer = a.descriptor;
    if (peer === undefined) return; // not Established: nothing to feed
    this.#run(a.address, () => void this.locRib.applyUpdate(peer, update));
  }

  #stale(a: Attached, action: 'marked' | 'swept', routes: readonly ReceivedRoute[]): void {
    if (action === 'marked') {
      a.retained = true;
      const families = a.grFamilies;
      this.#run(a.address, () => void this.locRib.markStale(a.address, families));
      return;
    }
    if (routes.length === 0) return;
    let next = 0;
    this.#task(a.address, (budget) => {
      for (const end = Math.min(routes.length, next + budget); next < end; next++) {
        const r = routes[next]!;
        this.locRib.withdraw(a.address, { afi: r.afi, safi: r.safi, prefix: r.prefix, pathId: r.pathId });
      }
      return next >= routes.length;
    });
  }

  #down(a: Attached): void {
    a.descriptor = undefined;
    if (a.retained) {
      a.retained = false;
      return; // graceful restart: the paths stay, stale, until swept
    }
    this.#peerDown(a.address);
  }

  #peerDown(address: string): void {
    let job: PeerDownJob | undefined;
    this.#task(address, (budget) => {
      // taken when the task starts: the peer's paths as of then, nothing announced after
      job ??= this.locRib.peerDownInSlices(address);
      return !job.step(budget);
    });
  }

  /** Runs `fn` now when nothing waits, else queues it (as a task of one unit). */
  #run(peer: string, fn: () => void): void {
    const run = (): boolean => (fn(), true);
    if (this.#queue.length > 0) this.#queue.push({ peer, run, sliced: false });
    else this.#guard({ peer, run, sliced: false });
  }

  /** Runs a slice job's first slice now when nothing waits, and queues the rest. */
  #task(peer: string, run: (budget: number) => boolean): void {
    const task: Task = { peer, run, sliced: true };
    if (this.#queue.length === 0 && this.#guard(task)) return;
    this.#queue.push(task);
    this.#schedule();
  }

  /**
   * Runs one step of `task`; a failure (a bad UPDATE, a throwing event listener) is reported as
   * the peer's sessionError. A failed UPDATE is over; a slice job goes on next turn (the Loc-RIB
   * commits before it emits, so every step makes progress).
   */
  #guard(task: Task): boolean {
    try {
      return task.run(this.#slice);
    } catch (e) {
      this.#report(task.peer, e instanceof BgpError ? e : new BgpError('ERR_RIB_APPLY', e instanceof Error ? e.message : String(e), { cause: e }));
      return !task.sliced;
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#defer(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  /** One turn: the head slice job's next slice, or up to `sliceRoutes` / 500 queued single units (UPDATEs). */
  #pump(): void {
    let units = Math.max(1, Math.floor(this.#slice / 500));
    while (this.#queue.length > 0 && units-- > 0) {
      const task = this.#queue[0]!;
      if (!this.#guard(task)) break;
      this.#queue.shift();
    }
    if (this.#queue.length > 0) this.#schedule();
  }
}
