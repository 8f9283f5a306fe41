/** BGP capabilities (RFC 5492): the union, the codec table and one module per capability. */
export * from './capability.js';
export * from './capability-codec.js';
export * from './multiprotocol.js';
export * from './route-refresh.js';
export * from './enhanced-route-refresh.js';
export * from './extended-message.js';
export * from './extended-next-hop.js';
export * from './four-octet-as.js';
export * from './graceful-restart.js';
export * from './long-lived-graceful-restart.js';
export * from './add-path.js';
export * from './fqdn.js';
export * from './bgp-role.js';
export * from './unknown.js';
