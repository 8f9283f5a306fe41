/**
 * MULTIPROTOCOL capability (code 1, RFC 4760 s8): AFI (2 octets), Reserved (1 octet), SAFI
 * (1 octet). Any AFI/SAFI is accepted; the reserved octet is kept so it re-encodes identically.
 * Owns only this value layout; no session logic (which families are negotiated).
 */
import { CapabilityCode } from '../../iana/capability-code.js';
import { afiFromJson, afiToJson, expectInt, field, onlyKeys, safiFromJson, safiToJson } from '../../json/json-util.js';
import { readU16 } from '../bytes.js';
import { badLength, checkUint, type CapabilityCodec } from './capability-codec.js';

export interface MultiprotocolCapability {
  readonly type: 'MULTIPROTOCOL';
  readonly afi: number;
  readonly safi: number;
  /** The Reserved octet; present only when the peer sent a non-zero value. */
  readonly reserved?: number | undefined;
}

export const multiprotocolCodec: CapabilityCodec<MultiprotocolCapability> = {
  code: CapabilityCode.MULTIPROTOCOL,
  type: 'MULTIPROTOCOL',
  rfc: 'RFC 4760 s8',
  decode(b, start, end) {
    if (end - start !== 4) return badLength(end - start, '4');
    const reserved = b[start + 2]!;
    const c: MultiprotocolCapability = { type: 'MULTIPROTOCOL', afi: readU16(b, start), safi: b[start + 3]! };
    return reserved === 0 ? c : { ...c, reserved };
  },
  encodeValue(c, w) {
    w.u16(checkUint(c.afi, 0xffff, 'MULTIPROTOCOL AFI'));
    w.u8(checkUint(c.reserved ?? 0, 0xff, 'MULTIPROTOCOL reserved octet'));
    w.u8(checkUint(c.safi, 0xff, 'MULTIPROTOCOL SAFI'));
  },
  toJson(c) {
    return { afi: afiToJson(c.afi), safi: safiToJson(c.safi), ...(c.reserved ? { reserved: c.reserved } : {}) };
  },
  fromJson(j, path) {
    onlyKeys(j, ['type', 'afi', 'safi', 'reserved'], path);
    const c: MultiprotocolCapability = {
      type: 'MULTIPROTOCOL',
      afi: afiFromJson(field(j, 'afi', path), `${path}.afi`),
      safi: safiFromJson(field(j, 'safi', path), `${path}.safi`),
    };
    const reserved = 'reserved' in j ? expectInt(j['reserved'], `${path}.reserved`, 0, 0xff) : 0;
    return reserved === 0 ? c : { ...c, reserved };
  },
};
