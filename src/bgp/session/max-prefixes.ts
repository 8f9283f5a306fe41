/**
 * Maximum-prefix limits on a peer's Adj-RIB-In (RFC 4486; like FRR `neighbor X maximum-prefix N
 * [threshold] [restart M] [warning-only]`): after each UPDATE the families whose count grew are
 * checked against their limit, a warning fires once when a count reaches the threshold, and a
 * count above the limit gives the AutomaticStop that sends Cease / Maximum Number of Prefixes
 * Reached with the RFC 4486 s4 data (wrapped in a Hard Reset when both sides set the RFC 8538 N
 * bit, as RFC 8538 s5 suggests for this subcode, so that nobody keeps stale routes).
 *
 * Owns: those rules and the per-family warning state. Must not touch: the FSM state, the
 * connection, timers (the restart delay travels in the AutomaticStop event as data).
 */
import { notification, type NotificationSpec } from '../errors.js';
import { CeaseSubcode, ErrorCode } from '../iana/notification-codes.js';
import { afiSafiKey } from '../iana/afi-safi.js';
import { encodeMaxPrefixesData } from '../codec/notification.js';
import { encodeHardReset } from '../codec/hard-reset.js';
import type { FsmEvent } from './fsm-event.js';
import type { Negotiated } from './negotiate.js';
import { FAMILIES, type FamilyName, type ResolvedMaxPrefixes, type ResolvedPeerConfig, familyName } from './session-config.js';
import type { MaxPrefixesExceededEvent, MaxPrefixesWarningEvent } from './session-events.js';

/** The events, without the `peer` field the session adds. */
export type MaxPrefixesEvent =
  | ({ readonly type: 'maxPrefixesWarning' } & Omit<MaxPrefixesWarningEvent, 'peer'>)
  | ({ readonly type: 'maxPrefixesExceeded' } & Omit<MaxPrefixesExceededEvent, 'peer'>);

/** A family whose count went above its limit, with the session to be torn down. */
export interface MaxPrefixesOverflow {
  readonly afi: number;
  readonly safi: number;
  readonly limit: number;
  readonly count: number;
}

/** Per-family routes of the Adj-RIB-In in a snapshot: FamilyName keys (`afi/safi` for other families). */
export type PrefixCountsSnapshot = Readonly<Record<string, { readonly routes: number; readonly limit: number | undefined }>>;

function familyLabel(key: number): string {
  const afi = key >> 8;
  const safi = key & 0xff;
  return familyName(afi, safi) ?? `${afi}/${safi}`;
}

export class MaxPrefixes {
  readonly #config: ResolvedMaxPrefixes | undefined;
  readonly #limits = new Map<number, number>();
  readonly #emit: (e: MaxPrefixesEvent) => void;
  /** Families whose warning fired and has not been re-armed by the count dropping below the threshold. */
  readonly #warned = new Set<number>();
  /** warningOnly: families reported above their limit and still above it. */
  readonly #over = new Set<number>();

  constructor(config: ResolvedMaxPrefixes | undefined, emit: (e: MaxPrefixesEvent) => void) {
    this.#config = config;
    this.#emit = emit;
    for (const [name, limit] of Object.entries(config?.limits ?? {})) {
      const f = FAMILIES[name as FamilyName];
      if (limit !== undefined) this.#limits.set(afiSafiKey(f.afi, f.safi), limit);
    }
  }

  limitOf(key: number): number | undefined {
    return this.#limits.get(key);
  }

