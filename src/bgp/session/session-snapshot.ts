/**
 * Builds a BgpSession's snapshot (the state a new subscriber asks for) from its parts: FSM state,
 * timers left, negotiated capabilities, counters, RIB sizes, per-family route counts, the
 * connection's endpoints; and the counters it reports, zeroed. Pure; never includes the password.
 */
import type { AdjRibIn } from '../../rib/adj-rib-in.js';
import type { AdjRibOut } from '../../rib/adj-rib-out.js';
import { BgpState } from './bgp-state.js';
import { remainingTimers } from './fsm-state.js';
import type { Conn } from './conn-record.js';
import type { PrefixCountsSnapshot } from './max-prefixes.js';
import { negotiatedToJson } from './negotiate.js';
import type { SessionSnapshot, SessionStats } from './session-types.js';

export interface SnapshotParts {
  readonly peer: string;
  /** The main connection record: its FSM, the connection and who opened it. */
  readonly main: Pick<Conn, 'fsm' | 'connection' | 'direction'>;
  readonly nowMs: number;
  readonly stateSinceMs: number;
  readonly stats: SessionStats;
  readonly adjRibIn: AdjRibIn;
  readonly adjRibOut: AdjRibOut;
  readonly prefixes: PrefixCountsSnapshot;
}

export function sessionSnapshot(p: SnapshotParts): SessionSnapshot {
  const f = p.main.fsm;
  const c = p.main.connection;
  return {
    peer: p.peer,
    state: f.state,
    stateForMs: p.nowMs - p.stateSinceMs,
    lastError: f.lastError,
    connectRetryCounter: f.connectRetryCounter,
    flaps: f.flaps,
    timers: remainingTimers(f, p.nowMs),
    negotiated: f.negotiated === undefined ? undefined : negotiatedToJson(f.negotiated),
    stats: { ...p.stats },
    adjRibIn: { routes: p.adjRibIn.size, stale: p.adjRibIn.staleCount },
    prefixes: p.prefixes,
    adjRibOut: { routes: p.adjRibOut.size, pending: p.adjRibOut.pendingPrefixes },
    connection:
      c === undefined || f.state === BgpState.Connect
        ? undefined
        : { localAddress: c.localAddress, localPort: c.localPort, remoteAddress: c.remoteAddress, remotePort: c.remotePort, direction: p.main.direction },
  };
}

/** The session counters, all zero. */
export function newSessionStats(): SessionStats {
  return { messagesIn: 0, messagesOut: 0, updatesIn: 0, updatesOut: 0, notificationsIn: 0, notificationsOut: 0, bytesIn: 0, bytesOut: 0, establishedTransitions: 0 };
}
