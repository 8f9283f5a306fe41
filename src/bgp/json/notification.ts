/**
 * JSON form of a NOTIFICATION (docs/json.md):
 * `{"type": "NOTIFICATION", "code": 6, "subcode": 2, "codeName": "CEASE",
 *   "subcodeName": "ADMINISTRATIVE_SHUTDOWN", "data": "<hex>", ...derived}`
 * where the derived, informational keys appear only when the data parses as such:
 * - `shutdownCommunication`: the RFC 9003 text (Cease subcodes 2 and 4);
 * - `hardReset`: the RFC 8538 inner NOTIFICATION `{code, subcode, codeName?, subcodeName?, data,
 *   shutdownCommunication?, maxPrefixes?}` (Cease subcode 9; one level, no nested `hardReset`);
 * - `maxPrefixes`: the RFC 4486 s4 data `{afi, safi, upperBound}` (Cease subcode 1, exactly 7 octets).
 *
 * Reading JSON: `data`, when present, wins and the derived keys are ignored, so toJson ->
 * fromJson is byte-exact. Without `data`, the data is built from the one derived key given (it
 * must fit the code/subcode), or is empty. `code`/`subcode` may be replaced by
 * `codeName`/`subcodeName` when the number is absent; when both are present they must agree.
 * Owns only this mapping; the wire format lives in codec/notification.ts.
 */
import { BgpError } from '../errors.js';
import { decodeHardReset, encodeHardReset, isHardReset } from '../codec/hard-reset.js';
import type { MaxPrefixesData, NotificationMessage } from '../codec/notification.js';
import { decodeMaxPrefixesData, encodeMaxPrefixesData, isMaxPrefixes } from '../codec/notification.js';
import {
  decodeShutdownCommunication,
  encodeShutdownCommunication,
  mayCarryShutdownCommunication,
} from '../codec/shutdown-communication.js';
import { ERROR_CODE_NAMES, ERROR_SUBCODE_NAMES } from '../iana/notification-codes.js';
import type { JsonObject } from './json-util.js';
import {
  afiFromJson,
  afiToJson,
  bytesFromJson,
  bytesToJson,
  expectInt,
  expectObject,
  expectString,
  jsonError,
  namedFromJson,
  onlyKeys,
  safiFromJson,
  safiToJson,
} from './json-util.js';

export interface MaxPrefixesJson {
  afi: string | number;
  safi: string | number;
  upperBound: number;
}

/** The parts shared by a NOTIFICATION and the NOTIFICATION inside a Hard Reset. */
export interface NotificationPartsJson {
  code: number;
  subcode: number;
  codeName?: string;
  subcodeName?: string;
  data: string;
  shutdownCommunication?: string;
  maxPrefixes?: MaxPrefixesJson;
}

export interface NotificationJson extends NotificationPartsJson {
  type: 'NOTIFICATION';
  hardReset?: NotificationPartsJson;
}

const PART_KEYS = ['code', 'subcode', 'codeName', 'subcodeName', 'data', 'shutdownCommunication', 'maxPrefixes'] as const;
const TOP_KEYS = ['type', ...PART_KEYS, 'hardReset'] as const;

export function notificationToJson(m: NotificationMessage): NotificationJson {
  const j: NotificationJson = { type: 'NOTIFICATION', ...partsToJson(m.code, m.subcode, m.data) };
  if (isHardReset(m.code, m.subcode)) {
    const inner = decodeHardReset(m.data);
    if (!('error' in inner)) j.hardReset = partsToJson(inner.code, inner.subcode, inner.data);
  }
  return j;
}

function partsToJson(code: number, subcode: number, data: Uint8Array): NotificationPartsJson {
  const codeName = ERROR_CODE_NAMES[code];
  const subcodeName = ERROR_SUBCODE_NAMES[code]?.[subcode];
  const j: NotificationPartsJson = {
    code,
    subcode,
    ...(codeName === undefined ? {} : { codeName }),
    ...(subcodeName === undefined ? {} : { subcodeName }),
    data: bytesToJson(data),
  };
  if (mayCarryShutdownCommunication(code, subcode)) {
    const sc = decodeShutdownCommunication(data);
    if (!('error' in sc)) j.shutdownCommunication = sc.message;
  }
  if (isMaxPrefixes(code, subcode)) {
    const mp = decodeMaxPrefixesData(data);
    if (mp) j.maxPrefixes = { afi: afiToJson(mp.afi), safi: safiToJson(mp.safi), upperBound: mp.upperBound };
  }
  return j;
}

