/**
 * UPDATE message (RFC 4271 s4.3) decode and encode, with ADD-PATH (RFC 7911) per negotiated
 * AF and RFC 7606 revised error handling: message-level length and NLRI syntax errors throw a
 * BgpError (session reset, RFC 7606 s5.3); attribute-level problems are returned as diagnostics
 * beside the decoded UPDATE. The hot path of the library: hand-written, one plain array per
 * prefix list, decoded attribute lists interned by their octets. No I/O.
 */
import { AttributeType } from '../iana/attribute-type.js';
import { ErrorCode, UpdateMessageErrorSubcode } from '../iana/notification-codes.js';
import { MessageType } from '../iana/message-type.js';
import { BgpError, notification } from '../errors.js';
import { PrefixList } from '../prefix/prefix-list.js';
import { ByteWriter } from './bytes.js';
import { type CodecContext, DEFAULT_CONTEXT, hasAddPath, maxMessageLength } from './context.js';
import { finishHeader, startHeader } from './header.js';
import { decodeNlri, encodeNlri, isNlriError } from './nlri.js';
import { decodeAttributes, diag, encodeAttributes } from './path-attributes.js';
import { lookupAttributes, storeAttributes } from './attribute-cache.js';
import type { PathAttribute } from './attributes/path-attribute.js';
import { isDecodedMpReach } from './attributes/mp-reach-nlri.js';
import { isDecodedMpUnreach } from './attributes/mp-unreach-nlri.js';
import type { UpdateDiagnostic } from './update-diagnostic.js';

export interface UpdateMessage {
  readonly type: 'UPDATE';
  /** Withdrawn Routes field: IPv4 unicast (other families travel in MP_UNREACH_NLRI). */
  readonly withdrawn: PrefixList;
  /** Path attributes in wire order. Decoded lists may be shared between messages: read-only. */
  readonly attributes: readonly PathAttribute[];
  /** NLRI field: IPv4 unicast (other families travel in MP_REACH_NLRI). */
  readonly nlri: PrefixList;
  /** RFC 7606 outcome of decoding; absent when the UPDATE was clean or built locally. */
  readonly diagnostics?: readonly UpdateDiagnostic[] | undefined;
}

const HDR = 19;
const NO_DIAGNOSTICS: UpdateDiagnostic[] = [];

/** RFC 4271 s6.3 Malformed Attribute List for inconsistent length fields. */
function lengthError(reason: string, offset: number): BgpError {
  return new BgpError('ERR_BGP_UPDATE_LENGTH', reason, {
    notification: notification(ErrorCode.UPDATE_MESSAGE_ERROR, UpdateMessageErrorSubcode.MALFORMED_ATTRIBUTE_LIST),
    offset,
    rfc: 'RFC 4271 s6.3, RFC 7606 s5.3',
    action: 'session-reset',
  });
}

function networkFieldError(field: string, reason: string, offset: number): BgpError {
  return new BgpError('ERR_BGP_INVALID_NETWORK_FIELD', `${field}: ${reason}`, {
    notification: notification(ErrorCode.UPDATE_MESSAGE_ERROR, UpdateMessageErrorSubcode.INVALID_NETWORK_FIELD),
    offset,
    rfc: 'RFC 4271 s6.3, RFC 7606 s5.3',
    action: 'session-reset',
  });
}

