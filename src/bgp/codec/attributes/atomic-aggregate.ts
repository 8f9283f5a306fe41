/**
 * ATOMIC_AGGREGATE (type 6, RFC 4271 s5.1.6): well-known, no value.
 * Owns the value's codec and JSON form only; the header and flags check belong to the UPDATE codec.
 */
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { attributeObject } from '../../json/json-util.js';
import { Malformed, type AttributeCodec } from './attribute-codec.js';

export interface AtomicAggregateAttribute {
  readonly type: 'ATOMIC_AGGREGATE';
  readonly flags?: number | undefined;
}

export const atomicAggregateCodec: AttributeCodec<AtomicAggregateAttribute> = {
  typeCode: AttributeType.ATOMIC_AGGREGATE,
  type: 'ATOMIC_AGGREGATE',
  flags: AttributeFlag.TRANSITIVE,
  malformedAction: 'attribute-discard',
  rfc: 'RFC 7606 s7.6',

  decode(_b, start, end, flags) {
    if (end !== start) return new Malformed(`ATOMIC_AGGREGATE length ${end - start} is not 0`, UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR);
    return { type: 'ATOMIC_AGGREGATE', flags };
  },

  encodeValue() {
    // no value
  },

  toJson() {
    return {};
  },

  fromJson(j, path) {
    attributeObject(j, 'ATOMIC_AGGREGATE', [], path);
    return { type: 'ATOMIC_AGGREGATE' };
  },
};
