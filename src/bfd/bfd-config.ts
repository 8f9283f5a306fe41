/**
 * A BFD profile as MetalLB's BFDProfile defines it (intervals in milliseconds), with defaults and
 * validation. Every bad value is a BgpError `ERR_CONFIG_INVALID` naming the field and what is
 * allowed. Owns no state; never touches sockets.
 */
import { BgpError } from '../bgp/errors.js';

export interface BfdProfile {
  /** Minimum interval at which we can receive Control packets (Required Min RX). 10..60000 ms, default 300. */
  readonly receiveInterval?: number | undefined;
  /** Minimum interval at which we want to send Control packets (Desired Min TX). 10..60000 ms, default 300. */
  readonly transmitInterval?: number | undefined;
  /** Detect Multiplier: packets that may be lost before the session is declared down. 2..255, default 3. */
  readonly detectMultiplier?: number | undefined;
  /** Echo packet interval. 10..60000 ms, default 50. */
  readonly echoInterval?: number | undefined;
  /** Use the Echo function. Default false. */
  readonly echoMode?: boolean | undefined;
  /** Passive role (RFC 5880 s6.1): do not send until the peer has sent. Default false. */
  readonly passiveMode?: boolean | undefined;
  /** Lowest TTL accepted on received packets (multi-hop). 1..254, default 254. */
  readonly minimumTtl?: number | undefined;
}

/** The profile with every default applied. */
export interface ResolvedBfdProfile {
  readonly receiveInterval: number;
  readonly transmitInterval: number;
  readonly detectMultiplier: number;
  readonly echoInterval: number;
  readonly echoMode: boolean;
  readonly passiveMode: boolean;
  readonly minimumTtl: number;
}

export const BFD_PROFILE_DEFAULTS: ResolvedBfdProfile = {
  receiveInterval: 300,
  transmitInterval: 300,
  detectMultiplier: 3,
  echoInterval: 50,
  echoMode: false,
  passiveMode: false,
  minimumTtl: 254,
};

function configError(field: string, message: string): BgpError {
  return new BgpError('ERR_CONFIG_INVALID', `${field}: ${message}`);
}

function int(v: unknown, field: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw configError(field, `must be an integer in ${min}..${max} (got ${JSON.stringify(v)})`);
  }
  return v;
}

function bool(v: unknown, field: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw configError(field, `must be true or false (got ${JSON.stringify(v)})`);
  return v;
}

/** Applies defaults and validates. Throws BgpError ERR_CONFIG_INVALID naming the field. */
export function resolveBfdProfile(p: BfdProfile = {}): ResolvedBfdProfile {
  if (typeof p !== 'object' || p === null) throw configError('profile', 'must be an object');
  const d = BFD_PROFILE_DEFAULTS;
  return {
    receiveInterval: int(p.receiveInterval, 'receiveInterval', 10, 60000, d.receiveInterval),
    transmitInterval: int(p.transmitInterval, 'transmitInterval', 10, 60000, d.transmitInterval),
    detectMultiplier: int(p.detectMultiplier, 'detectMultiplier', 2, 255, d.detectMultiplier),
    echoInterval: int(p.echoInterval, 'echoInterval', 10, 60000, d.echoInterval),
    echoMode: bool(p.echoMode, 'echoMode', d.echoMode),
    passiveMode: bool(p.passiveMode, 'passiveMode', d.passiveMode),
    minimumTtl: int(p.minimumTtl, 'minimumTtl', 1, 254, d.minimumTtl),
  };
}
