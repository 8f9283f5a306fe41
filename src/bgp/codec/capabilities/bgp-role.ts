/**
 * BGP_ROLE capability (code 9, RFC 9234 s4.1): one octet naming the speaker's role. Unassigned
 * values are kept as numbers. Owns only the value layout; role-mismatch checks (2/11) belong to
 * the session.
 */
import { CapabilityCode } from '../../iana/capability-code.js';
import { field, namedFromJson, onlyKeys } from '../../json/json-util.js';
import { badLength, checkUint, type CapabilityCodec } from './capability-codec.js';

/** RFC 9234 s4.1 BGP Role values. */
export const BgpRole = {
  PROVIDER: 0,
  RS: 1,
  RS_CLIENT: 2,
  CUSTOMER: 3,
  PEER: 4,
} as const;

/** JSON names of the roles; other values are plain numbers. */
export const BGP_ROLE_NAMES: Readonly<Record<number, string>> = {
  0: 'provider',
  1: 'rs',
  2: 'rs-client',
  3: 'customer',
  4: 'peer',
};

export interface BgpRoleCapability {
  readonly type: 'BGP_ROLE';
  /** A BgpRole value (0..4) or any other octet as received. */
  readonly role: number;
}

export const bgpRoleCodec: CapabilityCodec<BgpRoleCapability> = {
  code: CapabilityCode.BGP_ROLE,
  type: 'BGP_ROLE',
  rfc: 'RFC 9234 s4.1',
  decode(b, start, end) {
    if (end - start !== 1) return badLength(end - start, '1');
    return { type: 'BGP_ROLE', role: b[start]! };
  },
  encodeValue(c, w) {
    w.u8(checkUint(c.role, 0xff, 'BGP_ROLE role'));
  },
  toJson(c) {
    return { role: BGP_ROLE_NAMES[c.role] ?? c.role };
  },
  fromJson(j, path) {
    onlyKeys(j, ['type', 'role'], path);
    return { type: 'BGP_ROLE', role: namedFromJson(field(j, 'role', path), `${path}.role`, BGP_ROLE_NAMES, 0xff, 'BGP role') };
  },
};
