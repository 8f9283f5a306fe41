/**
 * LONG_LIVED_GRACEFUL_RESTART capability (code 71, RFC 9494 s2): zero or more 7-octet tuples
 * AFI (2), SAFI (1), Flags (1; F = 0x80 Forwarding State, the other bits reserved and kept),
 * Long-lived Stale Time (3 octets, seconds). Owns only the value layout.
 */
import { CapabilityCode } from '../../iana/capability-code.js';
import {
  afiFromJson,
  afiToJson,
  expectArray,
  expectInt,
  expectObject,
  field,
  onlyKeys,
  safiFromJson,
  safiToJson,
} from '../../json/json-util.js';
import { readU16 } from '../bytes.js';
import { badLength, checkUint, optionalBoolean, type CapabilityCodec } from './capability-codec.js';
import { FORWARDING_STATE_BIT } from './graceful-restart.js';

export interface LongLivedGracefulRestartAf {
  readonly afi: number;
  readonly safi: number;
  /** F bit: forwarding state was preserved for this family. */
  readonly forwardingState: boolean;
  /** The other 7 bits of the Flags octet (mask 0x7f); present only when non-zero. */
  readonly reservedFlags?: number | undefined;
  /** Long-lived Stale Time, 0..16777215 seconds. */
  readonly longLivedStaleTimeSec: number;
}

export interface LongLivedGracefulRestartCapability {
  readonly type: 'LONG_LIVED_GRACEFUL_RESTART';
  readonly afs: readonly LongLivedGracefulRestartAf[];
}

export const longLivedGracefulRestartCodec: CapabilityCodec<LongLivedGracefulRestartCapability> = {
  code: CapabilityCode.LONG_LIVED_GRACEFUL_RESTART,
  type: 'LONG_LIVED_GRACEFUL_RESTART',
  rfc: 'RFC 9494 s2',
  decode(b, start, end) {
    const len = end - start;
    if (len % 7 !== 0) return badLength(len, 'a multiple of 7');
    const afs: LongLivedGracefulRestartAf[] = [];
    for (let i = start; i < end; i += 7) {
      const flags = b[i + 3]!;
      const af: LongLivedGracefulRestartAf = {
        afi: readU16(b, i),
        safi: b[i + 2]!,
        forwardingState: (flags & FORWARDING_STATE_BIT) !== 0,
        longLivedStaleTimeSec: (b[i + 4]! << 16) | (b[i + 5]! << 8) | b[i + 6]!,
      };
      afs.push(flags & 0x7f ? { ...af, reservedFlags: flags & 0x7f } : af);
    }
    return { type: 'LONG_LIVED_GRACEFUL_RESTART', afs };
  },
  encodeValue(c, w) {
    for (const af of c.afs) {
      w.u16(checkUint(af.afi, 0xffff, 'LONG_LIVED_GRACEFUL_RESTART AFI'));
      w.u8(checkUint(af.safi, 0xff, 'LONG_LIVED_GRACEFUL_RESTART SAFI'));
      w.u8((af.forwardingState ? FORWARDING_STATE_BIT : 0) | checkUint(af.reservedFlags ?? 0, 0x7f, 'LONG_LIVED_GRACEFUL_RESTART reserved flags'));
      const t = checkUint(af.longLivedStaleTimeSec, 0xffffff, 'LONG_LIVED_GRACEFUL_RESTART long-lived stale time (s)');
      w.u8(t >>> 16);
      w.u16(t & 0xffff);
    }
  },
  toJson(c) {
    return {
      afs: c.afs.map((af) => ({
        afi: afiToJson(af.afi),
        safi: safiToJson(af.safi),
        forwardingState: af.forwardingState,
        ...(af.reservedFlags ? { reservedFlags: af.reservedFlags } : {}),
        longLivedStaleTimeSec: af.longLivedStaleTimeSec,
      })),
    };
  },
  fromJson(j, path) {
    onlyKeys(j, ['type', 'afs'], path);
    const afs = expectArray(field(j, 'afs', path), `${path}.afs`).map((a, i): LongLivedGracefulRestartAf => {
      const p = `${path}.afs[${i}]`;
      const o = expectObject(a, p);
      onlyKeys(o, ['afi', 'safi', 'forwardingState', 'reservedFlags', 'longLivedStaleTimeSec'], p);
      const af: LongLivedGracefulRestartAf = {
        afi: afiFromJson(field(o, 'afi', p), `${p}.afi`),
        safi: safiFromJson(field(o, 'safi', p), `${p}.safi`),
        forwardingState: optionalBoolean(o, 'forwardingState', p),
        longLivedStaleTimeSec: expectInt(field(o, 'longLivedStaleTimeSec', p), `${p}.longLivedStaleTimeSec`, 0, 0xffffff),
      };
      const reservedFlags = 'reservedFlags' in o ? expectInt(o['reservedFlags'], `${p}.reservedFlags`, 0, 0x7f) : 0;
      return reservedFlags ? { ...af, reservedFlags } : af;
    });
    return { type: 'LONG_LIVED_GRACEFUL_RESTART', afs };
  },
};
