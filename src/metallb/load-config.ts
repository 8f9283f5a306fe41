/**
 * Loads a MetalLB configuration from multi-document YAML: MetalLB's resources (IPAddressPool,
 * BGPPeer v1beta1/v1beta2, BGPAdvertisement, BFDProfile, Community), and the Kubernetes objects a
 * standalone speaker reads from the same files (Service, EndpointSlice, Node, Secret). Collects
 * every problem; throws one MetalLbConfigError listing them, or returns the validated config
 * with the warnings (unknown fields, ignored kinds).
 */
import { type ConfigIssue, MetalLbConfigError } from './errors.js';
import { FieldReader, type IssueSink } from './field-reader.js';
import type { BgpCommunity } from './community.js';
import { rangesOverlap } from './ip-range.js';
import { readBgpAdvertisement, resolveBgpAdvertisement, type ReadAdvertisement } from './read-advertisement.js';
import { readBfdProfile, readCommunityAliases, readSecretPassword } from './read-bfd-community.js';
import { readEndpointSlice, readNode, readService } from './read-kubernetes.js';
import { readBgpPeer, type ReadPeer } from './read-peer.js';
import { readIpAddressPool } from './read-pool.js';
import type { BfdProfileResource, BgpAdvertisementResource, BgpPeer, EndpointSliceResource, IpAddressPool, MetalLbConfig, NodeResource, ServiceResource } from './resources.js';
import { checkAdvertisementConflicts } from './config-checks.js';
import { type SourceDocument, type YamlSource, splitYamlDocuments } from './yaml-documents.js';

export interface LoadResult {
  readonly config: MetalLbConfig;
  /** Problems that do not stop the configuration: unknown fields, ignored kinds, unsupported options. */
  readonly warnings: readonly ConfigIssue[];
}

export interface ParseResult {
  /** Undefined when there are errors. */
  readonly config: MetalLbConfig | undefined;
  readonly errors: readonly ConfigIssue[];
  readonly warnings: readonly ConfigIssue[];
}

const METALLB_V1BETA1 = 'metallb.io/v1beta1';
const API_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  IPAddressPool: [METALLB_V1BETA1],
  BGPPeer: [METALLB_V1BETA1, 'metallb.io/v1beta2'],
  BGPAdvertisement: [METALLB_V1BETA1],
  BFDProfile: [METALLB_V1BETA1],
  Community: [METALLB_V1BETA1],
  Service: ['v1'],
  Node: ['v1'],
  Secret: ['v1'],
  EndpointSlice: ['discovery.k8s.io/v1', 'discovery.k8s.io/v1beta1'],
};
const NAMED_KINDS = ['IPAddressPool', 'BGPPeer', 'BGPAdvertisement', 'BFDProfile', 'Community', 'Secret', 'Node'];

function normalize(input: string | YamlSource | readonly YamlSource[]): readonly YamlSource[] {
  if (typeof input === 'string') return [{ text: input }];
  if (Array.isArray(input)) return input as readonly YamlSource[];
  return [input as YamlSource];
}

