/**
 * The eleven optional path attribute codecs owned by the "attributes" area (MULTI_EXIT_DISC ..
 * OTC), for tests that run the same checks over each of them. Owns no codec logic.
 */
import { type AttributeCodec } from '../../src/bgp/codec/attributes/attribute-codec.js';
import { multiExitDiscCodec } from '../../src/bgp/codec/attributes/multi-exit-disc.js';
import { localPrefCodec } from '../../src/bgp/codec/attributes/local-pref.js';
import { atomicAggregateCodec } from '../../src/bgp/codec/attributes/atomic-aggregate.js';
import { aggregatorCodec } from '../../src/bgp/codec/attributes/aggregator.js';
import { as4AggregatorCodec } from '../../src/bgp/codec/attributes/as4-aggregator.js';
import { communitiesCodec } from '../../src/bgp/codec/attributes/communities.js';
import { extendedCommunitiesCodec } from '../../src/bgp/codec/attributes/extended-communities.js';
import { largeCommunityCodec } from '../../src/bgp/codec/attributes/large-community.js';
import { originatorIdCodec } from '../../src/bgp/codec/attributes/originator-id.js';
import { clusterListCodec } from '../../src/bgp/codec/attributes/cluster-list.js';
import { otcCodec } from '../../src/bgp/codec/attributes/otc.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCodec = AttributeCodec<any>;

export const OPTIONAL_ATTRIBUTE_CODECS: readonly AnyCodec[] = [
  multiExitDiscCodec,
  localPrefCodec,
  atomicAggregateCodec,
  aggregatorCodec,
  as4AggregatorCodec,
  communitiesCodec,
  extendedCommunitiesCodec,
  largeCommunityCodec,
  originatorIdCodec,
  clusterListCodec,
  otcCodec,
];
