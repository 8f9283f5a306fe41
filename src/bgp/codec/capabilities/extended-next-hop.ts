/**
 * EXTENDED_NEXT_HOP capability (code 5, RFC 8950 s3): 6-octet tuples NLRI AFI (2), NLRI SAFI (2:
 * note two octets here), NextHop AFI (2). Owns only the value layout.
 */
import { CapabilityCode } from '../../iana/capability-code.js';
import { SAFI_NAMES } from '../../iana/afi-safi.js';
import { afiFromJson, afiToJson, expectArray, expectObject, field, namedFromJson, onlyKeys, safiToJson } from '../../json/json-util.js';
import { readU16 } from '../bytes.js';
import { badLength, checkUint, type CapabilityCodec } from './capability-codec.js';

export interface ExtendedNextHopTuple {
  readonly nlriAfi: number;
  /** Two octets on the wire (RFC 8950 s3). */
  readonly nlriSafi: number;
  readonly nextHopAfi: number;
}

export interface ExtendedNextHopCapability {
  readonly type: 'EXTENDED_NEXT_HOP';
  readonly tuples: readonly ExtendedNextHopTuple[];
}

export const extendedNextHopCodec: CapabilityCodec<ExtendedNextHopCapability> = {
  code: CapabilityCode.EXTENDED_NEXT_HOP,
  type: 'EXTENDED_NEXT_HOP',
  rfc: 'RFC 8950 s3',
  decode(b, start, end) {
    const len = end - start;
    if (len % 6 !== 0) return badLength(len, 'a multiple of 6');
    const tuples: ExtendedNextHopTuple[] = [];
    for (let i = start; i < end; i += 6) {
      tuples.push({ nlriAfi: readU16(b, i), nlriSafi: readU16(b, i + 2), nextHopAfi: readU16(b, i + 4) });
    }
    return { type: 'EXTENDED_NEXT_HOP', tuples };
  },
  encodeValue(c, w) {
    for (const t of c.tuples) {
      w.u16(checkUint(t.nlriAfi, 0xffff, 'EXTENDED_NEXT_HOP NLRI AFI'));
      w.u16(checkUint(t.nlriSafi, 0xffff, 'EXTENDED_NEXT_HOP NLRI SAFI'));
      w.u16(checkUint(t.nextHopAfi, 0xffff, 'EXTENDED_NEXT_HOP NextHop AFI'));
    }
  },
  toJson(c) {
    return {
      tuples: c.tuples.map((t) => ({ nlriAfi: afiToJson(t.nlriAfi), nlriSafi: safiToJson(t.nlriSafi), nextHopAfi: afiToJson(t.nextHopAfi) })),
    };
  },
  fromJson(j, path) {
    onlyKeys(j, ['type', 'tuples'], path);
    const tuples = expectArray(field(j, 'tuples', path), `${path}.tuples`).map((a, i): ExtendedNextHopTuple => {
      const p = `${path}.tuples[${i}]`;
      const o = expectObject(a, p);
      onlyKeys(o, ['nlriAfi', 'nlriSafi', 'nextHopAfi'], p);
      return {
        nlriAfi: afiFromJson(field(o, 'nlriAfi', p), `${p}.nlriAfi`),
        nlriSafi: namedFromJson(field(o, 'nlriSafi', p), `${p}.nlriSafi`, SAFI_NAMES, 0xffff, 'SAFI'),
        nextHopAfi: afiFromJson(field(o, 'nextHopAfi', p), `${p}.nextHopAfi`),
      };
    });
    return { type: 'EXTENDED_NEXT_HOP', tuples };
  },
};
