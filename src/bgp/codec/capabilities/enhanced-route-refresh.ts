/** ENHANCED_ROUTE_REFRESH capability (code 70, RFC 7313 s3.1): empty value. Owns only the value layout. */
import { CapabilityCode } from '../../iana/capability-code.js';
import { emptyCapabilityCodec } from './capability-codec.js';

export interface EnhancedRouteRefreshCapability {
  readonly type: 'ENHANCED_ROUTE_REFRESH';
}

export const enhancedRouteRefreshCodec = emptyCapabilityCodec(CapabilityCode.ENHANCED_ROUTE_REFRESH, 'ENHANCED_ROUTE_REFRESH', 'RFC 7313 s3.1');
