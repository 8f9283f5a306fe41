/**
 * AS4_AGGREGATOR (type 18, RFC 6793 s3): optional transitive, a 4-octet ASN and the BGP
 * Identifier (8 octets), sent beside AGGREGATOR = AS_TRANS to a 2-octet-only speaker.
 * Owns the value's codec and JSON form only. Discarding AS4_AGGREGATOR received between two
 * NEW speakers and the reconciliation with AGGREGATOR (RFC 6793 s4.2.3, s6) are the UPDATE codec's job.
 */
import { BgpError } from '../../errors.js';
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { attributeObject, expectInt, field, ipv4FromJson, jsonPath } from '../../json/json-util.js';
import { formatIpv4, parseIpv4 } from '../../prefix/address.js';
import { readU32 } from '../bytes.js';
import { Malformed, type AttributeCodec } from './attribute-codec.js';

export interface As4AggregatorAttribute {
  readonly type: 'AS4_AGGREGATOR';
  readonly flags?: number | undefined;
  /** The aggregating AS, 4 octets. */
  readonly asn: number;
  /** The aggregating speaker's BGP Identifier, dotted quad. */
  readonly address: string;
}

export const as4AggregatorCodec: AttributeCodec<As4AggregatorAttribute> = {
  typeCode: AttributeType.AS4_AGGREGATOR,
  type: 'AS4_AGGREGATOR',
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  malformedAction: 'attribute-discard',
  rfc: 'RFC 6793 s6',

  decode(b, start, end, flags) {
    if (end - start !== 8) return new Malformed(`AS4_AGGREGATOR length ${end - start} is not 8`, UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR);
    return { type: 'AS4_AGGREGATOR', flags, asn: readU32(b, start), address: formatIpv4(readU32(b, start + 4)) };
  },

  encodeValue(a, w) {
    if (a.asn >>> 0 !== a.asn) throw new BgpError('ERR_BGP_BAD_ATTRIBUTE', `AS4_AGGREGATOR ASN ${a.asn} is not a uint32`, { rfc: 'RFC 6793 s3' });
    const address = parseIpv4(a.address);
    w.u32(a.asn);
    w.u32(address);
  },

  toJson(a) {
    return { asn: a.asn, address: a.address };
  },

  fromJson(j, path) {
    const o = attributeObject(j, 'AS4_AGGREGATOR', ['asn', 'address'], path);
    return {
      type: 'AS4_AGGREGATOR',
      asn: expectInt(field(o, 'asn', path), jsonPath(path, 'asn'), 0, 0xffffffff),
      address: ipv4FromJson(field(o, 'address', path), jsonPath(path, 'address')),
    };
  },
};