/** Decodes an UPDATE (whole message, header already checked by the framer or decodeMessage). */
export function decodeUpdate(msg: Uint8Array, ctx: CodecContext = DEFAULT_CONTEXT): UpdateMessage {
  const end = msg.length;
  if (end < HDR + 4) throw lengthError(`UPDATE of ${end} octets is shorter than 23`, 0);
  const wLen = (msg[HDR]! << 8) | msg[HDR + 1]!;
  const wStart = HDR + 2;
  const wEnd = wStart + wLen;
  if (wEnd + 2 > end) throw lengthError(`Withdrawn Routes Length ${wLen} exceeds the message`, HDR);
  const aLen = (msg[wEnd]! << 8) | msg[wEnd + 1]!;
  const aStart = wEnd + 2;
  const aEnd = aStart + aLen;
  if (aEnd > end) throw lengthError(`Total Path Attribute Length ${aLen} exceeds the message by ${aEnd - end} octet(s)`, wEnd);

  const withdrawn = decodeNlri(msg, wStart, wEnd, 1, hasAddPath(ctx, 1, 1));
  if (isNlriError(withdrawn)) throw networkFieldError('Withdrawn Routes', withdrawn.reason, withdrawn.offset);
  const nlri = decodeNlri(msg, aEnd, end, 1, hasAddPath(ctx, 1, 1));
  if (isNlriError(nlri)) throw networkFieldError('NLRI', nlri.reason, nlri.offset);

  if (aLen === 0) {
    if (nlri.length > 0) {
      const d = missing(aStart, [AttributeType.ORIGIN, AttributeType.AS_PATH, AttributeType.NEXT_HOP]);
      return { type: 'UPDATE', withdrawn, attributes: [], nlri, diagnostics: d };
    }
    return { type: 'UPDATE', withdrawn, attributes: [], nlri };
  }

  const { entry, hash } = lookupAttributes(ctx, msg, aStart, aEnd);
  let attributes: readonly PathAttribute[];
  let seenMask: number;
  let diags = NO_DIAGNOSTICS;
  if (entry !== undefined) {
    attributes = entry.attributes;
    seenMask = entry.seenMask;
  } else {
    diags = [];
    const r = decodeAttributes(msg, aStart, aEnd, ctx, diags);
    let list = r.attributes;
    if (ctx.external === true && (r.seenMask & (1 << AttributeType.LOCAL_PREF)) !== 0) list = discard(list, 'LOCAL_PREF', diags, 'ERR_BGP_LOCAL_PREF_FROM_EXTERNAL', 'LOCAL_PREF received from an external peer is discarded', 'RFC 7606 s7.5', msg, aStart, aEnd);
    if (ctx.fourOctetAs) {
      list = discard(list, 'AS4_PATH', diags, 'ERR_BGP_AS4_FROM_NEW_SPEAKER', 'AS4_PATH received over a 4-octet AS session is discarded', 'RFC 6793 s4.1', msg, aStart, aEnd);
      list = discard(list, 'AS4_AGGREGATOR', diags, 'ERR_BGP_AS4_FROM_NEW_SPEAKER', 'AS4_AGGREGATOR received over a 4-octet AS session is discarded', 'RFC 6793 s4.1', msg, aStart, aEnd);
    }
    seenMask = r.seenMask;
    attributes = diags.length === 0 && !r.hasMp ? storeAttributes(ctx, hash, msg, aStart, aEnd, list, seenMask) : list;
  }

  // RFC 7606 s3(d): well-known mandatory attributes, needed only when there is something to install
  let mpNlri = false;
  if ((seenMask & (1 << AttributeType.MP_REACH_NLRI)) !== 0) {
    for (const a of attributes) {
      if (a.type === 'MP_REACH_NLRI') mpNlri = isDecodedMpReach(a) ? a.nlri.length > 0 : a.nlriData.length > 0;
    }
  }
  if (nlri.length > 0 || mpNlri) {
    const need = nlri.length > 0 ? [AttributeType.ORIGIN, AttributeType.AS_PATH, AttributeType.NEXT_HOP] : [AttributeType.ORIGIN, AttributeType.AS_PATH];
    const absent = need.filter((t) => (seenMask & (1 << t)) === 0);
    if (absent.length > 0) diags = [...diags, ...missing(aStart, absent)];
  }
  return diags.length === 0 ? { type: 'UPDATE', withdrawn, attributes, nlri } : { type: 'UPDATE', withdrawn, attributes, nlri, diagnostics: diags };
}

function missing(offset: number, types: number[]): UpdateDiagnostic[] {
  return types.map((t) => diag('treat-as-withdraw', 'ERR_BGP_MISSING_WELL_KNOWN_ATTRIBUTE', `well-known mandatory attribute type ${t} is missing`, 'RFC 7606 s3(d)', offset, t));
}

function discard(list: PathAttribute[], type: 'LOCAL_PREF' | 'AS4_PATH' | 'AS4_AGGREGATOR', diags: UpdateDiagnostic[], code: string, reason: string, rfc: string, msg: Uint8Array, aStart: number, aEnd: number): PathAttribute[] {
  if (!list.some((a) => a.type === type)) return list;
  const typeCode = AttributeType[type];
  diags.push(diag('attribute-discard', code, reason, rfc, findOffset(msg, aStart, aEnd, typeCode), typeCode));
  return list.filter((a) => a.type !== type);
}

