/**
 * Small checked readers for the JSON form of messages (docs/json.md). Every failure is a
 * BgpError `ERR_BGP_BAD_JSON` that names the JSON path, e.g. `attributes[2].communities[0]`.
 */
import { BgpError } from '../errors.js';
import { AFI_NAMES, SAFI_NAMES } from '../iana/afi-safi.js';
import { fromHex, toHex } from '../codec/bytes.js';
import { formatIpv4, parseIpv4 } from '../prefix/address.js';

export type JsonObject = Record<string, unknown>;

/** The JSON fields of one capability or attribute, without its `type` (the caller adds it). */
export type JsonFields = JsonObject;

export function jsonError(path: string, message: string): BgpError {
  return new BgpError('ERR_BGP_BAD_JSON', `${path || '(top)'}: ${message}`);
}

export function expectObject(j: unknown, path: string): JsonObject {
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw jsonError(path, 'expected an object');
  return j as JsonObject;
}

export function expectArray(j: unknown, path: string): unknown[] {
  if (!Array.isArray(j)) throw jsonError(path, 'expected an array');
  return j;
}

export function expectString(j: unknown, path: string): string {
  if (typeof j !== 'string') throw jsonError(path, 'expected a string');
  return j;
}

export function expectBoolean(j: unknown, path: string): boolean {
  if (typeof j !== 'boolean') throw jsonError(path, 'expected true or false');
  return j;
}

/** An integer in [min, max]. */
export function expectInt(j: unknown, path: string, min: number, max: number): number {
  if (typeof j !== 'number' || !Number.isInteger(j) || j < min || j > max) {
    throw jsonError(path, `expected an integer from ${min} to ${max}`);
  }
  return j;
}

export function field(o: JsonObject, key: string, path: string): unknown {
  if (!(key in o)) throw jsonError(path ? `${path}.${key}` : key, 'is missing');
  return o[key];
}

/** Bytes are hex strings in JSON ("" for none). */
export function bytesToJson(b: Uint8Array): string {
  return toHex(b);
}

export function bytesFromJson(j: unknown, path: string): Uint8Array {
  const s = expectString(j, path);
  try {
    return fromHex(s);
  } catch (e) {
    throw jsonError(path, e instanceof Error ? e.message : String(e));
  }
}

/** AFI as its JSON name ("ipv4", "ipv6", "l2vpn") or a number when unnamed. */
export function afiToJson(afi: number): string | number {
  return AFI_NAMES[afi] ?? afi;
}

export function afiFromJson(j: unknown, path: string): number {
  return namedFromJson(j, path, AFI_NAMES, 0xffff, 'AFI');
}

/** SAFI as its JSON name ("unicast", ...) or a number when unnamed. */
export function safiToJson(safi: number): string | number {
  return SAFI_NAMES[safi] ?? safi;
}

export function safiFromJson(j: unknown, path: string): number {
  return namedFromJson(j, path, SAFI_NAMES, 0xff, 'SAFI');
}

/** A name from `names` or an integer in [0, max]. */
export function namedFromJson(j: unknown, path: string, names: Readonly<Record<number, string>>, max: number, what: string): number {
  if (typeof j === 'number') return expectInt(j, path, 0, max);
  if (typeof j === 'string') {
    for (const [k, v] of Object.entries(names)) if (v === j) return Number(k);
    throw jsonError(path, `unknown ${what} name ${JSON.stringify(j)} (known: ${Object.values(names).join(', ')}; or a number)`);
  }
  throw jsonError(path, `expected a ${what} name or number`);
}

/** Rejects keys other than `allowed` so typos in JSON are reported, not ignored. */
export function onlyKeys(o: JsonObject, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw jsonError(path ? `${path}.${k}` : k, `unknown field (allowed: ${allowed.join(', ')})`);
  }
}

/**
 * For path attribute JSON readers (src/bgp/codec/attributes): checks `j` is an object whose
 * keys are `allowed`, `type` (which must then equal `type`) or `flags` (read by the UPDATE codec).
 */
export function attributeObject(j: unknown, type: string, allowed: readonly string[], path: string): JsonObject {
  const o = expectObject(j, path);
  if ('type' in o && o['type'] !== type) throw jsonError(path ? `${path}.type` : 'type', `expected ${JSON.stringify(type)}`);
  onlyKeys(o, ['type', 'flags', ...allowed], path);
  return o;
}

/** `path.key`, or `key` at the top level. */
export function jsonPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** Dotted-quad IPv4 text, returned in canonical form. */
export function ipv4FromJson(j: unknown, path: string): string {
  const s = expectString(j, path);
  try {
    return formatIpv4(parseIpv4(s));
  } catch (e) {
    throw jsonError(path, e instanceof Error ? e.message : String(e));
  }
}
