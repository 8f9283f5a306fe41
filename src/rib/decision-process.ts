/**
 * The BGP decision process (RFC 4271 s9.1), pure: the degree of preference of a path (s9.1.1,
 * LOCAL_PREF), the tie-breaking rules that pick one best path out of the candidates for a prefix
 * (s9.1.2.2, with RFC 4456 s9 for ORIGINATOR_ID and CLUSTER_LIST), and the test for "equal to
 * the best path" that the multipath set is built from.
 *
 * Owns: the decision inputs of a path (`CandidatePath`), set-based selection (`selectBest`), the
 * pairwise comparison offered for explanation (`compareRoutes`, `explainComparison`) and the
 * multipath rules (`multipathEqual`, `selectMultipath`). Must not keep state, hold routes or emit
 * events: the Loc-RIB (loc-rib.ts) does that.
 *
 * The MULTI_EXIT_DISC step only compares paths from the same neighbour AS, so the pairwise
 * order is not transitive (three paths can beat each other in a cycle). Selection therefore
 * eliminates step by step over the whole candidate set, as RFC 4271 s9.1.2.2 specifies, and never
 * sorts with the pairwise comparator.
 */
import { ribError } from './rib-error.js';
import { parseAddress, parseIpv4 } from '../bgp/prefix/address.js';
import { asPathLength, AsPathSegmentType, type AsPathSegment } from '../bgp/codec/attributes/as-path-segments.js';
import type { PathAttribute } from '../bgp/codec/attributes/path-attribute.js';
import { Origin } from '../bgp/codec/attributes/origin.js';

/** The session a path was learned on. */
export interface PeerDescriptor {
  /** The peer's transport address: identifies the peer, and is the last tie-break (RFC 4271 s9.1.2.2 g). */
  readonly peerAddress: string;
  readonly peerAs: number;
  readonly localAs: number;
  /** The peer's BGP Identifier (dotted quad), from its OPEN. */
  readonly routerId: string;
  /** True for an internal peer (same AS). */
  readonly ibgp: boolean;
  /** Import policy's LOCAL_PREF for this peer's paths; overrides the attribute and the default. */
  readonly localPref?: number | undefined;
}

/** The tie-breaking steps, in the order they are applied. */
export const DECISION_STEPS = [
  'localPref',
  'asPathLength',
  'origin',
  'med',
  'ebgpOverIbgp',
  'igpCost',
  'routerId',
  'clusterListLength',
  'peerAddress',
  'pathId',
] as const;
export type DecisionStep = (typeof DECISION_STEPS)[number];

export interface DecisionOptions {
  /** LOCAL_PREF of paths without one (iBGP without the attribute, every eBGP path). Default 100. */
  readonly defaultLocalPref?: number | undefined;
  /** Compare MULTI_EXIT_DISC between paths from different neighbour ASes too (`bgp always-compare-med`). */
  readonly alwaysCompareMed?: boolean | undefined;
}

export interface MultipathOptions extends DecisionOptions {
  /** Largest multipath set (best path included) when the best path is eBGP. Default 1. */
  readonly maximumPaths?: number | undefined;
  /** Largest multipath set when the best path is iBGP. Default `maximumPaths`. */
  readonly maximumPathsIbgp?: number | undefined;
  /** Allow paths with AS_PATHs of equal length but different content (`bgp bestpath as-path multipath-relax`). */
  readonly asPathMultipathRelax?: boolean | undefined;
}

/** What the decision process reads of one path. Build with `candidatePath`. */
export interface CandidatePath {
  readonly peer: PeerDescriptor;
  /** RFC 7911 path identifier; 0 without ADD-PATH. */
  readonly pathId: number;
  /** The first next hop (IPv6: the global one); undefined when none is known. */
  readonly nextHop: string | undefined;
  /** Degree of preference (RFC 4271 s9.1.1). */
  readonly localPref: number;
  readonly asPath: readonly AsPathSegment[];
  /** AS_SET counts 1, confederation segments 0 (RFC 4271 s9.1.2.2 a, RFC 5065 s5.3). */
  readonly asPathLength: number;
  /** neighborAS() of RFC 4271 s9.1.2.2 c. */
  readonly neighborAs: number;
  readonly origin: number;
  /** MULTI_EXIT_DISC as received; the decision reads a missing one as 0. */
  readonly med: number | undefined;
  /** Cost to reach the next hop, when the embedder knows it (s9.1.2.2 e); the step is skipped otherwise. */
  readonly igpCost: number | undefined;
  /** ORIGINATOR_ID when present (RFC 4456 s9), else the peer's BGP Identifier; as a uint32. */
  readonly bgpIdentifier: number;
  readonly clusterListLength: number;
  /** Sortable form of the peer address: IPv4 before IPv6, numeric order within a family. */
  readonly peerAddressKey: string;
}

