/**
 * The demo's printed report: the tables a person reads at a glance (Service, sessions, router
 * views, the failure drill) and the JSON document for machines. Formatting only.
 */
import { formatTable } from '../cli/allocate.js';
import type { RouterRow } from './demo-router.js';
import { formatMs } from './timeline.js';

export interface DrillResult {
  readonly failure: string;
  readonly detectedBy: string;
  /** ms from the failure to the detection event at the slower router, when there is one. */
  readonly detectedMs: number | undefined;
  /** ms from the failure until both routers had the expected next hops; undefined: not reached. */
  readonly routeMs: number | undefined;
  readonly hopsBefore: readonly string[];
  readonly hopsAfter: readonly string[];
  readonly expected: readonly string[];
  readonly ok: boolean;
}

export function serviceTable(rows: readonly { namespace: string; name: string; ip: string; ports: string }[]): string {
  return formatTable(
    ['NAMESPACE', 'NAME', 'TYPE', 'EXTERNAL-IP', 'PORT(S)'],
    rows.map((r) => [r.namespace, r.name, 'LoadBalancer', r.ip, r.ports]),
  );
}

export function sessionTable(rows: readonly RouterRow[]): string {
  return formatTable(
    ['ROUTER', 'NEIGHBOR', 'NODE', 'BGP', 'BFD', 'FOR', 'PFX RCVD'],
    rows.map((r) => [r.router, r.neighbor, r.node, r.bgp, r.bfd, formatMs(r.forMs), String(r.prefixesReceived)]),
  );
}

export function drillTable(results: readonly DrillResult[]): string {
  return formatTable(
    ['FAILURE', 'DETECTED BY', 'DETECTED', 'ROUTE CONVERGED', 'NEXT HOPS'],
    results.map((r) => [
      r.failure,
      r.detectedBy,
      r.detectedMs === undefined ? '-' : formatMs(r.detectedMs),
      r.routeMs === undefined ? 'NOT REACHED' : formatMs(r.routeMs),
      `${r.hopsBefore.length} -> ${r.hopsAfter.length}`,
    ]),
  );
}