/** Validates without throwing: the config when there are no errors, and every issue found. */
export function parseMetalLbConfig(input: string | YamlSource | readonly YamlSource[]): ParseResult {
  const split = splitYamlDocuments(normalize(input));
  const sink: IssueSink = { errors: [...split.issues], warnings: [] };
  const seen = new Map<string, SourceDocument>();
  const pools: IpAddressPool[] = [];
  const peers: ReadPeer[] = [];
  const peerReaders = new Map<BgpPeer, FieldReader>();
  const bfdProfiles: BfdProfileResource[] = [];
  const advs: ReadAdvertisement[] = [];
  const aliases = new Map<string, BgpCommunity>();
  const secrets = new Map<string, string>();
  const services: ServiceResource[] = [];
  const slices: EndpointSliceResource[] = [];
  const nodes: NodeResource[] = [];
  for (const doc of split.documents) {
    const r = new FieldReader(doc, sink);
    const versions = API_VERSIONS[doc.kind];
    if (versions === undefined) {
      r.warn('kind', doc.kind === 'L2Advertisement' ? 'L2 mode is not supported by tsbgp (BGP only); ignored' : `${doc.kind} is not used by the BGP speaker; ignored`);
      continue;
    }
    if (!versions.includes(doc.apiVersion)) {
      r.error('apiVersion', `${JSON.stringify(doc.apiVersion)} must be ${versions.join(' or ')} for ${doc.kind}`);
      continue;
    }
    if (NAMED_KINDS.includes(doc.kind) || doc.kind === 'Service') {
      if (doc.name === '') {
        r.error('metadata.name', 'missing');
        continue;
      }
      const id = `${doc.kind}/${doc.kind === 'Service' ? `${doc.namespace || 'default'}/` : ''}${doc.name}`;
      const first = seen.get(id);
      if (first !== undefined) {
        r.error('metadata.name', `${doc.kind} ${JSON.stringify(doc.name)} is already defined by document ${first.index}${first.fileName !== undefined && first.fileName !== doc.fileName ? ` of ${first.fileName}` : ''}`);
        continue;
      }
      seen.set(id, doc);
    }
    switch (doc.kind) {
      case 'IPAddressPool': {
        const p = readIpAddressPool(r);
        if (p === undefined) break;
        for (const range of p.addresses) {
          const other = pools.find((q) => q.addresses.some((x) => rangesOverlap(x, range)));
          if (other !== undefined) r.error(`spec.addresses[${p.addresses.indexOf(range)}]`, `${JSON.stringify(range.text)} overlaps pool ${other.name} (document ${other.source.document})`);
        }
        pools.push(p);
        break;
      }
      case 'BGPPeer': {
        const p = readBgpPeer(r);
        if (p !== undefined) {
          peers.push(p);
          peerReaders.set(p.peer, r);
        }
        break;
      }
      case 'BGPAdvertisement': {
        const a = readBgpAdvertisement(r);
        if (a !== undefined) advs.push(a);
        break;
      }
      case 'BFDProfile': {
        const b = readBfdProfile(r);
        if (b !== undefined) bfdProfiles.push(b);
        break;
      }
      case 'Community':
        readCommunityAliases(r, aliases);
        break;
      case 'Secret': {
        const s = readSecretPassword(r);
        if (s !== undefined) secrets.set(doc.name, s);
        break;
      }
      case 'Service': {
        const s = readService(r);
        if (s !== undefined) services.push(s);
        break;
      }
      case 'EndpointSlice': {
        const s = readEndpointSlice(r);
        if (s !== undefined) slices.push(s);
        break;
      }
      default:
        nodes.push(readNode(r));
    }
  }
  const bfdNames = new Set(bfdProfiles.map((b) => b.name));
  const resolvedPeers: BgpPeer[] = [];
  for (const { peer, passwordSecret } of peers) {
    const r = peerReaders.get(peer)!;
    let p = peer;
    if (peer.bfdProfile !== undefined && !bfdNames.has(peer.bfdProfile)) {
      r.error('spec.bfdProfile', `no BFDProfile named ${JSON.stringify(peer.bfdProfile)} (known: ${[...bfdNames].sort().join(', ') || 'none'})`);
    }
    if (passwordSecret !== undefined) {
      const pw = secrets.get(passwordSecret);
      if (pw === undefined) r.error('spec.passwordSecret.name', `no Secret named ${JSON.stringify(passwordSecret)} of type kubernetes.io/basic-auth in the input`);
      else p = Object.freeze({ ...peer, password: pw });
    }
    const twin = resolvedPeers.find((q) => q.peerAddress === p.peerAddress && q.peerPort === p.peerPort && JSON.stringify(q.nodeSelectors) === JSON.stringify(p.nodeSelectors));
    if (twin !== undefined) r.error('spec.peerAddress', `${p.peerAddress} port ${p.peerPort} is already peered by BGPPeer ${twin.name} on the same nodes`);
    resolvedPeers.push(p);
  }
  const poolMap = new Map(pools.map((p) => [p.name, p]));
  const peerNames = new Set(resolvedPeers.map((p) => p.name));
  const advertisements: BgpAdvertisementResource[] = [];
  for (const a of advs) {
    const resolved = resolveBgpAdvertisement(a, poolMap, peerNames, aliases);
    if (resolved !== undefined) advertisements.push(resolved);
  }
  const readers = new Map(advs.map((a) => [a.name, a.reader]));
  checkAdvertisementConflicts(advertisements, poolMap, resolvedPeers, bfdProfiles, nodes, (adv, field, message) => readers.get(adv.name)!.error(field, message));
  if (sink.errors.length > 0) return { config: undefined, errors: sink.errors, warnings: sink.warnings };
  const byName = <T extends { name: string }>(list: T[]): T[] => list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const config: MetalLbConfig = Object.freeze({
    pools: byName(pools),
    peers: byName(resolvedPeers),
    bfdProfiles: byName(bfdProfiles),
    advertisements: byName(advertisements),
    communityAliases: aliases,
    services: services.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    endpointSlices: slices,
    nodes: byName(nodes),
  });
  return { config, errors: [], warnings: sink.warnings };
}

/** Validates; throws MetalLbConfigError (code ERR_METALLB_CONFIG) listing every problem. */
export function loadMetalLbConfig(input: string | YamlSource | readonly YamlSource[]): LoadResult {
  const r = parseMetalLbConfig(input);
  if (r.config === undefined) throw new MetalLbConfigError(r.errors);
  return { config: r.config, warnings: r.warnings };
}