export interface CandidateInput {
  readonly peer: PeerDescriptor;
  readonly attributes: readonly PathAttribute[];
  readonly nextHop?: string | undefined;
  readonly pathId?: number | undefined;
  readonly igpCost?: number | undefined;
}

/** Sortable key of an IP address: "4" + 8 hex digits, or "6" + 32. Throws ERR_RIB_INVALID_ARGUMENT. */
export function addressKey(text: string): string {
  let bytes: Uint8Array;
  try {
    bytes = parseAddress(text).bytes;
  } catch (e) {
    throw ribError(`not an IP address: ${JSON.stringify(text)}`, e);
  }
  let hex = bytes.length === 4 ? '4' : '6';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

function identifier(text: string, what: string): number {
  try {
    return parseIpv4(text);
  } catch (e) {
    throw ribError(`${what} must be a dotted-quad BGP Identifier (got ${JSON.stringify(text)})`, e);
  }
}

/** neighborAS(): the first AS of a leading AS_SEQUENCE (or AS_CONFED_SEQUENCE: its member AS), else our AS. */
function neighborAsOf(segments: readonly AsPathSegment[], localAs: number): number {
  const first = segments[0];
  if (first !== undefined && (first.type === AsPathSegmentType.AS_SEQUENCE || first.type === AsPathSegmentType.AS_CONFED_SEQUENCE)) return first.asns[0]!;
  return localAs;
}

/**
 * Reads the decision inputs of a path from its attributes (RFC 4271 s9.1.1 phase 1). LOCAL_PREF:
 * the peer's configured value, else the attribute for iBGP, else `defaultLocalPref` (an eBGP
 * path's LOCAL_PREF attribute is ignored, RFC 4271 s5.1.5). A missing ORIGIN reads as
 * INCOMPLETE, a missing AS_PATH as empty.
 */
export function candidatePath(input: CandidateInput, options: DecisionOptions = {}): CandidatePath {
  const { peer } = input;
  let localPrefAttr: number | undefined;
  let asPath: readonly AsPathSegment[] = [];
  let origin: number = Origin.INCOMPLETE;
  let med: number | undefined;
  let originatorId: string | undefined;
  let clusterListLength = 0;
  for (const a of input.attributes) {
    if (a.type === 'LOCAL_PREF') localPrefAttr = a.localPref;
    else if (a.type === 'AS_PATH') asPath = a.segments;
    else if (a.type === 'ORIGIN') origin = a.origin;
    else if (a.type === 'MULTI_EXIT_DISC') med = a.med;
    else if (a.type === 'ORIGINATOR_ID') originatorId = a.originatorId;
    else if (a.type === 'CLUSTER_LIST') clusterListLength = a.clusterList.length;
  }
  const def = options.defaultLocalPref ?? 100;
  const localPref = peer.localPref ?? (peer.ibgp ? (localPrefAttr ?? def) : def);
  return {
    peer,
    pathId: input.pathId ?? 0,
    nextHop: input.nextHop,
    localPref,
    asPath,
    asPathLength: asPathLength(asPath),
    neighborAs: neighborAsOf(asPath, peer.localAs),
    origin,
    med,
    igpCost: input.igpCost,
    bgpIdentifier: originatorId === undefined ? identifier(peer.routerId, 'routerId') : identifier(originatorId, 'ORIGINATOR_ID'),
    clusterListLength,
    peerAddressKey: addressKey(peer.peerAddress),
  };
}

const medOf = (c: CandidatePath): number => c.med ?? 0;

/** True when the MULTI_EXIT_DISC of two paths may be compared. */
export function medComparable(a: CandidatePath, b: CandidatePath, options: DecisionOptions = {}): boolean {
  return options.alwaysCompareMed === true || a.neighborAs === b.neighborAs;
}

/**
 * One step between two paths: negative when `a` is preferred, positive when `b` is, 0 on a tie
 * (or when the step does not apply to the pair).
 */
function stepCompare(step: DecisionStep, a: CandidatePath, b: CandidatePath, options: DecisionOptions): number {
  switch (step) {
    case 'localPref':
      return b.localPref - a.localPref;
    case 'asPathLength':
      return a.asPathLength - b.asPathLength;
    case 'origin':
      return a.origin - b.origin;
    case 'med':
      return medComparable(a, b, options) ? medOf(a) - medOf(b) : 0;
    case 'ebgpOverIbgp':
      return Number(a.peer.ibgp) - Number(b.peer.ibgp);
    case 'igpCost':
      return a.igpCost === undefined || b.igpCost === undefined ? 0 : a.igpCost - b.igpCost;
    case 'routerId':
      return a.bgpIdentifier - b.bgpIdentifier;
    case 'clusterListLength':
      return a.clusterListLength - b.clusterListLength;
    case 'peerAddress':
      return a.peerAddressKey < b.peerAddressKey ? -1 : a.peerAddressKey > b.peerAddressKey ? 1 : 0;
    case 'pathId':
      return a.pathId - b.pathId;
  }
}

export interface ComparisonResult<T extends CandidatePath> {
  /** The preferred path; undefined when the two are equal at every step. */
  readonly winner: T | undefined;
  /** The step that decided. */
  readonly step: DecisionStep | undefined;
}

/**
 * Which of two paths is preferred, and at which step. Pairwise only: MULTI_EXIT_DISC is
 * compared only when both come from the same neighbour AS, so this order is not transitive; use
 * `selectBest` to choose among more than two paths.
 */
export function explainComparison<T extends CandidatePath>(a: T, b: T, options: DecisionOptions = {}): ComparisonResult<T> {
  for (const step of DECISION_STEPS) {
    const c = stepCompare(step, a, b, options);
    if (c !== 0) return { winner: c < 0 ? a : b, step };
  }
  return { winner: undefined, step: undefined };
}

/** Negative when `a` is preferred, positive when `b` is, 0 when equal. Not transitive (see `explainComparison`). */
export function compareRoutes(a: CandidatePath, b: CandidatePath, options: DecisionOptions = {}): number {
  const r = explainComparison(a, b, options);
  return r.winner === undefined ? 0 : r.winner === a ? -1 : 1;
}

export interface Selection<T extends CandidatePath> {
  /** The best path; undefined when there are no candidates. */
  readonly best: T | undefined;
  /** The step that left one path; undefined when there was only one candidate (or none). */
  readonly step: DecisionStep | undefined;
  /** For every other candidate, the step that removed it from consideration. */
  readonly lostAt: ReadonlyMap<T, DecisionStep>;
}

/** Keeps the candidates with the lowest `score`; records the step for the others. */
function keepLowest<T extends CandidatePath>(set: T[], step: DecisionStep, score: (c: T) => number, lostAt: Map<T, DecisionStep>): T[] {
  let min = Infinity;
  for (const c of set) min = Math.min(min, score(c));
  const kept: T[] = [];
  for (const c of set) {
    if (score(c) === min) kept.push(c);
    else lostAt.set(c, step);
  }
  return kept;
}

/**
 * RFC 4271 s9.1.2: the best of `candidates` (all paths for one prefix, with resolvable next
 * hops). Each step removes from consideration every path that is not tied for the best value
 * among those still under consideration, until one remains. The MULTI_EXIT_DISC step removes a
 * path when another path still under consideration, from the same neighbour AS, has a lower MED
 * (s9.1.2.2 c). Work is O(candidates x steps).
 */
export function selectBest<T extends CandidatePath>(candidates: Iterable<T>, options: DecisionOptions = {}): Selection<T> {
  let set = [...candidates];
  const lostAt = new Map<T, DecisionStep>();
  if (set.length <= 1) return { best: set[0], step: undefined, lostAt };
  for (const step of DECISION_STEPS) {
    switch (step) {
      case 'localPref':
        set = keepLowest(set, step, (c) => -c.localPref, lostAt);
        break;
      case 'asPathLength':
        set = keepLowest(set, step, (c) => c.asPathLength, lostAt);
        break;
      case 'origin':
        set = keepLowest(set, step, (c) => c.origin, lostAt);
        break;
      case 'med':
        set = eliminateByMed(set, options, lostAt);
        break;
      case 'ebgpOverIbgp':
        set = keepLowest(set, step, (c) => Number(c.peer.ibgp), lostAt);
        break;
      case 'igpCost':
        if (set.every((c) => c.igpCost !== undefined)) set = keepLowest(set, step, (c) => c.igpCost!, lostAt);
        break;
      case 'routerId':
        set = keepLowest(set, step, (c) => c.bgpIdentifier, lostAt);
        break;
      case 'clusterListLength':
        set = keepLowest(set, step, (c) => c.clusterListLength, lostAt);
        break;
      case 'peerAddress': {
        let min = set[0]!.peerAddressKey;
        for (const c of set) if (c.peerAddressKey < min) min = c.peerAddressKey;
        set = keepLowest(set, step, (c) => (c.peerAddressKey === min ? 0 : 1), lostAt);
        break;
      }
      case 'pathId':
        // Several ADD-PATH paths from one peer, alike in everything: a deterministic choice.
        set = keepLowest(set, step, (c) => c.pathId, lostAt);
        break;
    }
    if (set.length === 1) return { best: set[0], step, lostAt };
  }
  // Only identical (peer, path id) pairs can get here; callers key paths by them.
  return { best: set[0], step: 'pathId', lostAt };
}

/** s9.1.2.2 c: per neighbour AS (or over all paths with alwaysCompareMed), keep the lowest MED. */
function eliminateByMed<T extends CandidatePath>(set: T[], options: DecisionOptions, lostAt: Map<T, DecisionStep>): T[] {
  const always = options.alwaysCompareMed === true;
  const minByAs = new Map<number, number>();
  for (const c of set) {
    const k = always ? 0 : c.neighborAs;
    const m = minByAs.get(k);
    if (m === undefined || medOf(c) < m) minByAs.set(k, medOf(c));
  }
  const kept: T[] = [];
  for (const c of set) {
    if (medOf(c) === minByAs.get(always ? 0 : c.neighborAs)) kept.push(c);
    else lostAt.set(c, 'med');
  }
  return kept;
}

function sameSegments(a: readonly AsPathSegment[], b: readonly AsPathSegment[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.type !== y.type || x.asns.length !== y.asns.length) return false;
    for (let k = 0; k < x.asns.length; k++) if (x.asns[k] !== y.asns[k]) return false;
  }
  return true;
}

