/**
 * FQDN capability (code 73, draft-walton-bgp-hostname-capability s3): Hostname Length (1),
 * Hostname, Domain Name Length (1), Domain Name. Names are UTF-8 text in memory; bytes that are
 * not valid UTF-8 are also kept raw (`hostnameBytes` / `domainNameBytes`) so the value re-encodes
 * identically. Owns only the value layout.
 */
import { CapabilityCode } from '../../iana/capability-code.js';
import { bytesFromJson, bytesToJson, expectString, onlyKeys, jsonError, type JsonObject } from '../../json/json-util.js';
import { BgpError } from '../../errors.js';
import { badLength, copyBytes, type CapabilityCodec } from './capability-codec.js';

export interface FqdnCapability {
  readonly type: 'FQDN';
  /** The hostname as text (with U+FFFD replacements when the bytes are not valid UTF-8). */
  readonly hostname: string;
  /** The raw hostname octets; present only when they are not valid UTF-8 (then they are what is encoded). */
  readonly hostnameBytes?: Uint8Array | undefined;
  readonly domainName: string;
  readonly domainNameBytes?: Uint8Array | undefined;
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const encoder = new TextEncoder();

/** Text and, when the octets are not valid UTF-8, the octets themselves. */
function textOf(b: Uint8Array): { text: string; raw?: Uint8Array } {
  try {
    return { text: strict.decode(b) };
  } catch {
    return { text: lossy.decode(b), raw: copyBytes(b) };
  }
}

function nameBytes(text: string, raw: Uint8Array | undefined, what: string): Uint8Array {
  const b = raw ?? encoder.encode(text);
  if (b.length > 255) throw new BgpError('ERR_BGP_CAPABILITY_TOO_LONG', `FQDN ${what} is ${b.length} octets, more than 255`);
  return b;
}

export const fqdnCodec: CapabilityCodec<FqdnCapability> = {
  code: CapabilityCode.FQDN,
  type: 'FQDN',
  rfc: 'draft-walton-bgp-hostname-capability s3',
  decode(b, start, end) {
    const len = end - start;
    if (len < 2) return badLength(len, 'at least 2');
    const hLen = b[start]!;
    const dAt = start + 1 + hLen;
    if (dAt >= end) return badLength(len, `enough for hostname length ${hLen} and a domain name length`);
    const dLen = b[dAt]!;
    if (dAt + 1 + dLen !== end) return badLength(len, `2 + hostname length ${hLen} + domain name length ${dLen}`);
    const h = textOf(b.subarray(start + 1, dAt));
    const d = textOf(b.subarray(dAt + 1, end));
    return {
      type: 'FQDN',
      hostname: h.text,
      ...(h.raw ? { hostnameBytes: h.raw } : {}),
      domainName: d.text,
      ...(d.raw ? { domainNameBytes: d.raw } : {}),
    };
  },
  encodeValue(c, w) {
    const h = nameBytes(c.hostname, c.hostnameBytes, 'hostname');
    const d = nameBytes(c.domainName, c.domainNameBytes, 'domain name');
    w.u8(h.length);
    w.bytes(h);
    w.u8(d.length);
    w.bytes(d);
  },
  toJson(c) {
    return {
      hostname: c.hostname,
      ...(c.hostnameBytes ? { hostnameHex: bytesToJson(c.hostnameBytes) } : {}),
      domainName: c.domainName,
      ...(c.domainNameBytes ? { domainNameHex: bytesToJson(c.domainNameBytes) } : {}),
    };
  },
  fromJson(j, path) {
    onlyKeys(j, ['type', 'hostname', 'hostnameHex', 'domainName', 'domainNameHex'], path);
    const h = nameFromJson(j, 'hostname', path);
    const d = nameFromJson(j, 'domainName', path);
    return {
      type: 'FQDN',
      hostname: h.text,
      ...(h.raw ? { hostnameBytes: h.raw } : {}),
      domainName: d.text,
      ...(d.raw ? { domainNameBytes: d.raw } : {}),
    };
  },
};

/** `<key>Hex` (raw octets) wins over `<key>` (text); one of them is required. */
function nameFromJson(j: JsonObject, key: string, path: string): { text: string; raw?: Uint8Array } {
  const hexKey = `${key}Hex`;
  if (hexKey in j) return textOf(bytesFromJson(j[hexKey], `${path}.${hexKey}`));
  if (key in j) return { text: expectString(j[key], `${path}.${key}`) };
  throw jsonError(`${path}.${key}`, `is missing (give ${key} as text or ${hexKey} as hex)`);
}
