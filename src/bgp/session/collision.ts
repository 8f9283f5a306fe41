/**
 * Connection collision detection (RFC 4271 s6.8) as pure decisions: what to do with an inbound
 * connection, which of two connections survives when an OPEN arrives, and how the peer-level FSM
 * fields carry over to the surviving connection's record.
 *
 * Owns: the rules only. Must not touch: connections, events, timers (the session applies the
 * decisions to its records).
 */
import { BgpState, type BgpStateName } from './bgp-state.js';
import type { FsmState } from './fsm-state.js';

/** What the session does with an OPEN that arrived on one connection while `otherState` is the other's state. */
export type OpenCollisionDecision =
  /** No live competitor: process the OPEN. */
  | 'process'
  /** The other connection is Established: this one is closed with Cease 6/7. */
  | 'dumpThis'
  /** The other is only a connect attempt in flight: drop it quietly, process the OPEN. */
  | 'dropOther'
  /** Both are past OPEN: this connection survives, the other gets Cease 6/7. */
  | 'thisWins'
  /** Both are past OPEN: the other survives, this one gets Cease 6/7. */
  | 'otherWins';

function ipv4ToNumber(s: string): number {
  const p = s.split('.').map(Number);
  return ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!;
}

/**
 * s6.8: the connection opened by the speaker with the higher BGP Identifier survives (compared as
 * unsigned integers, RFC 6286).
 */
export function openCollisionDecision(
  thisDirection: 'inbound' | 'outbound',
  otherState: BgpStateName | undefined,
  localRouterId: string,
  remoteBgpIdentifier: string,
): OpenCollisionDecision {
  if (otherState === undefined || otherState === BgpState.Idle || otherState === BgpState.Active) return 'process';
  if (otherState === BgpState.Established) return 'dumpThis';
  if (otherState === BgpState.Connect) return 'dropOther';
  const keepInbound = ipv4ToNumber(localRouterId) < ipv4ToNumber(remoteBgpIdentifier);
  return (thisDirection === 'inbound') === keepInbound ? 'thisWins' : 'otherWins';
}

/** What the session does with an inbound connection from its peer. */
export type InboundDecision = 'refuse' | 'collidesWithEstablished' | 'attachMain' | 'secondFsm';

export function inboundDecision(mainState: BgpStateName, mainConnected: boolean, activeOnly: boolean, collisionRunning: boolean): InboundDecision {
  if (activeOnly || mainState === BgpState.Idle || collisionRunning) return 'refuse';
  if (mainState === BgpState.Established) return 'collidesWithEstablished';
  if (mainState === BgpState.Active && !mainConnected) return 'attachMain';
  // Connect (an outbound attempt in flight), OpenSent or OpenConfirm: a second FSM runs on the
  // inbound connection; the OPENs decide which one survives.
  return 'secondFsm';
}

/** The FSM a second (inbound) connection starts with: Active, passive, part of the same peer. */
export function secondConnectionFsm(initial: FsmState): FsmState {
  return { ...initial, state: BgpState.Active, autoRestart: true, passive: true };
}

/**
 * The winner's FSM as the new main record: its connection state with the peer-level fields of the
 * old main record (restart policy, backoff, counters, graceful-restart state).
 */
export function promotedFsm(oldMain: FsmState, winner: FsmState): FsmState {
  return {
    ...winner,
    autoRestart: oldMain.autoRestart,
    passive: oldMain.passive,
    flaps: oldMain.flaps,
    connectRetryCounter: oldMain.connectRetryCounter,
    staleFamilies: oldMain.staleFamilies,
    timers: { ...winner.timers, ...(oldMain.timers.gracefulRestart === undefined ? {} : { gracefulRestart: oldMain.timers.gracefulRestart }) },
  };
}

/** The loser's FSM: it only sends its Cease and closes; no restart, no routes, no timers. */
export function retiredFsm(loser: FsmState): FsmState {
  return { ...loser, autoRestart: false, staleFamilies: [], timers: {} };
}
