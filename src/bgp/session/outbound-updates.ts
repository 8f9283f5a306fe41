/**
 * The outbound half of an Established session: draining the Adj-RIB-Out into the connection in
 * slices, with backpressure, and the markers that close a sync: End-of-RIB after the initial sync
 * (RFC 4724) and EoRR after an enhanced route refresh (RFC 7313).
 *
 * Owns: when a drain runs (coalesced, deferred, sliced to ~8 ms, rounds spaced by the RFC 4271
 * s9.2.1.1 MinRouteAdvertisementIntervalTimer), which End-of-RIB / EoRR markers are still owed,
 * and the communities added to every route while a graceful shutdown (RFC 8326) runs. Must not
 * touch: the FSM, the socket (it writes through the session's `write`).
 */
import type { Clock, ClockTimer } from '../../clock/clock.js';
import type { BgpError } from '../errors.js';
import { afiSafiKey } from '../iana/afi-safi.js';
import { encodeUpdate, endOfRibUpdate } from '../codec/update.js';
import { RouteRefreshSubtype, buildRouteRefresh, encodeRouteRefresh } from '../codec/route-refresh.js';
import type { AdjRibOut, DrainView } from '../../rib/adj-rib-out.js';
import type { Negotiated } from './negotiate.js';

/** Bytes of UPDATEs produced per drain round. */
const DRAIN_BYTES = 64 * 1024;

/** What the drain needs from its session. */
export interface OutboundHost {
  readonly clock: Clock;
  readonly defer: (cb: () => void) => void;
  /** Slice length in ms before yielding to the event loop. */
  readonly sliceMs: number;
  /** MinRouteAdvertisementInterval in ms between rounds of UPDATEs; 0: none. */
  readonly mraiMs: number;
  /** The Established connection's negotiation and drain view, or undefined when not Established. */
  target(extraCommunities: readonly number[]): { readonly negotiated: Negotiated; readonly view: DrainView } | undefined;
  /** Whether the connection takes more bytes now (false under backpressure or once closed). */
  writable(): boolean;
  /** Writes one message; `control` messages are not UPDATE traffic; `drained` ones count as UPDATEs sent. */
  write(bytes: Uint8Array, control: boolean, drained: boolean): void;
  /** After a drain round that wrote UPDATEs (the FSM's UpdateSent input). */
  updatesSent(): void;
  error(e: BgpError): void;
  /** The round ended: events queued during it may go out. */
  done(): void;
}

export class OutboundUpdates {
  readonly #rib: AdjRibOut;
  readonly #host: OutboundHost;
  /** Families still owed an End-of-RIB after the initial sync; undefined when none. */
  #eorPending: number[] | undefined;
  /** Enhanced route refresh: EoRR owed per family once the resync drained. */
  readonly #eorrPending = new Set<number>();
  #scheduled = false;
  #extraCommunities: number[] = [];
  /** A round of UPDATEs is under way (sliced or waiting for the transport): MRAI does not cut it. */
  #inRound = false;
  /** The round under way wrote UPDATEs with routes. */
  #routesSent = false;
  /** MRAI: no new round before this time (ms). */
  #notBeforeMs = 0;
  #mraiTimer: ClockTimer | undefined;

  constructor(rib: AdjRibOut, host: OutboundHost) {
    this.#rib = rib;
    this.#host = host;
  }

  /** The session reached Established: resync everything, End-of-RIB owed for every family. */
  established(negotiated: Negotiated): void {
    const afis = new Set(negotiated.families.filter((f) => f.safi === 1 && (f.afi === 1 || f.afi === 2)).map((f) => f.afi));
    this.#rib.sessionDown();
    this.#rib.resync(afis);
    this.#eorPending = negotiated.families.map((f) => afiSafiKey(f.afi, f.safi));
    this.#eorrPending.clear();
    this.#resetMrai();
    this.pump();
  }

  #resetMrai(): void {
    if (this.#mraiTimer !== undefined) this.#host.clock.clearTimer(this.#mraiTimer);
    this.#mraiTimer = undefined;
    this.#notBeforeMs = 0;
    this.#inRound = false;
    this.#routesSent = false;
  }

  sessionDown(): void {
    this.#resetMrai();
    this.#rib.sessionDown();
    this.#eorPending = undefined;
    this.#eorrPending.clear();
    this.#extraCommunities = [];
  }

  /** RFC 8326: every route goes out again with these communities added (until the session ends). */
  resyncWith(extraCommunities: number[]): void {
    this.#extraCommunities = extraCommunities;
    this.#rib.resync();
    this.pump();
  }

  /** A route refresh for one family: resync it; with `enhanced`, BoRR was sent and EoRR is owed. */
  refresh(afi: number, safi: number, enhanced: boolean): void {
    if (enhanced) this.#eorrPending.add(afiSafiKey(afi, safi));
    if (safi === 1) this.#rib.resync(new Set([afi]));
    this.pump();
  }

  /** Schedules a drain (coalesced; runs after the current step). */
  pump(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#host.defer(() => {
      this.#scheduled = false;
      this.#drain();
    });
  }

  #drain(): void {
    const h = this.#host;
    const target = h.target(this.#extraCommunities);
    if (target === undefined) return;
    const start = h.clock.now();
    if (!this.#inRound && start < this.#notBeforeMs) {
      // MRAI: this round waits; what changes meanwhile coalesces in the Adj-RIB-Out
      this.#mraiTimer ??= h.clock.setTimer(this.#notBeforeMs, () => {
        this.#mraiTimer = undefined;
        this.pump();
      });
      return;
    }
    this.#inRound = true;
    let sent = false;
    let more = true;
    while (more && h.writable()) {
      const r = this.#rib.drain(target.view, DRAIN_BYTES);
      more = r.more;
      for (const e of r.errors) h.error(e);
      for (const m of r.messages) {
        h.write(m, false, true);
        sent = true;
        this.#routesSent = true;
      }
      if (h.clock.now() - start >= h.sliceMs) {
        h.defer(() => this.#drain());
        break;
      }
    }
    // End-of-RIB (and EoRR) once nothing of the negotiated families waits; prefixes of families
    // the peer did not negotiate never hold them back.
    if (!more && h.writable()) {
      if (this.#eorPending !== undefined) {
        for (const key of this.#eorPending) {
          h.write(encodeUpdate(endOfRibUpdate(key >>> 8 === 0 ? 1 : Math.floor(key / 256), key % 256), target.negotiated.sendContext), false, false);
          sent = true;
        }
        this.#eorPending = undefined;
      }
      for (const key of this.#eorrPending) {
        h.write(encodeRouteRefresh(buildRouteRefresh(Math.floor(key / 256), key % 256, RouteRefreshSubtype.EORR)), true, false);
      }
      this.#eorrPending.clear();
    }
    if (!more && h.writable()) {
      // a round that carried routes (not just End-of-RIB) starts the interval
      if (this.#routesSent && h.mraiMs > 0) this.#notBeforeMs = h.clock.now() + h.mraiMs;
      this.#inRound = false;
      this.#routesSent = false;
    }
    if (sent) h.updatesSent();
    h.done();
  }
}
