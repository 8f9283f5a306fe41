/**
 * JSON form of the OPEN message (docs/json.md):
 *   {"type": "OPEN", "version": 4, "myAutonomousSystem": 65001, "holdTimeSec": 180,
 *    "bgpIdentifier": "192.0.2.1", "optionalParameters": [
 *      {"type": "CAPABILITIES", "capabilities": [{"type": "MULTIPROTOCOL", "afi": "ipv4", "safi": "unicast"}]},
 *      {"type": "UNKNOWN", "code": 1, "data": "00"}]}
 * plus "extendedOptionalParameters": true (RFC 9072 encoding) and "nonExtOpLen" only when they
 * differ from the defaults. Capabilities are delegated to the capability codecs. Owns no wire logic.
 */
import { BgpError } from '../errors.js';
import { capabilityFromJson, capabilityToJson } from '../codec/capabilities/capability.js';
import type { OpenMessage, OptionalParameter } from '../codec/open.js';
import { parseIpv4 } from '../prefix/address.js';
import {
  bytesFromJson,
  bytesToJson,
  expectArray,
  expectBoolean,
  expectInt,
  expectObject,
  expectString,
  field,
  jsonError,
  onlyKeys,
  type JsonObject,
} from './json-util.js';

export function openToJson(m: OpenMessage): JsonObject {
  return {
    type: 'OPEN',
    version: m.version,
    myAutonomousSystem: m.myAutonomousSystem,
    holdTimeSec: m.holdTimeSec,
    bgpIdentifier: m.bgpIdentifier,
    ...(m.extendedOptionalParameters ? { extendedOptionalParameters: true } : {}),
    ...(m.extendedOptionalParameters && m.nonExtOpLen !== undefined && m.nonExtOpLen !== 255 ? { nonExtOpLen: m.nonExtOpLen } : {}),
    optionalParameters: m.optionalParameters.map(parameterToJson),
  };
}

function parameterToJson(p: OptionalParameter): JsonObject {
  if (p.type === 'UNKNOWN') return { type: 'UNKNOWN', code: p.code, data: bytesToJson(p.data) };
  return { type: 'CAPABILITIES', capabilities: p.capabilities.map(capabilityToJson) };
}

const OPEN_KEYS = [
  'type',
  'version',
  'myAutonomousSystem',
  'holdTimeSec',
  'bgpIdentifier',
  'extendedOptionalParameters',
  'nonExtOpLen',
  'optionalParameters',
] as const;

/** Reads the JSON form; "version" defaults to 4 and "optionalParameters" to none. Throws ERR_BGP_BAD_JSON naming the path. */
export function openFromJson(j: unknown, path = ''): OpenMessage {
  const o = expectObject(j, path);
  onlyKeys(o, OPEN_KEYS, path);
  const at = (k: string): string => (path ? `${path}.${k}` : k);
  if (expectString(field(o, 'type', path), at('type')) !== 'OPEN') throw jsonError(at('type'), 'expected "OPEN"');
  const idText = expectString(field(o, 'bgpIdentifier', path), at('bgpIdentifier'));
  try {
    parseIpv4(idText);
  } catch (e) {
    throw jsonError(at('bgpIdentifier'), e instanceof BgpError ? e.message : String(e));
  }
  const extended = 'extendedOptionalParameters' in o ? expectBoolean(o['extendedOptionalParameters'], at('extendedOptionalParameters')) : false;
  const nonExtOpLen = 'nonExtOpLen' in o ? expectInt(o['nonExtOpLen'], at('nonExtOpLen'), 1, 255) : undefined;
  if (nonExtOpLen !== undefined && !extended) throw jsonError(at('nonExtOpLen'), 'only meaningful with "extendedOptionalParameters": true');
  const params = 'optionalParameters' in o ? expectArray(o['optionalParameters'], at('optionalParameters')) : [];
  const m: OpenMessage = {
    type: 'OPEN',
    version: 'version' in o ? expectInt(o['version'], at('version'), 0, 0xff) : 4,
    myAutonomousSystem: expectInt(field(o, 'myAutonomousSystem', path), at('myAutonomousSystem'), 0, 0xffff),
    holdTimeSec: expectInt(field(o, 'holdTimeSec', path), at('holdTimeSec'), 0, 0xffff),
    bgpIdentifier: idText,
    optionalParameters: params.map((p, i) => parameterFromJson(p, `${at('optionalParameters')}[${i}]`)),
  };
  if (!extended) return m;
  return nonExtOpLen === undefined || nonExtOpLen === 255
    ? { ...m, extendedOptionalParameters: true }
    : { ...m, extendedOptionalParameters: true, nonExtOpLen };
}

function parameterFromJson(j: unknown, path: string): OptionalParameter {
  const o = expectObject(j, path);
  const type = expectString(field(o, 'type', path), `${path}.type`);
  if (type === 'CAPABILITIES') {
    onlyKeys(o, ['type', 'capabilities'], path);
    const caps = expectArray(field(o, 'capabilities', path), `${path}.capabilities`);
    return { type: 'CAPABILITIES', capabilities: caps.map((c, i) => capabilityFromJson(c, `${path}.capabilities[${i}]`)) };
  }
  if (type === 'UNKNOWN') {
    onlyKeys(o, ['type', 'code', 'data'], path);
    return {
      type: 'UNKNOWN',
      code: expectInt(field(o, 'code', path), `${path}.code`, 0, 0xff),
      data: bytesFromJson(field(o, 'data', path), `${path}.data`),
    };
  }
  throw jsonError(`${path}.type`, `unknown optional parameter type ${JSON.stringify(type)} (known: CAPABILITIES, UNKNOWN)`);
}
