/**
 * MULTI_EXIT_DISC (type 4, RFC 4271 s5.1.4): optional non-transitive, one uint32.
 * Owns the value's codec and JSON form only; the attribute header (flags, type, length), the
 * flags check and the RFC 7606 frame belong to the UPDATE codec.
 */
import { BgpError } from '../../errors.js';
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { attributeObject, expectInt, field, jsonPath } from '../../json/json-util.js';
import { readU32 } from '../bytes.js';
import { Malformed, type AttributeCodec } from './attribute-codec.js';

export interface MultiExitDiscAttribute {
  readonly type: 'MULTI_EXIT_DISC';
  readonly flags?: number | undefined;
  /** The metric, 0..4294967295. */
  readonly med: number;
}

export const multiExitDiscCodec: AttributeCodec<MultiExitDiscAttribute> = {
  typeCode: AttributeType.MULTI_EXIT_DISC,
  type: 'MULTI_EXIT_DISC',
  flags: AttributeFlag.OPTIONAL,
  malformedAction: 'treat-as-withdraw',
  rfc: 'RFC 7606 s7.4',

  decode(b, start, end, flags) {
    if (end - start !== 4) return new Malformed(`MULTI_EXIT_DISC length ${end - start} is not 4`, UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR);
    return { type: 'MULTI_EXIT_DISC', flags, med: readU32(b, start) };
  },

  encodeValue(a, w) {
    if (a.med >>> 0 !== a.med) throw new BgpError('ERR_BGP_BAD_ATTRIBUTE', `MULTI_EXIT_DISC ${a.med} is not a uint32`, { rfc: 'RFC 4271 s4.3' });
    w.u32(a.med);
  },

  toJson(a) {
    return { med: a.med };
  },

  fromJson(j, path) {
    const o = attributeObject(j, 'MULTI_EXIT_DISC', ['med'], path);
    return { type: 'MULTI_EXIT_DISC', med: expectInt(field(o, 'med', path), jsonPath(path, 'med'), 0, 0xffffffff) };
  },
};
