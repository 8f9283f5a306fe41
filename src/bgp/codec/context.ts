/**
 * What a codec needs to know about the session to read or write bytes: the capabilities that
 * change the wire format. A session builds one for each direction once OPENs are exchanged.
 * Owns no state; never touches sockets.
 */
import { afiSafiKey } from '../iana/afi-safi.js';
import { MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH } from '../iana/message-type.js';

export interface CodecContext {
  /** RFC 6793: both sides sent the 4-octet AS capability, so AS_PATH / AGGREGATOR carry 4-octet ASNs. */
  readonly fourOctetAs: boolean;
  /** RFC 7911: AFI/SAFI keys (`afiSafiKey(afi, safi)`) whose NLRI carry a path identifier in this direction. */
  readonly addPath: ReadonlySet<number>;
  /** RFC 8654: extended messages negotiated (max 65535 octets instead of 4096). */
  readonly extendedMessage: boolean;
  /**
   * Whether the peer is external (eBGP). Only used for RFC 7606 checks that depend on it
   * (LOCAL_PREF from an external peer is discarded, s7.5); undefined skips those checks.
   */
  readonly external?: boolean | undefined;
  /** Accept IPv4 NEXT_HOPs in 127/8 (a lab on loopback). Default false: treat-as-withdraw (RFC 4271 s6.3, RFC 7606 s7.3). */
  readonly loopbackNextHop?: boolean | undefined;
}

export interface CodecContextInit {
  fourOctetAs?: boolean;
  /** Either keys from `afiSafiKey`, or pairs such as `[[1, 1], [2, 1]]`, or names `"ipv4"`, `"ipv6"` (unicast). */
  addPath?: Iterable<number | readonly [number, number] | 'ipv4' | 'ipv6'>;
  extendedMessage?: boolean;
  external?: boolean;
  loopbackNextHop?: boolean;
}

const NO_ADD_PATH: ReadonlySet<number> = new Set();

/** The default context: 4-octet AS on (as every modern peer negotiates), no ADD-PATH, 4096-octet messages. */
export const DEFAULT_CONTEXT: CodecContext = Object.freeze({
  fourOctetAs: true,
  addPath: NO_ADD_PATH,
  extendedMessage: false,
});

export function codecContext(init: CodecContextInit = {}): CodecContext {
  const addPath = new Set<number>();
  for (const a of init.addPath ?? []) {
    if (a === 'ipv4') addPath.add(afiSafiKey(1, 1));
    else if (a === 'ipv6') addPath.add(afiSafiKey(2, 1));
    else if (typeof a === 'number') addPath.add(a);
    else addPath.add(afiSafiKey(a[0], a[1]));
  }
  return {
    fourOctetAs: init.fourOctetAs ?? true,
    addPath,
    extendedMessage: init.extendedMessage ?? false,
    external: init.external,
    ...(init.loopbackNextHop === true ? { loopbackNextHop: true } : {}),
  };
}

export function hasAddPath(ctx: CodecContext, afi: number, safi: number): boolean {
  return ctx.addPath.size !== 0 && ctx.addPath.has(afiSafiKey(afi, safi));
}

export function maxMessageLength(ctx: CodecContext): number {
  return ctx.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
}
