/** IANA registries used on the wire, as `as const` objects with derived name types. */
export * from './message-type.js';
export * from './notification-codes.js';
export * from './capability-code.js';
export * from './attribute-type.js';
export * from './afi-safi.js';
export * from './community.js';
export * from './extended-community.js';
export * from './asn.js';
