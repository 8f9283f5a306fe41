/**
 * GRACEFUL_RESTART capability (code 64, RFC 4724 s3, N bit RFC 8538 s2): Restart Flags (4 bits:
 * R = 0x8 Restart State, N = 0x4 Graceful Notification, 2 reserved bits), Restart Time in seconds
 * (12 bits), then zero or more (AFI 2, SAFI 1, Flags 1) tuples whose Flags carry F = 0x80
 * (Forwarding State). Every reserved bit is kept so the value re-encodes identically. Owns only
 * the value layout; restart procedures belong to the session.
 */
// binary-parser's package.json "exports" has no "types" entry, so under NodeNext resolution only
// this subpath (allowed by its "./*" export) carries type declarations; it is the CJS build.
import { Parser } from 'binary-parser/dist/binary_parser.js';
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
  type JsonObject,
} from '../../json/json-util.js';
import { readU16 } from '../bytes.js';
import { badLength, checkUint, optionalBoolean, type CapabilityCodec } from './capability-codec.js';

/** Restart Flags bits, as they sit in the 4-bit field. */
export const GracefulRestartFlag = { RESTART_STATE: 0x8, GRACEFUL_NOTIFICATION: 0x4 } as const;
/** The per-AFI/SAFI Flags octet's F bit. */
export const FORWARDING_STATE_BIT = 0x80;

export interface GracefulRestartAf {
  readonly afi: number;
  readonly safi: number;
  /** F bit: forwarding state was preserved for this family. */
  readonly forwardingState: boolean;
  /** The other 7 bits of the Flags octet (mask 0x7f); present only when non-zero. */
  readonly reservedFlags?: number | undefined;
}

export interface GracefulRestartCapability {
  readonly type: 'GRACEFUL_RESTART';
  /** R bit (RFC 4724): the speaker has restarted. */
  readonly restartState: boolean;
  /** N bit (RFC 8538): the speaker supports Graceful Restart for NOTIFICATION messages. */
  readonly gracefulNotification: boolean;
  /** The two reserved Restart Flags bits (mask 0x3 of the 4-bit field); present only when non-zero. */
  readonly reservedFlags?: number | undefined;
  /** Restart Time, 0..4095 seconds. */
  readonly restartTimeSec: number;
  /** Zero or more families, in wire order. */
  readonly afs: readonly GracefulRestartAf[];
}

/** The 2-octet Restart Flags / Restart Time header: a fixed bit layout, clearest declared. */
const headerParser = new Parser()
  .endianness('big')
  .bit1('restartState')
  .bit1('gracefulNotification')
  .bit2('reservedFlags')
  .bit12('restartTimeSec');

interface Header {
  restartState: number;
  gracefulNotification: number;
  reservedFlags: number;
  restartTimeSec: number;
}

export const gracefulRestartCodec: CapabilityCodec<GracefulRestartCapability> = {
  code: CapabilityCode.GRACEFUL_RESTART,
  type: 'GRACEFUL_RESTART',
  rfc: 'RFC 4724 s3',
  decode(b, start, end) {
    const len = end - start;
    if (len < 2 || (len - 2) % 4 !== 0) return badLength(len, '2 + 4 per AFI/SAFI');
    const h = headerParser.parse(b.subarray(start, start + 2)) as Header;
    const afs: GracefulRestartAf[] = [];
    for (let i = start + 2; i < end; i += 4) {
      const flags = b[i + 3]!;
      const af: GracefulRestartAf = { afi: readU16(b, i), safi: b[i + 2]!, forwardingState: (flags & FORWARDING_STATE_BIT) !== 0 };
      afs.push(flags & 0x7f ? { ...af, reservedFlags: flags & 0x7f } : af);
    }
    const c: GracefulRestartCapability = {
      type: 'GRACEFUL_RESTART',
      restartState: h.restartState === 1,
      gracefulNotification: h.gracefulNotification === 1,
      restartTimeSec: h.restartTimeSec,
      afs,
    };
    return h.reservedFlags ? { ...c, reservedFlags: h.reservedFlags } : c;
  },
  encodeValue(c, w) {
    const flags =
      (c.restartState ? GracefulRestartFlag.RESTART_STATE : 0) |
      (c.gracefulNotification ? GracefulRestartFlag.GRACEFUL_NOTIFICATION : 0) |
      checkUint(c.reservedFlags ?? 0, 0x3, 'GRACEFUL_RESTART reserved flags');
    w.u16((flags << 12) | checkUint(c.restartTimeSec, 0xfff, 'GRACEFUL_RESTART restart time (s)'));
    for (const af of c.afs) {
      w.u16(checkUint(af.afi, 0xffff, 'GRACEFUL_RESTART AFI'));
      w.u8(checkUint(af.safi, 0xff, 'GRACEFUL_RESTART SAFI'));
      w.u8((af.forwardingState ? FORWARDING_STATE_BIT : 0) | checkUint(af.reservedFlags ?? 0, 0x7f, 'GRACEFUL_RESTART AF reserved flags'));
    }
  },
  toJson(c) {
    return {
      restartState: c.restartState,
      gracefulNotification: c.gracefulNotification,
      ...(c.reservedFlags ? { reservedFlags: c.reservedFlags } : {}),
      restartTimeSec: c.restartTimeSec,
      afs: c.afs.map((af) => ({
        afi: afiToJson(af.afi),
        safi: safiToJson(af.safi),
        forwardingState: af.forwardingState,
        ...(af.reservedFlags ? { reservedFlags: af.reservedFlags } : {}),
      })),
    };
  },
  fromJson(j, path) {
    onlyKeys(j, ['type', 'restartState', 'gracefulNotification', 'reservedFlags', 'restartTimeSec', 'afs'], path);
    const reservedFlags = 'reservedFlags' in j ? expectInt(j['reservedFlags'], `${path}.reservedFlags`, 0, 0x3) : 0;
    const afs = 'afs' in j ? expectArray(j['afs'], `${path}.afs`).map((a, i) => afFromJson(a, `${path}.afs[${i}]`)) : [];
    const c: GracefulRestartCapability = {
      type: 'GRACEFUL_RESTART',
      restartState: optionalBoolean(j, 'restartState', path),
      gracefulNotification: optionalBoolean(j, 'gracefulNotification', path),
      restartTimeSec: expectInt(field(j, 'restartTimeSec', path), `${path}.restartTimeSec`, 0, 0xfff),
      afs,
    };
    return reservedFlags ? { ...c, reservedFlags } : c;
  },
};

function afFromJson(a: unknown, path: string): GracefulRestartAf {
  const o: JsonObject = expectObject(a, path);
  onlyKeys(o, ['afi', 'safi', 'forwardingState', 'reservedFlags'], path);
  const af: GracefulRestartAf = {
    afi: afiFromJson(field(o, 'afi', path), `${path}.afi`),
    safi: safiFromJson(field(o, 'safi', path), `${path}.safi`),
    forwardingState: optionalBoolean(o, 'forwardingState', path),
  };
  const reservedFlags = 'reservedFlags' in o ? expectInt(o['reservedFlags'], `${path}.reservedFlags`, 0, 0x7f) : 0;
  return reservedFlags ? { ...af, reservedFlags } : af;
}
