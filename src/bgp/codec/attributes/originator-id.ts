/**
 * ORIGINATOR_ID (type 9, RFC 4456 s8): optional non-transitive, the BGP Identifier of the
 * route's originator inside the reflection cluster (4 octets).
 * Owns the value's codec and JSON form only; loop checks against the local Router ID belong
 * to the route reflection logic, the header and flags check to the UPDATE codec.
 */
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { attributeObject, field, ipv4FromJson, jsonPath } from '../../json/json-util.js';
import { formatIpv4, parseIpv4 } from '../../prefix/address.js';
import { readU32 } from '../bytes.js';
import { Malformed, type AttributeCodec } from './attribute-codec.js';

export interface OriginatorIdAttribute {
  readonly type: 'ORIGINATOR_ID';
  readonly flags?: number | undefined;
  /** BGP Identifier, dotted quad. */
  readonly originatorId: string;
}

export const originatorIdCodec: AttributeCodec<OriginatorIdAttribute> = {
  typeCode: AttributeType.ORIGINATOR_ID,
  type: 'ORIGINATOR_ID',
  flags: AttributeFlag.OPTIONAL,
  malformedAction: 'treat-as-withdraw',
  rfc: 'RFC 7606 s7.9',

  decode(b, start, end, flags) {
    if (end - start !== 4) return new Malformed(`ORIGINATOR_ID length ${end - start} is not 4`, UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR);
    return { type: 'ORIGINATOR_ID', flags, originatorId: formatIpv4(readU32(b, start)) };
  },

  encodeValue(a, w) {
    w.u32(parseIpv4(a.originatorId));
  },

  toJson(a) {
    return { originatorId: a.originatorId };
  },

  fromJson(j, path) {
    const o = attributeObject(j, 'ORIGINATOR_ID', ['originatorId'], path);
    return { type: 'ORIGINATOR_ID', originatorId: ipv4FromJson(field(o, 'originatorId', path), jsonPath(path, 'originatorId')) };
  },
};
