/**
 * What the Loc-RIB shows: a path's summary (built once per shared path, on first use) and the
 * `show ip route` view of a prefix's cell. Pure; reads the shared path objects, changes nothing
 * but the summary cache.
 */
import { DECISION_STEPS, lossReason, type DecisionOptions } from './decision-process.js';
import { type Cell, LocPath } from './loc-rib-path.js';
import type { PathView, PrefixId, PrefixRoutes } from './loc-rib-types.js';
import { type PathSummary, pathSummary } from './path-summary.js';

export function summaryOf(r: LocPath | undefined): PathSummary | undefined {
  if (r === undefined) return undefined;
  return (r.summary ??= pathSummary(r, r.nextHops, r.attributes, r.stale));
}

/** The view of one prefix that has at least one path. */
export function cellView(id: PrefixId, cell: Cell, options: DecisionOptions): PrefixRoutes {
  if (cell instanceof LocPath) {
    const best = summaryOf(cell)!;
    return { ...id, best, decidedBy: undefined, multipath: cell.hops, paths: [{ ...best, best: true, multipath: true, lostAt: undefined, reason: undefined }] };
  }
  const best = cell.best;
  const lostAt = cell.lostAt;
  const inMultipath = new Set(cell.multipath);
  const rest = cell.members.filter((r) => !inMultipath.has(r));
  const rank = (r: LocPath): number => DECISION_STEPS.indexOf(lostAt.get(r)!);
  rest.sort((a, b) => rank(b) - rank(a) || (a.peerAddressKey < b.peerAddressKey ? -1 : a.peerAddressKey > b.peerAddressKey ? 1 : a.pathId - b.pathId));
  const paths = [...cell.multipath, ...rest].map((r): PathView => {
    const step = r === best ? undefined : lostAt.get(r);
    return { ...summaryOf(r)!, best: r === best, multipath: inMultipath.has(r), lostAt: step, reason: step === undefined ? undefined : lossReason(step, options) };
  });
  return { ...id, best: summaryOf(best)!, decidedBy: cell.decidedBy, multipath: cell.hops, paths };
}
