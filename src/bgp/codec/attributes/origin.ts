/** ORIGIN (type 1, RFC 4271 s5.1.1): well-known mandatory. RFC 7606 s7.1: malformed -> treat-as-withdraw. */
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { jsonError, namedFromJson } from '../../json/json-util.js';
import { type AttributeCodec, Malformed } from './attribute-codec.js';

export const Origin = { IGP: 0, EGP: 1, INCOMPLETE: 2 } as const;
export type OriginValue = (typeof Origin)[keyof typeof Origin];
const NAMES: Record<number, string> = { 0: 'IGP', 1: 'EGP', 2: 'INCOMPLETE' };

export interface OriginAttribute {
  readonly type: 'ORIGIN';
  readonly flags?: number | undefined;
  readonly origin: OriginValue;
}

export const originCodec: AttributeCodec<OriginAttribute> = {
  typeCode: AttributeType.ORIGIN,
  type: 'ORIGIN',
  flags: AttributeFlag.TRANSITIVE,
  malformedAction: 'treat-as-withdraw',
  rfc: 'RFC 7606 s7.1',
  decode(b, start, end, flags) {
    if (end - start !== 1) return new Malformed(`length ${end - start} is not 1`, UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR);
    const v = b[start]!;
    if (v > 2) return new Malformed(`undefined ORIGIN value ${v}`, UpdateMessageErrorSubcode.INVALID_ORIGIN_ATTRIBUTE);
    return { type: 'ORIGIN', flags, origin: v as OriginValue };
  },
  encodeValue(a, w) {
    w.u8(a.origin);
  },
  toJson: (a) => ({ origin: NAMES[a.origin] ?? a.origin }),
  fromJson(j, path) {
    if (j.origin === undefined) throw jsonError(`${path}.origin`, 'is missing');
    return { type: 'ORIGIN', origin: namedFromJson(j.origin, `${path}.origin`, NAMES, 2, 'ORIGIN') as OriginValue };
  },
};