/** Reads the JSON form (see the module comment for the rules). Throws ERR_BGP_BAD_JSON naming the path. */
export function notificationFromJson(j: unknown, path = ''): NotificationMessage {
  const o = expectObject(j, path);
  onlyKeys(o, TOP_KEYS, path);
  if (o['type'] !== 'NOTIFICATION') throw jsonError(at(path, 'type'), 'expected "NOTIFICATION"');
  const { code, subcode, data } = partsFromJson(o, path, true);
  return { type: 'NOTIFICATION', code, subcode, data };
}

function at(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function partsFromJson(o: JsonObject, path: string, top: boolean): { code: number; subcode: number; data: Uint8Array } {
  const code = numberOrName(o, path, 'code', 'codeName', ERROR_CODE_NAMES, 'error code');
  const subcode = numberOrName(o, path, 'subcode', 'subcodeName', ERROR_SUBCODE_NAMES[code] ?? {}, 'error subcode');
  if (o['data'] !== undefined) return { code, subcode, data: bytesFromJson(o['data'], at(path, 'data')) };
  const derived = (['shutdownCommunication', 'maxPrefixes', ...(top ? ['hardReset'] : [])] as const).filter((k) => o[k] !== undefined);
  if (derived.length > 1) throw jsonError(path, `without "data", give only one of ${derived.join(', ')}`);
  const key = derived[0];
  if (key === undefined) return { code, subcode, data: new Uint8Array(0) };
  const p = at(path, key);
  const v = o[key];
  if (key === 'shutdownCommunication') {
    if (!mayCarryShutdownCommunication(code, subcode)) throw jsonError(p, 'only Cease subcodes 2 and 4 carry a Shutdown Communication');
    return { code, subcode, data: wrap(p, () => encodeShutdownCommunication(expectString(v, p))) };
  }
  if (key === 'maxPrefixes') {
    if (!isMaxPrefixes(code, subcode)) throw jsonError(p, 'only Cease subcode 1 carries maximum prefixes data');
    return { code, subcode, data: encodeMaxPrefixesData(maxPrefixesFromJson(v, p)) };
  }
  if (!isHardReset(code, subcode)) throw jsonError(p, 'only Cease subcode 9 (Hard Reset) carries an inner NOTIFICATION');
  const io = expectObject(v, p);
  onlyKeys(io, PART_KEYS, p);
  return { code, subcode, data: wrap(p, () => encodeHardReset(partsFromJson(io, p, false))) };
}

/** The number under `numKey`, or the number named by `nameKey`; both present must agree. */
function numberOrName(
  o: JsonObject,
  path: string,
  numKey: string,
  nameKey: string,
  names: Readonly<Record<number, string>>,
  what: string,
): number {
  const n = o[numKey] === undefined ? undefined : expectInt(o[numKey], at(path, numKey), 0, 255);
  const name = o[nameKey] === undefined ? undefined : expectString(o[nameKey], at(path, nameKey));
  if (n === undefined) {
    if (name === undefined) throw jsonError(at(path, numKey), `is missing (give ${numKey} or ${nameKey})`);
    return namedFromJson(name, at(path, nameKey), names, 255, what);
  }
  if (name !== undefined && names[n] !== name) {
    throw jsonError(at(path, nameKey), `${JSON.stringify(name)} does not name ${what} ${n} (${names[n] ?? 'unnamed'})`);
  }
  return n;
}

function maxPrefixesFromJson(j: unknown, path: string): MaxPrefixesData {
  const o = expectObject(j, path);
  onlyKeys(o, ['afi', 'safi', 'upperBound'], path);
  return {
    afi: afiFromJson(o['afi'], at(path, 'afi')),
    safi: safiFromJson(o['safi'], at(path, 'safi')),
    upperBound: expectInt(o['upperBound'], at(path, 'upperBound'), 0, 0xffffffff),
  };
}

/** Turns an encoder's BgpError into ERR_BGP_BAD_JSON at `path`, keeping it as the cause. */
function wrap(path: string, f: () => Uint8Array): Uint8Array {
  try {
    return f();
  } catch (e) {
    if (e instanceof BgpError && e.code !== 'ERR_BGP_BAD_JSON') {
      throw new BgpError('ERR_BGP_BAD_JSON', `${path}: ${e.message} (${e.code})`, { cause: e });
    }
    throw e;
  }
}
