/**
 * The outputs of the BFD state machine step: packets the session must send and what it must
 * report. Actions are executed and reported in order, after the new state is committed.
 */
import type { BfdStateName } from './bfd-state.js';
import type { BfdDiagCode } from './diagnostic.js';
import type { ReceivedControlPacket } from './fsm-event.js';

/**
 * The fields of a BFD Control packet to send (RFC 5880 s4.1): those a received one carries, plus
 * Required Min Echo RX; intervals in microseconds. `demand` is always false (this implementation
 * never asks for Demand mode); `yourDiscr` is 0 while the peer's discriminator is unknown.
 */
export interface OutgoingControlPacket extends ReceivedControlPacket {
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
