/**
 * The PathAttribute union and the table of attribute codecs indexed by type code (one entry per
 * attribute, as BIRD's attribute table). Adding an attribute = one module + one line here.
 */
import type { AttributeCodec } from './attribute-codec.js';
import { type OriginAttribute, originCodec } from './origin.js';
import { type AsPathAttribute, asPathCodec } from './as-path.js';
import { type As4PathAttribute, as4PathCodec } from './as4-path.js';
import { type NextHopAttribute, nextHopCodec } from './next-hop.js';
import { type MpReachNlriAttribute, mpReachNlriCodec } from './mp-reach-nlri.js';
import { type MpUnreachNlriAttribute, mpUnreachNlriCodec } from './mp-unreach-nlri.js';
import { type MultiExitDiscAttribute, multiExitDiscCodec } from './multi-exit-disc.js';
import { type LocalPrefAttribute, localPrefCodec } from './local-pref.js';
import { type AtomicAggregateAttribute, atomicAggregateCodec } from './atomic-aggregate.js';
import { type AggregatorAttribute, aggregatorCodec } from './aggregator.js';
import { type As4AggregatorAttribute, as4AggregatorCodec } from './as4-aggregator.js';
import { type CommunitiesAttribute, communitiesCodec } from './communities.js';
import { type OriginatorIdAttribute, originatorIdCodec } from './originator-id.js';
import { type ClusterListAttribute, clusterListCodec } from './cluster-list.js';
import { type OtcAttribute, otcCodec } from './otc.js';
import { type ExtendedCommunitiesAttribute, extendedCommunitiesCodec } from './extended-communities.js';
import { type LargeCommunityAttribute, largeCommunityCodec } from './large-community.js';
import type { UnknownAttribute } from './unknown-attribute.js';

export type PathAttribute =
  | OriginAttribute
  | AsPathAttribute
  | NextHopAttribute
  | MultiExitDiscAttribute
  | LocalPrefAttribute
  | AtomicAggregateAttribute
  | AggregatorAttribute
  | CommunitiesAttribute
  | OriginatorIdAttribute
  | ClusterListAttribute
  | MpReachNlriAttribute
  | MpUnreachNlriAttribute
  | As4PathAttribute
  | As4AggregatorAttribute
  | ExtendedCommunitiesAttribute
  | LargeCommunityAttribute
  | OtcAttribute
  | UnknownAttribute;

export type KnownAttribute = Exclude<PathAttribute, UnknownAttribute>;
export type AttributeName = KnownAttribute['type'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAttributeCodec = AttributeCodec<any>;

const CODECS: AnyAttributeCodec[] = [
  originCodec,
  asPathCodec,
  nextHopCodec,
  multiExitDiscCodec,
  localPrefCodec,
  atomicAggregateCodec,
  aggregatorCodec,
  communitiesCodec,
  originatorIdCodec,
  clusterListCodec,
  mpReachNlriCodec,
  mpUnreachNlriCodec,
  as4PathCodec,
  as4AggregatorCodec,
  extendedCommunitiesCodec,
  largeCommunityCodec,
  otcCodec,
];

/** Codec by type code (undefined for attributes kept raw). */
export const CODEC_BY_CODE: ReadonlyArray<AnyAttributeCodec | undefined> = (() => {
  const t: (AnyAttributeCodec | undefined)[] = new Array(256).fill(undefined);
  for (const c of CODECS) t[c.typeCode] = c;
  return t;
})();

/** Codec by attribute name ("AS_PATH"). */
export const CODEC_BY_NAME: ReadonlyMap<string, AnyAttributeCodec> = new Map(CODECS.map((c) => [c.type, c]));

export function codecFor(a: PathAttribute): AnyAttributeCodec | undefined {
  return a.type === 'UNKNOWN' ? undefined : CODEC_BY_NAME.get(a.type);
}

/** Type code of an attribute. */
export function attributeTypeCode(a: PathAttribute): number {
  return a.type === 'UNKNOWN' ? a.typeCode : CODEC_BY_NAME.get(a.type)!.typeCode;
}

/** Finds the first attribute of a kind: `findAttribute(update.attributes, 'AS_PATH')`. */
export function findAttribute<N extends PathAttribute['type']>(attributes: readonly PathAttribute[], type: N): Extract<PathAttribute, { type: N }> | undefined {
  for (const a of attributes) if (a.type === type) return a as Extract<PathAttribute, { type: N }>;
  return undefined;
}
