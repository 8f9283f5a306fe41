/**
 * The inputs of the BFD session state machine: a received Control packet (already decoded and
 * past the codec's RFC 5880 s6.8.6 checks), the two timers, administrative control and local
 * parameter changes. Timer expiries are ordinary inputs.
 */
import type { BfdStateName } from './bfd-state.js';
import type { BfdDiagCode } from './diagnostic.js';

/**
 * The fields of a received BFD Control packet the state machine reads (RFC 5880 s4.1). The
 * session maps the decoded packet onto this; intervals are in microseconds as on the wire.
 */
export interface ReceivedControlPacket {
  readonly state: BfdStateName;
  readonly diag: BfdDiagCode;
  /** Poll (P) bit. */
  readonly poll: boolean;
  /** Final (F) bit. */
  readonly final: boolean;
  /** Demand (D) bit. */
  readonly demand: boolean;
  readonly detectMult: number;
  readonly myDiscr: number;
  readonly yourDiscr: number;
  readonly desiredMinTxUs: number;
  readonly requiredMinRxUs: number;
}

export type BfdFsmEvent =
  /** A Control packet for this session arrived. */
  | { readonly type: 'controlPacket'; readonly packet: ReceivedControlPacket }
  /** The periodic transmission deadline (`timers.transmit`) is due. */
  | { readonly type: 'transmitTimerExpires' }
  /** The Detection Time (`timers.detection`) passed without a packet (RFC 5880 s6.8.4). */
  | { readonly type: 'detectionTimerExpires' }
  /** Local administrative disable (RFC 5880 s6.8.16): AdminDown with diag 7. */
  | { readonly type: 'adminDown' }
  /** Local administrative enable: AdminDown -> Down. */
  | { readonly type: 'adminUp' }
  /**
   * New local parameters (RFC 5880 s6.8.3). A change of desired min TX or required min RX while
   * Up starts a Poll Sequence; omitted fields keep their value.
   */
  | {
      readonly type: 'setParameters';
      readonly desiredMinTxUs?: number | undefined;
      readonly requiredMinRxUs?: number | undefined;
      readonly detectMult?: number | undefined;
    };

export type BfdFsmEventType = BfdFsmEvent['type'];
