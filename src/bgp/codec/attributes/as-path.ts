/**
 * AS_PATH (type 2, RFC 4271 s5.1.2): well-known mandatory; 2- or 4-octet ASNs by context
 * (RFC 6793). RFC 7606 s7.2: malformed -> treat-as-withdraw, subcode Malformed AS_PATH.
 */
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { type AttributeCodec, Malformed } from './attribute-codec.js';
import { type AsPathSegment, decodeSegments, encodeSegments, segmentsFromJson, segmentsToJson } from './as-path-segments.js';

export interface AsPathAttribute {
  readonly type: 'AS_PATH';
  readonly flags?: number | undefined;
  readonly segments: readonly AsPathSegment[];
}

export const asPathCodec: AttributeCodec<AsPathAttribute> = {
  typeCode: AttributeType.AS_PATH,
  type: 'AS_PATH',
  flags: AttributeFlag.TRANSITIVE,
  malformedAction: 'treat-as-withdraw',
  rfc: 'RFC 7606 s7.2',
  decode(b, start, end, flags, ctx) {
    const segments = decodeSegments(b, start, end, ctx.fourOctetAs ? 4 : 2);
    if (typeof segments === 'string') return new Malformed(segments, UpdateMessageErrorSubcode.MALFORMED_AS_PATH, undefined, new Uint8Array(0));
    return { type: 'AS_PATH', flags, segments };
  },
  encodeValue(a, w, ctx) {
    encodeSegments(a.segments, w, ctx.fourOctetAs ? 4 : 2);
  },
  toJson: (a) => ({ segments: segmentsToJson(a.segments) }),
  fromJson: (j, path) => ({ type: 'AS_PATH', segments: segmentsFromJson(j.segments, `${path}.segments`) }),
};
