/**
 * FOUR_OCTET_AS capability (code 65, RFC 6793 s3): the speaker's 4-octet AS number. Owns only the
 * value layout; the session compares it with the configured peer AS.
 */
import { CapabilityCode } from '../../iana/capability-code.js';
import { expectInt, field, onlyKeys } from '../../json/json-util.js';
import { readU32 } from '../bytes.js';
import { badLength, checkUint, type CapabilityCodec } from './capability-codec.js';

export interface FourOctetAsCapability {
  readonly type: 'FOUR_OCTET_AS';
  readonly asn: number;
}

export const fourOctetAsCodec: CapabilityCodec<FourOctetAsCapability> = {
  code: CapabilityCode.FOUR_OCTET_AS,
  type: 'FOUR_OCTET_AS',
  rfc: 'RFC 6793 s3',
  decode(b, start, end) {
    if (end - start !== 4) return badLength(end - start, '4');
    return { type: 'FOUR_OCTET_AS', asn: readU32(b, start) };
  },
  encodeValue(c, w) {
    w.u32(checkUint(c.asn, 0xffffffff, 'FOUR_OCTET_AS ASN'));
  },
  toJson(c) {
    return { asn: c.asn };
  },
  fromJson(j, path) {
    onlyKeys(j, ['type', 'asn'], path);
    return { type: 'FOUR_OCTET_AS', asn: expectInt(field(j, 'asn', path), `${path}.asn`, 0, 0xffffffff) };
  },
};
