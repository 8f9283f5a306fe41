/**
 * AGGREGATOR (type 7, RFC 4271 s5.1.7): optional transitive, the ASN and BGP Identifier of the
 * speaker that aggregated. The ASN is 2 octets unless both sides negotiated 4-octet AS numbers
 * (RFC 6793 s3), so the value is 6 or 8 octets depending on `ctx.fourOctetAs`.
 * Owns the value's codec and JSON form only. Writing AS_TRANS plus AS4_AGGREGATOR for a 4-octet
 * ASN in a 2-octet session, and reconciling AS4_AGGREGATOR (RFC 6793 s4.2.3), are the UPDATE
 * codec's job: encodeValue refuses an ASN that does not fit.
 */
import { AS_TRANS } from '../../iana/asn.js';
import { BgpError } from '../../errors.js';
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { attributeObject, expectInt, field, ipv4FromJson, jsonPath } from '../../json/json-util.js';
import { formatIpv4, parseIpv4 } from '../../prefix/address.js';
import { readU16, readU32 } from '../bytes.js';
import { Malformed, type AttributeCodec } from './attribute-codec.js';

export interface AggregatorAttribute {
  readonly type: 'AGGREGATOR';
  readonly flags?: number | undefined;
  /** The aggregating AS: at most 65535 in a 2-octet session (AS_TRANS 23456 stands in for larger ones). */
  readonly asn: number;
  /** The aggregating speaker's BGP Identifier, dotted quad. */
  readonly address: string;
}

export const aggregatorCodec: AttributeCodec<AggregatorAttribute> = {
  typeCode: AttributeType.AGGREGATOR,
  type: 'AGGREGATOR',
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  malformedAction: 'attribute-discard',
  rfc: 'RFC 7606 s7.7',

  decode(b, start, end, flags, ctx) {
    const len = end - start;
    if (ctx.fourOctetAs) {
      if (len !== 8) {
        return new Malformed(`AGGREGATOR length ${len} is not 8 (4-octet AS numbers negotiated)`, UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR);
      }
      return { type: 'AGGREGATOR', flags, asn: readU32(b, start), address: formatIpv4(readU32(b, start + 4)) };
    }
    if (len !== 6) {
      return new Malformed(`AGGREGATOR length ${len} is not 6 (4-octet AS numbers not negotiated)`, UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR);
    }
    return { type: 'AGGREGATOR', flags, asn: readU16(b, start), address: formatIpv4(readU32(b, start + 2)) };
  },

  encodeValue(a, w, ctx) {
    if (a.asn >>> 0 !== a.asn) throw new BgpError('ERR_BGP_BAD_ATTRIBUTE', `AGGREGATOR ASN ${a.asn} is not a uint32`, { rfc: 'RFC 6793 s3' });
    const address = parseIpv4(a.address);
    if (ctx.fourOctetAs) {
      w.u32(a.asn);
    } else {
      if (a.asn > 0xffff) {
        throw new BgpError(
          'ERR_BGP_ASN_TOO_LARGE',
          `AGGREGATOR ASN ${a.asn} does not fit in 2 octets (4-octet AS numbers not negotiated): send AS_TRANS (${AS_TRANS}) and AS4_AGGREGATOR`,
          { rfc: 'RFC 6793 s4.2.2' },
        );
      }
      w.u16(a.asn);
    }
    w.u32(address);
  },

  toJson(a) {
    return { asn: a.asn, address: a.address };
  },

  fromJson(j, path) {
    const o = attributeObject(j, 'AGGREGATOR', ['asn', 'address'], path);
    return {
      type: 'AGGREGATOR',
      asn: expectInt(field(o, 'asn', path), jsonPath(path, 'asn'), 0, 0xffffffff),
      address: ipv4FromJson(field(o, 'address', path), jsonPath(path, 'address')),
    };
  },
};
