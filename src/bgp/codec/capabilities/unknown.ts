/**
 * Capabilities this library does not model (and any code not in the table): the code and the
 * raw value, re-encoded identically (RFC 5492 s3: unknown capabilities are ignored, not refused).
 */
import { expectInt, field, onlyKeys, bytesFromJson, bytesToJson, type JsonObject } from '../../json/json-util.js';
import type { ByteWriter } from '../bytes.js';
import { copyBytes } from './capability-codec.js';

export interface UnknownCapability {
  readonly type: 'UNKNOWN';
  /** Capability Code as received. */
  readonly code: number;
  /** The Capability Value, verbatim. */
  readonly data: Uint8Array;
}

export function decodeUnknownCapability(code: number, b: Uint8Array, start: number, end: number): UnknownCapability {
  return { type: 'UNKNOWN', code, data: copyBytes(b, start, end) };
}

export function encodeUnknownCapabilityValue(c: UnknownCapability, w: ByteWriter): void {
  w.bytes(c.data);
}

export function unknownCapabilityToJson(c: UnknownCapability): JsonObject {
  return { code: c.code, data: bytesToJson(c.data) };
}

export function unknownCapabilityFromJson(j: JsonObject, path: string): UnknownCapability {
  onlyKeys(j, ['type', 'code', 'data'], path);
  return {
    type: 'UNKNOWN',
    code: expectInt(field(j, 'code', path), `${path}.code`, 0, 0xff),
    data: bytesFromJson(field(j, 'data', path), `${path}.data`),
  };
}
