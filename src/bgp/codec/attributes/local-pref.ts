/**
 * LOCAL_PREF (type 5, RFC 4271 s5.1.5): well-known, one uint32.
 * Owns the value's codec and JSON form only. Discarding LOCAL_PREF received from an external
 * peer (RFC 7606 s7.5) is the UPDATE codec's job (it knows `ctx.external`), as are the
 * attribute header and the flags check.
 */
import { BgpError } from '../../errors.js';
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { attributeObject, expectInt, field, jsonPath } from '../../json/json-util.js';
import { readU32 } from '../bytes.js';
import { Malformed, type AttributeCodec } from './attribute-codec.js';

export interface LocalPrefAttribute {
  readonly type: 'LOCAL_PREF';
  readonly flags?: number | undefined;
  /** The degree of preference, 0..4294967295 (higher is preferred). */
  readonly localPref: number;
}

export const localPrefCodec: AttributeCodec<LocalPrefAttribute> = {
  typeCode: AttributeType.LOCAL_PREF,
  type: 'LOCAL_PREF',
  flags: AttributeFlag.TRANSITIVE,
  malformedAction: 'treat-as-withdraw',
  rfc: 'RFC 7606 s7.5',

  decode(b, start, end, flags) {
    if (end - start !== 4) return new Malformed(`LOCAL_PREF length ${end - start} is not 4`, UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR);
    return { type: 'LOCAL_PREF', flags, localPref: readU32(b, start) };
  },

  encodeValue(a, w) {
    if (a.localPref >>> 0 !== a.localPref) {
      throw new BgpError('ERR_BGP_BAD_ATTRIBUTE', `LOCAL_PREF ${a.localPref} is not a uint32`, { rfc: 'RFC 4271 s4.3' });
    }
    w.u32(a.localPref);
  },

  toJson(a) {
    return { localPref: a.localPref };
  },

  fromJson(j, path) {
    const o = attributeObject(j, 'LOCAL_PREF', ['localPref'], path);
    return { type: 'LOCAL_PREF', localPref: expectInt(field(o, 'localPref', path), jsonPath(path, 'localPref'), 0, 0xffffffff) };
  },
};
