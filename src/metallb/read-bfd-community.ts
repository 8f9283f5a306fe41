/**
 * BFDProfile (intervals in ms: receiveInterval / transmitInterval 10..60000 default 300,
 * echoInterval 10..60000 default 50, detectMultiplier 2..255 default 3, echoMode, passiveMode,
 * minimumTtl 1..254 default 254), Community (named aliases of community values) and the
 * basic-auth Secret a BGPPeer's passwordSecret names.
 */
import { BFD_PROFILE_DEFAULTS } from '../bfd/bfd-config.js';
import { type BgpCommunity, parseMetalLbCommunity } from './community.js';
import type { FieldReader } from './field-reader.js';
import type { BfdProfileResource } from './resources.js';

export const BFD_SPEC_FIELDS = ['receiveInterval', 'transmitInterval', 'detectMultiplier', 'echoInterval', 'echoMode', 'passiveMode', 'minimumTtl'] as const;

export function readBfdProfile(r: FieldReader): BfdProfileResource | undefined {
  const d = r.doc;
  const spec = r.object(d.body, 'spec', '', false) ?? {};
  r.unknownKeys(spec, 'spec', BFD_SPEC_FIELDS, { echo: 'did you mean echoMode?', minimumTTL: 'did you mean minimumTtl?' });
  const before = r.errorCount;
  const x = BFD_PROFILE_DEFAULTS;
  const profile: BfdProfileResource = {
    name: d.name,
    receiveInterval: r.int(spec, 'receiveInterval', 'spec', 10, 60000, ' (ms)') ?? x.receiveInterval,
    transmitInterval: r.int(spec, 'transmitInterval', 'spec', 10, 60000, ' (ms)') ?? x.transmitInterval,
    detectMultiplier: r.int(spec, 'detectMultiplier', 'spec', 2, 255) ?? x.detectMultiplier,
    echoInterval: r.int(spec, 'echoInterval', 'spec', 10, 60000, ' (ms)') ?? x.echoInterval,
    echoMode: r.bool(spec, 'echoMode', 'spec') ?? x.echoMode,
    passiveMode: r.bool(spec, 'passiveMode', 'spec') ?? x.passiveMode,
    minimumTtl: r.int(spec, 'minimumTtl', 'spec', 1, 254) ?? x.minimumTtl,
    source: { document: d.index, fileName: d.fileName },
  };
  return r.errorCount > before ? undefined : Object.freeze(profile);
}

/** Adds the aliases of one Community resource to `into`, reporting bad values and names defined twice. */
export function readCommunityAliases(r: FieldReader, into: Map<string, BgpCommunity>): void {
  const spec = r.object(r.doc.body, 'spec', '', false) ?? {};
  r.unknownKeys(spec, 'spec', ['communities']);
  (r.list(spec, 'communities', 'spec') ?? []).forEach((v, i) => {
    const field = `spec.communities[${i}]`;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      r.error(field, 'must be a mapping with name and value');
      return;
    }
    const o = v as Record<string, unknown>;
    r.unknownKeys(o, field, ['name', 'value']);
    const name = r.string(o, 'name', field, true);
    const value = r.string(o, 'value', field, true);
    if (name === undefined || value === undefined) return;
    const c = parseMetalLbCommunity(value);
    if (typeof c === 'string') r.error(`${field}.value`, c);
    else if (into.has(name)) r.error(`${field}.name`, `alias ${JSON.stringify(name)} is defined twice`);
    else into.set(name, c);
  });
}

/** The password of a kubernetes.io/basic-auth Secret (data.password base64, or stringData.password). */
export function readSecretPassword(r: FieldReader): string | undefined {
  const b = r.doc.body;
  if (b['type'] !== 'kubernetes.io/basic-auth') {
    r.error('type', `${JSON.stringify(b['type'])} must be kubernetes.io/basic-auth for a BGP password`);
    return undefined;
  }
  const stringData = r.object(b, 'stringData', '');
  const s = stringData === undefined ? undefined : r.string(stringData, 'password', 'stringData');
  if (s !== undefined) return s;
  const data = r.object(b, 'data', '');
  const enc = data === undefined ? undefined : r.string(data, 'password', 'data');
  if (enc === undefined) {
    r.error('data.password', 'missing: the Secret has no password');
    return undefined;
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(enc)) {
    r.error('data.password', 'must be base64');
    return undefined;
  }
  return Buffer.from(enc, 'base64').toString('utf8');
}
