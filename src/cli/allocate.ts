/**
 * `tsbgp allocate --config FILE [--config FILE ...] [--node NAME] [--json] [--load-balancer-class C]`:
 * loads a MetalLB configuration (with the Services, EndpointSlices and Nodes in the same files),
 * assigns Service IPs by MetalLB's rules and prints the LoadBalancer Services with their
 * EXTERNAL-IP as a table like `kubectl get svc -A`, or one JSON document with `--json`. With
 * `--node`, also what that node announces for each Service and to which peers.
 *
 * Owns: the flags, reading the files, the table / JSON output and the exit status (0 loaded, even
 * with pending Services; 1 invalid config or unreadable file; 2 usage). The allocation and the
 * plan themselves are src/metallb's (pure); this file only reads and prints.
 */
import { parseArgs } from 'node:util';
import {
  type AnnouncementStatus,
  type LoadResult,
  type ServicePort,
  MetalLbConfigError,
  allocateServiceIps,
  formatIssue,
  loadMetalLbConfig,
  planAnnouncements,
} from '../metallb/index.js';
import { type CliIo, UsageError } from './io.js';
import { readSources } from './metallb-files.js';

export const ALLOCATE_USAGE = `usage: tsbgp allocate --config FILE [--config FILE ...] [--node NAME] [--json] [--load-balancer-class C]
  Loads MetalLB resources, Services, EndpointSlices and Nodes from the YAML files, assigns Service
  IPs by MetalLB's rules and prints the Services like \`kubectl get svc -A\`. Unlike kubectl, only
  Services of type LoadBalancer (of the given class; default: without a loadBalancerClass) are
  listed: those are the ones MetalLB serves. A Service without an IP shows <pending>, and why is
  printed on stderr.
  --config FILE              multi-document YAML; repeat for more files (required)
  --node NAME                add ANNOUNCED (that node's status: yes, noLocalEndpoints, noEndpoints,
                             nodeExcluded, noAdvertisement, notAllocated) and PEERS columns
  --json                     one JSON document on stdout: {services, failures, warnings}
  --load-balancer-class C    serve Services of spec.loadBalancerClass C
exit status: 0 loaded (also with pending Services), 1 invalid configuration or unreadable file, 2 usage`;

interface AllocateFlags {
  readonly files: readonly string[];
  readonly node: string | undefined;
  readonly json: boolean;
  readonly loadBalancerClass: string | undefined;
  readonly help: boolean;
}

/** One listed Service: what the table row and the JSON object are made of. */
interface Row {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly externalIPs: readonly string[];
  readonly ports: readonly ServicePort[];
  readonly pool: string | null;
  readonly node?: { readonly status: AnnouncementStatus; readonly peers: readonly string[] };
}

function parseFlags(argv: string[]): AllocateFlags {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        config: { type: 'string', multiple: true },
        node: { type: 'string' },
        json: { type: 'boolean', default: false },
        'load-balancer-class': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (tsbgp allocate --help)`);
  }
  const v = parsed.values;
  const files = v.config ?? [];
  if (!v.help && files.length === 0) throw new UsageError('--config FILE is required (tsbgp allocate --help)');
  if (files.some((f) => f === '')) throw new UsageError('--config takes a file name');
  if (v.node === '') throw new UsageError('--node takes a node name');
  if (v['load-balancer-class'] === '') throw new UsageError('--load-balancer-class takes a class name');
  return { files, node: v.node, json: v.json, loadBalancerClass: v['load-balancer-class'], help: v.help };
}

/** `443/TCP,53/UDP` as kubectl prints ports (without node ports, which a standalone config has none of). */
export function formatPorts(ports: readonly ServicePort[]): string {
  return ports.length === 0 ? '<none>' : ports.map((p) => `${p.port}/${p.protocol}`).join(',');
}

/** Columns padded to the widest cell plus three spaces, as kubectl does; no trailing spaces. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3)))
      .join('')
      .trimEnd();
  return [header, ...rows].map(line).join('\n') + '\n';
}

function buildRows(load: LoadResult, flags: AllocateFlags): { rows: Row[]; failures: readonly { service: string; reason: string }[]; notes: string[] } {
  const { config } = load;
  const allocation = allocateServiceIps(config, { loadBalancerClass: flags.loadBalancerClass });
  const notes: string[] = [];
  let plan: ReadonlyMap<string, { status: AnnouncementStatus; peers: readonly string[] }> | undefined;
  if (flags.node !== undefined) {
    const p = planAnnouncements(config, allocation, flags.node);
    plan = new Map(p.services.map((s) => [s.service, { status: s.status, peers: s.peers }]));
    if (config.nodes.length > 0 && !config.nodes.some((n) => n.name === flags.node)) {
      notes.push(`node ${JSON.stringify(flags.node)} is not among the Nodes of the configuration (${config.nodes.map((n) => n.name).join(', ')})`);
    }
    notes.push(...p.conflicts);
  }
  const rows = config.services
    .filter((s) => s.type === 'LoadBalancer' && s.loadBalancerClass === flags.loadBalancerClass)
    .map((s): Row => {
      const a = allocation.assigned.get(s.key);
      const row: Row = { namespace: s.namespace, name: s.name, type: s.type, externalIPs: a?.ips ?? [], ports: s.ports, pool: a?.pool ?? null };
      const n = plan?.get(s.key);
      return n === undefined ? row : { ...row, node: { status: n.status, peers: n.peers } };
    });
  return { rows, failures: allocation.failures, notes };
}

function printTable(io: CliIo, rows: readonly Row[], withNode: boolean): void {
  const header = ['NAMESPACE', 'NAME', 'TYPE', 'EXTERNAL-IP', 'PORT(S)', 'POOL', ...(withNode ? ['ANNOUNCED', 'PEERS'] : [])];
  const cells = rows.map((r) => [
    r.namespace,
    r.name,
    r.type,
    r.externalIPs.length === 0 ? '<pending>' : r.externalIPs.join(','),
    formatPorts(r.ports),
    r.pool ?? '<none>',
    ...(r.node === undefined ? [] : [r.node.status === 'announced' ? 'yes' : r.node.status, r.node.peers.length > 0 ? r.node.peers.join(',') : '-']),
  ]);
  io.stdout.write(rows.length === 0 ? 'No LoadBalancer Services found.\n' : formatTable(header, cells));
}

export async function allocateCommand(argv: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.help) {
    io.stdout.write(`${ALLOCATE_USAGE}\n`);
    return 0;
  }
  const sources = await readSources(flags.files);
  if (typeof sources === 'string') {
    io.stderr.write(`tsbgp allocate: ${sources}\n`);
    return 1;
  }
  let load: LoadResult;
  try {
    load = loadMetalLbConfig(sources);
  } catch (e) {
    if (!(e instanceof MetalLbConfigError)) throw e;
    for (const issue of e.issues) io.stderr.write(`tsbgp allocate: ${formatIssue(issue)}\n`);
    return 1;
  }
  const { rows, failures, notes } = buildRows(load, flags);
  if (flags.json) {
    const warnings = [...load.warnings.map(formatIssue), ...notes];
    io.stdout.write(`${JSON.stringify({ services: rows, failures, warnings }, null, 2)}\n`);
    return 0;
  }
  for (const w of load.warnings) io.stderr.write(`tsbgp allocate: warning: ${formatIssue(w)}\n`);
  for (const n of notes) io.stderr.write(`tsbgp allocate: warning: ${n}\n`);
  printTable(io, rows, flags.node !== undefined);
  for (const f of failures) io.stderr.write(`tsbgp allocate: ${f.service}: ${f.reason}\n`);
  return 0;
}
