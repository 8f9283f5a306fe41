/**
 * JSON form of a ROUTE-REFRESH (docs/json.md):
 * `{"type": "ROUTE-REFRESH", "afi": "ipv4", "safi": "unicast", "subtype": "NORMAL" | "BoRR" | "EoRR" | number}`.
 * AFI/SAFI are names when known, else numbers. Owns only this mapping; the wire format lives in
 * codec/route-refresh.ts.
 */
import type { RouteRefreshMessage } from '../codec/route-refresh.js';
import { RouteRefreshSubtype } from '../codec/route-refresh.js';
import { afiFromJson, afiToJson, expectObject, jsonError, namedFromJson, onlyKeys, safiFromJson, safiToJson } from './json-util.js';

/** JSON names of the RFC 7313 subtypes, in the RFC's spelling. */
export const ROUTE_REFRESH_SUBTYPE_NAMES: Readonly<Record<number, string>> = {
  [RouteRefreshSubtype.NORMAL]: 'NORMAL',
  [RouteRefreshSubtype.BORR]: 'BoRR',
  [RouteRefreshSubtype.EORR]: 'EoRR',
};

export interface RouteRefreshJson {
  type: 'ROUTE-REFRESH';
  afi: string | number;
  safi: string | number;
  subtype: string | number;
}

export function routeRefreshToJson(m: RouteRefreshMessage): RouteRefreshJson {
  return {
    type: 'ROUTE-REFRESH',
    afi: afiToJson(m.afi),
    safi: safiToJson(m.safi),
    subtype: ROUTE_REFRESH_SUBTYPE_NAMES[m.subtype] ?? m.subtype,
  };
}

/** Reads the JSON form; `subtype` may be left out (a normal request). Throws ERR_BGP_BAD_JSON naming the path. */
export function routeRefreshFromJson(j: unknown, path = ''): RouteRefreshMessage {
  const o = expectObject(j, path);
  const at = (k: string): string => (path ? `${path}.${k}` : k);
  onlyKeys(o, ['type', 'afi', 'safi', 'subtype'], path);
  if (o['type'] !== 'ROUTE-REFRESH') throw jsonError(at('type'), 'expected "ROUTE-REFRESH"');
  if (!('afi' in o)) throw jsonError(at('afi'), 'is missing');
  if (!('safi' in o)) throw jsonError(at('safi'), 'is missing');
  return {
    type: 'ROUTE-REFRESH',
    afi: afiFromJson(o['afi'], at('afi')),
    safi: safiFromJson(o['safi'], at('safi')),
    subtype:
      o['subtype'] === undefined
        ? RouteRefreshSubtype.NORMAL
        : namedFromJson(o['subtype'], at('subtype'), ROUTE_REFRESH_SUBTYPE_NAMES, 0xff, 'ROUTE-REFRESH subtype'),
  };
}
