/**
 * MP_UNREACH_NLRI (type 15, RFC 4760 s4): optional non-transitive. IPv4/IPv6 unicast and
 * multicast withdrawals are decoded; others kept raw. An empty one is End-of-RIB for its
 * AFI/SAFI (RFC 4724 s2). RFC 7606 s5.3 / s7.12: bad NLRI -> session reset.
 */
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { BgpError } from '../../errors.js';
import { PrefixList } from '../../prefix/prefix-list.js';
import { afiFromJson, afiToJson, bytesFromJson, bytesToJson, safiFromJson, safiToJson } from '../../json/json-util.js';
import { hasAddPath } from '../context.js';
import { decodeNlri, encodeNlri, isNlriError } from '../nlri.js';
import { type AttributeCodec, Malformed } from './attribute-codec.js';
import { isPrefixFamily, prefixListFromJson } from './mp-reach-nlri.js';

interface MpUnreachBase {
  readonly type: 'MP_UNREACH_NLRI';
  readonly flags?: number | undefined;
  readonly afi: number;
  readonly safi: number;
}
export interface MpUnreachNlriDecoded extends MpUnreachBase {
  readonly withdrawn: PrefixList;
}
export interface MpUnreachNlriRaw extends MpUnreachBase {
  readonly withdrawnData: Uint8Array;
}
export type MpUnreachNlriAttribute = MpUnreachNlriDecoded | MpUnreachNlriRaw;

export function isDecodedMpUnreach(a: MpUnreachNlriAttribute): a is MpUnreachNlriDecoded {
  return (a as MpUnreachNlriDecoded).withdrawn !== undefined;
}

export const mpUnreachNlriCodec: AttributeCodec<MpUnreachNlriAttribute> = {
  typeCode: AttributeType.MP_UNREACH_NLRI,
  type: 'MP_UNREACH_NLRI',
  flags: AttributeFlag.OPTIONAL,
  malformedAction: 'session-reset',
  rfc: 'RFC 7606 s7.12',
  decode(b, start, end, flags, ctx) {
    if (end - start < 3) return new Malformed(`length ${end - start} is less than 3 (AFI, SAFI)`, UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR);
    const afi = (b[start]! << 8) | b[start + 1]!;
    const safi = b[start + 2]!;
    if (!isPrefixFamily(afi, safi)) return { type: 'MP_UNREACH_NLRI', flags, afi, safi, withdrawnData: b.slice(start + 3, end) };
    const withdrawn = decodeNlri(b, start + 3, end, afi, hasAddPath(ctx, afi, safi));
    if (isNlriError(withdrawn)) return new Malformed(`withdrawn routes: ${withdrawn.reason}`, UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR);
    return { type: 'MP_UNREACH_NLRI', flags, afi, safi, withdrawn };
  },
  encodeValue(a, w) {
    w.u16(a.afi);
    w.u8(a.safi);
    if (isDecodedMpUnreach(a)) {
      if (a.withdrawn.afi !== a.afi) throw new BgpError('ERR_BGP_BAD_PREFIX', `MP_UNREACH_NLRI for AFI ${a.afi} carries prefixes of AFI ${a.withdrawn.afi}`);
      encodeNlri(a.withdrawn, w);
    } else {
      w.bytes(a.withdrawnData);
    }
  },
  toJson(a) {
    const head = { afi: afiToJson(a.afi), safi: safiToJson(a.safi) };
    return isDecodedMpUnreach(a) ? { ...head, withdrawn: a.withdrawn.toJSON() } : { ...head, withdrawnData: bytesToJson(a.withdrawnData) };
  },
  fromJson(j, path) {
    const afi = afiFromJson(j.afi, `${path}.afi`);
    const safi = safiFromJson(j.safi, `${path}.safi`);
    if (!isPrefixFamily(afi, safi)) return { type: 'MP_UNREACH_NLRI', afi, safi, withdrawnData: bytesFromJson(j.withdrawnData ?? '', `${path}.withdrawnData`) };
    return { type: 'MP_UNREACH_NLRI', afi, safi, withdrawn: prefixListFromJson(j.withdrawn ?? [], `${path}.withdrawn`, afi) };
  },
};
