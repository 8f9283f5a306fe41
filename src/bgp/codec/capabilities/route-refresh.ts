/**
 * ROUTE_REFRESH capability (code 2, RFC 2918 s3) and its pre-standard twin ROUTE_REFRESH_CISCO
 * (code 128) still sent by some stacks: both have an empty value. Owns only the value layout.
 */
import { CapabilityCode } from '../../iana/capability-code.js';
import { emptyCapabilityCodec } from './capability-codec.js';

export interface RouteRefreshCapability {
  readonly type: 'ROUTE_REFRESH';
}

export interface RouteRefreshCiscoCapability {
  readonly type: 'ROUTE_REFRESH_CISCO';
}

export const routeRefreshCodec = emptyCapabilityCodec(CapabilityCode.ROUTE_REFRESH, 'ROUTE_REFRESH', 'RFC 2918 s3');

export const routeRefreshCiscoCodec = emptyCapabilityCodec(CapabilityCode.ROUTE_REFRESH_CISCO, 'ROUTE_REFRESH_CISCO', 'RFC 2918 s3 (pre-standard code 128)');
