/**
 * JSON form of a KEEPALIVE (docs/json.md): `{"type": "KEEPALIVE"}`. Owns only this mapping;
 * the wire format lives in codec/keepalive.ts.
 */
import type { KeepaliveMessage } from '../codec/keepalive.js';
import { expectObject, jsonError, onlyKeys } from './json-util.js';

export interface KeepaliveJson {
  type: 'KEEPALIVE';
}

export function keepaliveToJson(_m: KeepaliveMessage): KeepaliveJson {
  return { type: 'KEEPALIVE' };
}

/** Reads `{"type": "KEEPALIVE"}`; throws ERR_BGP_BAD_JSON naming `path` for anything else. */
export function keepaliveFromJson(j: unknown, path = ''): KeepaliveMessage {
  const o = expectObject(j, path);
  onlyKeys(o, ['type'], path);
  if (o['type'] !== 'KEEPALIVE') throw jsonError(path ? `${path}.type` : 'type', 'expected "KEEPALIVE"');
  return { type: 'KEEPALIVE' };
}
