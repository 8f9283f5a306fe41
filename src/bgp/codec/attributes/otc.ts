/**
 * OTC, Only to Customer (type 35, RFC 9234 s5): optional transitive, one 4-octet ASN.
 * Owns the value's codec and JSON form only; the role-based ingress/egress procedures
 * (RFC 9234 s5) belong to the session/policy layer, the header and flags check to the UPDATE codec.
 */
import { BgpError } from '../../errors.js';
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { attributeObject, expectInt, field, jsonPath } from '../../json/json-util.js';
import { readU32 } from '../bytes.js';
import { Malformed, type AttributeCodec } from './attribute-codec.js';

export interface OtcAttribute {
  readonly type: 'OTC';
  readonly flags?: number | undefined;
  /** The AS that set OTC, 4 octets. */
  readonly asn: number;
}

export const otcCodec: AttributeCodec<OtcAttribute> = {
  typeCode: AttributeType.OTC,
  type: 'OTC',
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  malformedAction: 'treat-as-withdraw',
  rfc: 'RFC 9234 s5',

  decode(b, start, end, flags) {
    if (end - start !== 4) return new Malformed(`OTC length ${end - start} is not 4`, UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR);
    return { type: 'OTC', flags, asn: readU32(b, start) };
  },

  encodeValue(a, w) {
    if (a.asn >>> 0 !== a.asn) throw new BgpError('ERR_BGP_BAD_ATTRIBUTE', `OTC ASN ${a.asn} is not a uint32`, { rfc: 'RFC 9234 s5' });
    w.u32(a.asn);
  },

  toJson(a) {
    return { asn: a.asn };
  },

  fromJson(j, path) {
    const o = attributeObject(j, 'OTC', ['asn'], path);
    return { type: 'OTC', asn: expectInt(field(o, 'asn', path), jsonPath(path, 'asn'), 0, 0xffffffff) };
  },
};
