/**
 * The `Capability` union, the codec table indexed by Capability Code, and the shared decode /
 * encode of a Capabilities Optional Parameter's value: a list of (Code 1, Length 1, Value) TLVs
 * (RFC 5492 s4). Owns the TLV framing and its errors; each capability's value belongs to its own
 * module. Must not know about the OPEN message around the parameter (open.ts).
 */
import { BgpError, notification } from '../../errors.js';
import { ErrorCode, OpenMessageErrorSubcode } from '../../iana/notification-codes.js';
import { expectObject, expectString, field, jsonError, type JsonObject } from '../../json/json-util.js';
import type { ByteWriter } from '../bytes.js';
import { addPathCodec, type AddPathCapability } from './add-path.js';
import { bgpRoleCodec, type BgpRoleCapability } from './bgp-role.js';
import { CapabilityMalformed, checkUint, type CapabilityCodec } from './capability-codec.js';
import { enhancedRouteRefreshCodec, type EnhancedRouteRefreshCapability } from './enhanced-route-refresh.js';
import { extendedMessageCodec, type ExtendedMessageCapability } from './extended-message.js';
import { extendedNextHopCodec, type ExtendedNextHopCapability } from './extended-next-hop.js';
import { fourOctetAsCodec, type FourOctetAsCapability } from './four-octet-as.js';
import { fqdnCodec, type FqdnCapability } from './fqdn.js';
import { gracefulRestartCodec, type GracefulRestartCapability } from './graceful-restart.js';
import { longLivedGracefulRestartCodec, type LongLivedGracefulRestartCapability } from './long-lived-graceful-restart.js';
import { multiprotocolCodec, type MultiprotocolCapability } from './multiprotocol.js';
import { routeRefreshCiscoCodec, routeRefreshCodec, type RouteRefreshCapability, type RouteRefreshCiscoCapability } from './route-refresh.js';
import {
  decodeUnknownCapability,
  encodeUnknownCapabilityValue,
  unknownCapabilityFromJson,
  unknownCapabilityToJson,
  type UnknownCapability,
} from './unknown.js';

export type Capability =
  | MultiprotocolCapability
  | RouteRefreshCapability
  | RouteRefreshCiscoCapability
  | EnhancedRouteRefreshCapability
  | ExtendedMessageCapability
  | ExtendedNextHopCapability
  | FourOctetAsCapability
  | GracefulRestartCapability
  | LongLivedGracefulRestartCapability
  | AddPathCapability
  | FqdnCapability
  | BgpRoleCapability
  | UnknownCapability;

/** Every `type` except UNKNOWN. */
export type KnownCapability = Exclude<Capability, UnknownCapability>;
export type CapabilityType = Capability['type'];

// Each codec is typed for its own capability; the table erases that to the union.
export type AnyCapabilityCodec = CapabilityCodec<KnownCapability>;
const CODECS: readonly AnyCapabilityCodec[] = [
  multiprotocolCodec,
  routeRefreshCodec,
  routeRefreshCiscoCodec,
  enhancedRouteRefreshCodec,
  extendedMessageCodec,
  extendedNextHopCodec,
  fourOctetAsCodec,
  gracefulRestartCodec,
  longLivedGracefulRestartCodec,
  addPathCodec,
  fqdnCodec,
  bgpRoleCodec,
] as unknown as readonly AnyCapabilityCodec[];

/** Codec per Capability Code (undefined: kept as UNKNOWN). */
export const CAPABILITY_CODECS: ReadonlyMap<number, AnyCapabilityCodec> = new Map(CODECS.map((c) => [c.code, c]));
const BY_TYPE: ReadonlyMap<string, AnyCapabilityCodec> = new Map(CODECS.map((c) => [c.type, c]));

/** The Capability Code a capability is encoded with. */
export function capabilityCode(c: Capability): number {
  if (c.type === 'UNKNOWN') return checkUint(c.code, 0xff, 'UNKNOWN capability code');
  const codec = BY_TYPE.get(c.type);
  if (!codec) throw new BgpError('ERR_BGP_BAD_VALUE', `unknown capability type ${JSON.stringify((c as { type: unknown }).type)}`);
  return codec.code;
}

