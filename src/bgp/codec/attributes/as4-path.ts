/**
 * AS4_PATH (type 17, RFC 6793): optional transitive, always 4-octet ASNs, sent by 2-octet
 * sessions beside an AS_PATH holding AS_TRANS. RFC 6793 s6: malformed -> attribute discard.
 * (Received over a 4-octet session it is discarded too; the UPDATE frame reports that.)
 */
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { type AttributeCodec, Malformed } from './attribute-codec.js';
import { type AsPathSegment, decodeSegments, encodeSegments, segmentsFromJson, segmentsToJson } from './as-path-segments.js';

export interface As4PathAttribute {
  readonly type: 'AS4_PATH';
  readonly flags?: number | undefined;
  readonly segments: readonly AsPathSegment[];
}

export const as4PathCodec: AttributeCodec<As4PathAttribute> = {
  typeCode: AttributeType.AS4_PATH,
  type: 'AS4_PATH',
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  malformedAction: 'attribute-discard',
  rfc: 'RFC 6793 s6',
  decode(b, start, end, flags) {
    const segments = decodeSegments(b, start, end, 4);
    if (typeof segments === 'string') return new Malformed(segments, UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR);
    if (segments.some((s) => s.type === 3 || s.type === 4)) {
      // RFC 6793 s6: confederation segments in AS4_PATH make it malformed
      return new Malformed('confederation segment in AS4_PATH', UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR);
    }
    return { type: 'AS4_PATH', flags, segments };
  },
  encodeValue(a, w) {
    encodeSegments(a.segments, w, 4);
  },
  toJson: (a) => ({ segments: segmentsToJson(a.segments) }),
  fromJson: (j, path) => ({ type: 'AS4_PATH', segments: segmentsFromJson(j.segments, `${path}.segments`) }),
};
