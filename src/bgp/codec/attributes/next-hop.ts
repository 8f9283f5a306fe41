/**
 * NEXT_HOP (type 3, RFC 4271 s5.1.3): well-known, mandatory when the UPDATE has IPv4 NLRI.
 * RFC 7606 s7.3: wrong length -> treat-as-withdraw; a semantically invalid address (0/8,
 * 127/8 unless the context's `loopbackNextHop`, class D/E, RFC 4271 s6.3) -> treat-as-withdraw as well.
 */
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { formatIpv4, parseIpv4 } from '../../prefix/address.js';
import { expectString, jsonError } from '../../json/json-util.js';
import { type AttributeCodec, Malformed } from './attribute-codec.js';

export interface NextHopAttribute {
  readonly type: 'NEXT_HOP';
  readonly flags?: number | undefined;
  readonly nextHop: string;
}

export const nextHopCodec: AttributeCodec<NextHopAttribute> = {
  typeCode: AttributeType.NEXT_HOP,
  type: 'NEXT_HOP',
  flags: AttributeFlag.TRANSITIVE,
  malformedAction: 'treat-as-withdraw',
  rfc: 'RFC 7606 s7.3',
  decode(b, start, end, flags, ctx) {
    if (end - start !== 4) return new Malformed(`length ${end - start} is not 4`, UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR);
    const first = b[start]!;
    if (first === 0 || (first === 127 && ctx.loopbackNextHop !== true) || first >= 224) {
      return new Malformed(`next hop ${b[start]}.${b[start + 1]}.${b[start + 2]}.${b[start + 3]} is not a unicast host address`, UpdateMessageErrorSubcode.INVALID_NEXT_HOP_ATTRIBUTE);
    }
    const n = ((first << 24) | (b[start + 1]! << 16) | (b[start + 2]! << 8) | b[start + 3]!) >>> 0;
    return { type: 'NEXT_HOP', flags, nextHop: formatIpv4(n) };
  },
  encodeValue(a, w) {
    w.u32(parseIpv4(a.nextHop));
  },
  toJson: (a) => ({ nextHop: a.nextHop }),
  fromJson(j, path) {
    const nh = expectString(j.nextHop, `${path}.nextHop`);
    try {
      parseIpv4(nh);
    } catch (e) {
      throw jsonError(`${path}.nextHop`, (e as Error).message);
    }
    return { type: 'NEXT_HOP', nextHop: nh };
  },
};