/**
 * True when `other` may share the load with `best`: both eBGP or both iBGP, equal through the
 * MULTI_EXIT_DISC step (LOCAL_PREF, AS_PATH length, ORIGIN, and MED where comparable), equal IGP
 * cost when known, and an identical AS_PATH (hence the same neighbour AS) unless
 * `asPathMultipathRelax`.
 */
export function multipathEqual(best: CandidatePath, other: CandidatePath, options: MultipathOptions = {}): boolean {
  if (best.peer.ibgp !== other.peer.ibgp) return false;
  for (const step of ['localPref', 'asPathLength', 'origin', 'med', 'igpCost'] as const) {
    if (stepCompare(step, best, other, options) !== 0) return false;
  }
  return options.asPathMultipathRelax === true || sameSegments(best.asPath, other.asPath);
}

/**
 * The multipath set: `best` first, then the paths `multipathEqual` to it in peer address (then
 * path id) order, skipping a path whose next hop is already in the set, up to `maximumPaths`
 * (`maximumPathsIbgp` when the best path is iBGP).
 */
export function selectMultipath<T extends CandidatePath>(best: T, candidates: Iterable<T>, options: MultipathOptions = {}): T[] {
  const limit = best.peer.ibgp ? (options.maximumPathsIbgp ?? options.maximumPaths ?? 1) : (options.maximumPaths ?? 1);
  const out: T[] = [best];
  if (limit <= 1) return out;
  const others: T[] = [];
  for (const c of candidates) if (c !== best && c.nextHop !== undefined && multipathEqual(best, c, options)) others.push(c);
  others.sort((a, b) => stepCompare('peerAddress', a, b, options) || a.pathId - b.pathId);
  const hops = new Set<string | undefined>([best.nextHop]);
  for (const c of others) {
    if (out.length >= limit) break;
    if (hops.has(c.nextHop)) continue;
    hops.add(c.nextHop);
    out.push(c);
  }
  return out;
}

const REASONS: Readonly<Record<DecisionStep, string>> = {
  localPref: 'lower LOCAL_PREF',
  asPathLength: 'longer AS_PATH',
  origin: 'higher ORIGIN',
  med: 'higher MULTI_EXIT_DISC than a path from the same neighbour AS',
  ebgpOverIbgp: 'learned over iBGP while an eBGP path remains',
  igpCost: 'higher IGP cost to the next hop',
  routerId: 'higher BGP Identifier (ORIGINATOR_ID when present)',
  clusterListLength: 'longer CLUSTER_LIST',
  peerAddress: 'higher peer address',
  pathId: 'higher path identifier from the same peer',
};

/** Why a path removed at `step` lost, in words ("longer AS_PATH"). */
export function lossReason(step: DecisionStep, options: DecisionOptions = {}): string {
  return step === 'med' && options.alwaysCompareMed === true ? 'higher MULTI_EXIT_DISC' : REASONS[step];
}
