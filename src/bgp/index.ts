/**
 * `tsbgp/bgp`: the BGP wire codec (sans-I/O). Framer, message decode/encode, every message type,
 * capabilities, path attributes with RFC 7606 diagnostics, compact prefix lists, the JSON form,
 * the IANA registries and the typed error; and the session layer: the RFC 4271 FSM, BgpSession,
 * BgpSpeaker and the TCP transport.
 */
export * from './errors.js';
export * from './iana/index.js';
export * from './prefix/index.js';
export * from './codec/context.js';
export * from './codec/bytes.js';
export * from './codec/header.js';
export * from './codec/framer.js';
export * from './codec/message.js';
export * from './codec/open.js';
export * from './codec/capabilities/index.js';
export * from './codec/update.js';
export * from './codec/update-diagnostic.js';
export * from './codec/nlri.js';
export * from './codec/path-attributes.js';
export * from './codec/attributes/index.js';
export * from './codec/notification.js';
export * from './codec/shutdown-communication.js';
export * from './codec/hard-reset.js';
export * from './codec/keepalive.js';
export * from './codec/route-refresh.js';
export * from './json/json-util.js';
export * from './json/message.js';
export * from './json/open.js';
export * from './json/update.js';
export * from './json/notification.js';
export * from './json/keepalive.js';
export * from './json/route-refresh.js';
export * from './session/index.js';
export * from './transport/connection.js';
export { createTcpTransport, TcpTransport, type TcpTransportOptions, BGP_PORT, DEFAULT_HIGH_WATER_MARK } from './transport/tcp-transport.js';
export type { RejectedConnection } from './transport/tcp-listener.js';
export { SocketOptionError, nativeSocketOptionsUnavailableReason } from './transport/socket-options.js';
export { SpeakerLocRib, type SpeakerLocRibOption } from './session/speaker-loc-rib.js';