/** Offset of the first attribute of `typeCode` in a well-formed region of the list. */
function findOffset(b: Uint8Array, start: number, end: number, typeCode: number): number {
  let p = start;
  while (p + 3 <= end) {
    if (b[p + 1] === typeCode) return p;
    const ext = (b[p]! & 0x10) !== 0;
    p += (ext ? 4 + ((b[p + 2]! << 8) | b[p + 3]!) : 3 + b[p + 2]!);
  }
  return start;
}

const writer = new ByteWriter(65536 + 64);

/** Encodes an UPDATE (whole message). Throws BgpError when it does not fit or a field is invalid. */
export function encodeUpdate(m: UpdateMessage, ctx: CodecContext = DEFAULT_CONTEXT): Uint8Array {
  const w = writer;
  w.reset();
  encodeUpdateInto(m, w, ctx);
  return w.finish();
}

/** Appends an UPDATE to `w` (for packing several messages into one buffer). */
export function encodeUpdateInto(m: UpdateMessage, w: ByteWriter, ctx: CodecContext = DEFAULT_CONTEXT): void {
  checkList(m.withdrawn, 'withdrawn', ctx);
  checkList(m.nlri, 'nlri', ctx);
  const start = startHeader(w, MessageType.UPDATE);
  const wAt = w.pos;
  w.u16(0);
  encodeNlri(m.withdrawn, w);
  w.setU16(wAt, w.pos - wAt - 2);
  const aAt = w.pos;
  w.u16(0);
  // Every message encodes its attributes: caching bytes by array identity would go stale if a
  // caller mutated the array. Packing many prefixes per encoded attribute set is the RIB's job.
  encodeAttributes(m.attributes, w, ctx);
  const aLen = w.pos - aAt - 2;
  if (aLen > 0xffff) throw new BgpError('ERR_BGP_MESSAGE_TOO_LONG', `path attributes take ${aLen} octets, more than 65535`);
  w.setU16(aAt, aLen);
  encodeNlri(m.nlri, w);
  finishHeader(w, start, maxMessageLength(ctx));
}

function checkList(list: PrefixList, field: string, ctx: CodecContext): void {
  if (list.length === 0) return;
  if (list.afi !== 1) throw new BgpError('ERR_BGP_BAD_PREFIX', `UPDATE ${field} holds IPv4 unicast only; IPv6 goes in MP_REACH_NLRI / MP_UNREACH_NLRI`, { rfc: 'RFC 4760' });
  if (list.addPath !== hasAddPath(ctx, 1, 1)) {
    throw new BgpError('ERR_BGP_ADD_PATH_MISMATCH', `UPDATE ${field} ${list.addPath ? 'has' : 'lacks'} ADD-PATH path identifiers but ADD-PATH is ${list.addPath ? 'not ' : ''}negotiated for IPv4 unicast in this direction`, { rfc: 'RFC 7911 s3' });
  }
}

/** The AFI/SAFI this UPDATE is the End-of-RIB marker of (RFC 4724 s2), or undefined. */
export function endOfRib(m: UpdateMessage): { afi: number; safi: number } | undefined {
  if (m.withdrawn.length !== 0 || m.nlri.length !== 0 || (m.diagnostics?.length ?? 0) !== 0) return undefined;
  if (m.attributes.length === 0) return { afi: 1, safi: 1 };
  const a = m.attributes[0]!;
  if (m.attributes.length === 1 && a.type === 'MP_UNREACH_NLRI') {
    const empty = isDecodedMpUnreach(a) ? a.withdrawn.length === 0 : a.withdrawnData.length === 0;
    if (empty) return { afi: a.afi, safi: a.safi };
  }
  return undefined;
}

/** Builds the End-of-RIB marker for an AFI/SAFI. */
export function endOfRibUpdate(afi = 1, safi = 1): UpdateMessage {
  const empty = PrefixList.empty(1);
  if (afi === 1 && safi === 1) return { type: 'UPDATE', withdrawn: empty, attributes: [], nlri: empty };
  const withdrawn = afi === 1 || afi === 2 ? { withdrawn: PrefixList.empty(afi) } : { withdrawnData: new Uint8Array(0) };
  return { type: 'UPDATE', withdrawn: empty, attributes: [{ type: 'MP_UNREACH_NLRI', afi, safi, ...withdrawn } as PathAttribute], nlri: empty };
}
