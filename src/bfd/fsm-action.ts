/**
 * The outputs of the BFD state machine step: packets the session must send and what it must
 * report. Actions are executed and reported in order, after the new state is committed.
 */
import type { BfdStateName } from './bfd-state.js';
import type { BfdDiagCode } from './diagnostic.js';

/** The fields of a BFD Control packet to send (RFC 5880 s4.1); intervals in microseconds. */
export interface OutgoingControlPacket {
  readonly state: BfdStateName;
  readonly diag: BfdDiagCode;
  readonly poll: boolean;
  readonly final: boolean;
  /** Always false: this implementation never asks for Demand mode. */
  readonly demand: boolean;
  readonly detectMult: number;
  readonly myDiscr: number;
  /** The peer's discriminator, 0 while unknown. */
  readonly yourDiscr: number;
  readonly desiredMinTxUs: number;
  readonly requiredMinRxUs: number;
  /** Always 0: the Echo function is not supported (we do not loop echo packets back). */
  readonly requiredMinEchoRxUs: number;
}

export type BfdFsmAction =
  /** Send a Control packet: `periodic` from the transmit timer, `final` answering a Poll (s6.8.7). */
  | { readonly type: 'send'; readonly packet: OutgoingControlPacket; readonly reason: 'periodic' | 'final' }
  /** A received packet was ignored (the state machine's own s6.8.6 checks, or the session is AdminDown). */
  | { readonly type: 'discard'; readonly reason: string }
  /** Our Poll Sequence ended with a Final; the new intervals are in effect. */
  | { readonly type: 'pollComplete' }
  | { readonly type: 'stateChange'; readonly from: BfdStateName; readonly to: BfdStateName; readonly diag: BfdDiagCode; readonly reason: string };

export type BfdFsmActionType = BfdFsmAction['type'];
