/**
 * `tsbgp/bfd`: BFD (RFC 5880, 5881, 5883): the control packet codec with the s6.8.6 reception
 * checks as named drop reasons, authentication (simple password, keyed and meticulous keyed MD5 /
 * SHA1, sequence windows), the session state machine as a pure step function, MetalLB
 * BFDProfile configuration, BfdEndpoint / BfdSession over a transport (UDP by default) and the
 * coupling of BGP sessions to BFD (RFC 5882).
 */
export { BfdError, isBfdError, BFD_DROP_REASONS, type BfdDropReason, type BfdErrorOptions } from './errors.js';
export {
  BfdStateCode,
  BfdAuthType,
  BFD_SINGLE_HOP_CONTROL_PORT,
  BFD_MULTIHOP_CONTROL_PORT,
  type BfdStateCodeName,
  type BfdStateValue,
  type BfdAuthTypeName,
  type BfdAuthTypeValue,
} from './iana.js';
export {
  checkBfdControl,
  decodeBfdControl,
  encodeBfdControl,
  BFD_MANDATORY_LENGTH,
  BFD_DIGEST_OFFSET,
  BFD_PASSWORD_MIN,
  BFD_PASSWORD_MAX,
  BFD_MD5_DIGEST_LENGTH,
  BFD_SHA1_DIGEST_LENGTH,
  type BfdControlPacket,
  type BfdAuth,
  type BfdSimplePasswordAuth,
  type BfdKeyedMd5Auth,
  type BfdKeyedSha1Auth,
  type BfdDigestAuth,
  type BfdCheckResult,
} from './packet.js';
export {
  signBfdControl,
  verifyBfdAuth,
  checkAuthSequence,
  isMeticulous,
  INITIAL_AUTH_SEQ_STATE,
  type BfdAuthSeqState,
  type BfdAuthSeqResult,
  type BfdAuthVerifyResult,
  type BfdAuthFailure,
} from './auth.js';
export { BfdState, BFD_STATES, BFD_STATE_CODE, bfdStateFromCode, type BfdStateName } from './bfd-state.js';
export { BfdDiag, bfdDiagName, type BfdDiagName, type BfdDiagCode } from './diagnostic.js';
export type { BfdFsmEvent, BfdFsmEventType, ReceivedControlPacket } from './fsm-event.js';
export type { BfdFsmAction, BfdFsmActionType, OutgoingControlPacket } from './fsm-action.js';
export { BFD_PROFILE_DEFAULTS, resolveBfdProfile, type BfdProfile, type ResolvedBfdProfile } from './bfd-config.js';
export {
  step as bfdStep,
  initialBfdState,
  bfdParamsFromProfile,
  advertisedDesiredMinTxUs,
  transmitIntervalUs,
  detectionTimeUs,
  controlPacket,
  SLOW_TX_INTERVAL_US,
  BFD_TIMER_EVENTS,
  type BfdFsmState,
  type BfdFsmEnv,
  type BfdStepResult,
  type BfdSessionParams,
  type BfdTimerName,
  type BfdTimers,
} from './fsm.js';
export {
  BfdEndpoint,
  BFD_SINGLE_HOP_TTL,
  type BfdEndpointOptions,
  type BfdEndpointEvents,
  type BfdEndpointSnapshot,
  type BfdEndpointDropReason,
  type BfdSessionOptions,
} from './bfd-endpoint.js';
export {
  BfdSession,
  type BfdSessionKey,
  type BfdSessionEvents,
  type BfdSessionSnapshot,
  type BfdSessionCounters,
  type BfdStateChangeEvent,
  type BfdDownEvent,
  type BfdSessionDropReason,
} from './bfd-session.js';
export { BFD_AUTH_TYPE_NAMES, checkBfdAuthConfig, type BfdAuthConfig, type BfdAuthTypeLabel, type BfdAuthDropReason } from './session-auth.js';
export type {
  BfdTransport,
  BfdListener,
  BfdListenOptions,
  BfdSender,
  BfdSenderOptions,
  BfdPacketMeta,
  BfdPacketHandler,
  BfdTransportError,
} from './bfd-transport.js';
export {
  createUdpBfdTransport,
  BfdSocketError,
  BFD_SOURCE_PORT_MIN,
  BFD_SOURCE_PORT_MAX,
  type UdpBfdTransport,
  type UdpBfdTransportOptions,
} from './udp-transport.js';
export {
  coupleBgpToBfd,
  BgpBfdCoupling,
  BFD_DOWN_NOTIFICATION,
  BGP_BFD_COUPLING_DEFAULTS,
  type CouplableBgpSession,
  type CouplableBfdSession,
  type BgpBfdCouplingOptions,
  type BgpBfdCouplingEvents,
  type BgpBfdCouplingSnapshot,
  type BgpBfdTeardownEvent,
} from './bgp-coupling.js';