const openError = (code: string, message: string, offset: number): BgpError =>
  new BgpError(code, message, {
    notification: notification(ErrorCode.OPEN_MESSAGE_ERROR, OpenMessageErrorSubcode.UNSPECIFIC),
    offset,
    rfc: 'RFC 4271 s6.2',
  });

/**
 * Decodes the Capabilities parameter value `b[start..end)`: the TLVs in wire order. `b` is the
 * whole message so error offsets count from its first marker byte. Errors, all OPEN Message
 * Error / 0 Unspecific (RFC 4271 s6.2: a recognized optional parameter that is malformed):
 * ERR_BGP_CAPABILITY_OVERRUN (a TLV runs past the parameter; offset of its length octet, or of
 * its code octet when the length octet itself is missing) and ERR_BGP_CAPABILITY_LENGTH (a known
 * capability whose length does not fit its layout; offset of its length octet).
 */
export function decodeCapabilities(b: Uint8Array, start: number, end: number): Capability[] {
  const out: Capability[] = [];
  let i = start;
  while (i < end) {
    if (i + 2 > end) {
      throw openError('ERR_BGP_CAPABILITY_OVERRUN', `capability at byte ${i} has no length octet before the end of its parameter (byte ${end})`, i);
    }
    const code = b[i]!;
    const len = b[i + 1]!;
    const vStart = i + 2;
    const vEnd = vStart + len;
    if (vEnd > end) {
      throw openError(
        'ERR_BGP_CAPABILITY_OVERRUN',
        `capability ${CAPABILITY_CODECS.get(code)?.type ?? 'code'} (${code}) length ${len} runs ${vEnd - end} octet(s) past the end of its parameter`,
        i + 1,
      );
    }
    const codec = CAPABILITY_CODECS.get(code);
    if (codec) {
      const c = codec.decode(b, vStart, vEnd);
      if (c instanceof CapabilityMalformed) {
        throw openError('ERR_BGP_CAPABILITY_LENGTH', `${codec.type} (${code}) capability: ${c.reason} (${codec.rfc})`, i + 1);
      }
      out.push(c);
    } else {
      out.push(decodeUnknownCapability(code, b, vStart, vEnd));
    }
    i = vEnd;
  }
  return out;
}

/** Writes one capability TLV. Throws ERR_BGP_CAPABILITY_TOO_LONG when the value exceeds 255 octets. */
export function encodeCapability(c: Capability, w: ByteWriter): void {
  const code = capabilityCode(c);
  w.u8(code);
  const lenAt = w.pos;
  w.u8(0);
  if (c.type === 'UNKNOWN') encodeUnknownCapabilityValue(c, w);
  else CAPABILITY_CODECS.get(code)!.encodeValue(c, w);
  const len = w.pos - lenAt - 1;
  if (len > 255) {
    throw new BgpError('ERR_BGP_CAPABILITY_TOO_LONG', `${c.type} capability value is ${len} octets, more than 255 (RFC 5492 s4); split it`, {
      rfc: 'RFC 5492 s4',
    });
  }
  w.setU8(lenAt, len);
}

export function encodeCapabilities(list: readonly Capability[], w: ByteWriter): void {
  for (const c of list) encodeCapability(c, w);
}

/** `{"type": "MULTIPROTOCOL", "afi": "ipv4", ...}`; unknown: `{"type": "UNKNOWN", "code": N, "data": "hex"}`. */
export function capabilityToJson(c: Capability): JsonObject {
  if (c.type === 'UNKNOWN') return { type: 'UNKNOWN', ...unknownCapabilityToJson(c) };
  const codec = BY_TYPE.get(c.type);
  if (!codec) throw new BgpError('ERR_BGP_BAD_VALUE', `unknown capability type ${JSON.stringify(c.type)}`);
  return { type: c.type, ...codec.toJson(c) };
}

export function capabilityFromJson(j: unknown, path: string): Capability {
  const o = expectObject(j, path);
  const type = expectString(field(o, 'type', path), `${path}.type`);
  if (type === 'UNKNOWN') return unknownCapabilityFromJson(o, path);
  const codec = BY_TYPE.get(type);
  if (!codec) throw jsonError(`${path}.type`, `unknown capability type ${JSON.stringify(type)} (known: ${[...BY_TYPE.keys()].join(', ')}, UNKNOWN)`);
  return codec.fromJson(o, path);
}