  /**
   * After an UPDATE changed the counts of `changed` families (`counts` already updated; `grown`
   * those whose count increased): re-arms what dropped below, warns at the threshold, and returns
   * the first family above its limit unless the limits only warn.
   */
  check(counts: ReadonlyMap<number, number>, changed: readonly number[], grown: readonly number[]): MaxPrefixesOverflow | undefined {
    const c = this.#config;
    if (c === undefined) return undefined;
    this.rearm(counts, changed);
    for (const key of grown) {
      const limit = this.#limits.get(key);
      if (limit === undefined) continue;
      const count = counts.get(key) ?? 0;
      const afi = key >> 8;
      const safi = key & 0xff;
      if (count * 100 >= limit * c.warningThresholdPct && !this.#warned.has(key)) {
        this.#warned.add(key);
        this.#emit({ type: 'maxPrefixesWarning', afi, safi, limit, count, thresholdPct: c.warningThresholdPct });
      }
      if (count <= limit || this.#over.has(key)) continue;
      if (c.warningOnly) {
        this.#over.add(key);
        this.#emit({ type: 'maxPrefixesExceeded', afi, safi, limit, count, action: 'warning', restartSec: undefined });
        continue;
      }
      this.#emit({ type: 'maxPrefixesExceeded', afi, safi, limit, count, action: 'cease', restartSec: c.restartSec });
      return { afi, safi, limit, count };
    }
    return undefined;
  }

  /** Re-arms the warning (and warningOnly's report) of the families in `keys` (all when omitted) whose count dropped back. */
  rearm(counts: ReadonlyMap<number, number>, keys?: readonly number[]): void {
    const c = this.#config;
    if (c === undefined) return;
    for (const key of keys ?? [...this.#warned, ...this.#over]) {
      const limit = this.#limits.get(key);
      if (limit === undefined) continue;
      const count = counts.get(key) ?? 0;
      if (count * 100 < limit * c.warningThresholdPct) this.#warned.delete(key);
      if (count <= limit) this.#over.delete(key);
    }
  }

  /** The routes per family (the configured families always, others once seen) with their limits. */
  snapshot(counts: ReadonlyMap<number, number>, families: readonly FamilyName[]): PrefixCountsSnapshot {
    const keys = new Set<number>(families.map((f) => afiSafiKey(FAMILIES[f].afi, FAMILIES[f].safi)));
    for (const k of counts.keys()) keys.add(k);
    const out: Record<string, { routes: number; limit: number | undefined }> = {};
    for (const k of keys) out[familyLabel(k)] = { routes: counts.get(k) ?? 0, limit: this.#limits.get(k) };
    return out;
  }
}

/** Both sides set the RFC 8538 N bit: a NOTIFICATION other than Hard Reset would keep routes as stale. */
function hardResetNeeded(negotiated: Negotiated | undefined, config: ResolvedPeerConfig): boolean {
  const gr = negotiated?.gracefulRestart;
  return gr !== undefined && gr.local && gr.peer?.notification === true && config.gracefulRestart?.notification === true;
}

/**
 * The AutomaticStop for an overflow: Cease / Maximum Number of Prefixes Reached (6/1) with the
 * RFC 4486 s4 data (inside a Hard Reset when both sides set the N bit); restart after
 * `restartSec`, or never by itself.
 */
export function maxPrefixesStop(o: MaxPrefixesOverflow, config: ResolvedPeerConfig, negotiated: Negotiated | undefined): FsmEvent {
  const data = encodeMaxPrefixesData({ afi: o.afi, safi: o.safi, upperBound: o.limit });
  const cease = notification(ErrorCode.CEASE, CeaseSubcode.MAXIMUM_NUMBER_OF_PREFIXES_REACHED, data);
  const spec: NotificationSpec = hardResetNeeded(negotiated, config)
    ? notification(ErrorCode.CEASE, CeaseSubcode.HARD_RESET, encodeHardReset({ code: cease.code, subcode: cease.subcode, data }))
    : cease;
  const restartSec = config.maxPrefixes?.restartSec;
  return {
    type: 'automaticStop',
    notification: spec,
    reason: `maximum prefixes exceeded (RFC 4486): ${o.count} ${familyLabel(afiSafiKey(o.afi, o.safi))} routes, limit ${o.limit}; ${
      restartSec === undefined ? 'stays Idle until start()' : `restart in ${restartSec} s`
    }`,
    restart: restartSec === undefined ? false : undefined,
    restartAfterSec: restartSec,
  };
}
