/**
 * `tsbgp allocate` in-process (injected streams): the kubectl-like table for the seed fixture
 * checked against the allocator's own result, column alignment, <pending> rows and their reasons
 * on stderr, --node's ANNOUNCED / PEERS, --json, several --config files, invalid YAML, a missing
 * file and usage errors with their exit statuses.
 */
import t, { type Test } from 'tap';
import { Readable } from 'node:stream';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { main } from '../src/cli/main.js';
import { formatTable } from '../src/cli/allocate.js';
import { allocateServiceIps, loadMetalLbConfig } from '../src/metallb/index.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(['allocate', ...argv], {
    stdin: Readable.from(['']),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
  });
  return { code, out, err };
}

const SEED = new URL('fixtures/metallb/bgp-mode.yaml', import.meta.url).pathname;
const M = 'metallb.io/v1beta1';
const docs = (...objs: unknown[]): string => objs.map((o) => stringify(o)).join('---\n');
const pool = (name: string, addresses: string[], spec: Record<string, unknown> = {}) => ({ apiVersion: M, kind: 'IPAddressPool', metadata: { name }, spec: { addresses, ...spec } });
const svc = (name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, ...metadata },
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...spec },
});

/** Writes files into a fresh temp directory removed after the test; returns their paths. */
async function tempFiles(t: Test, files: Record<string, string>): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbgp-allocate-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    paths[name] = join(dir, name);
    await writeFile(paths[name], text);
  }
  return paths;
}

/** Splits table lines into cells at the header's column starts, and checks every cell starts there. */
function columns(t: Test, out: string): string[][] {
  const lines = out.trimEnd().split('\n');
  const header = lines[0]!;
  const starts = [...header.matchAll(/\S+/g)].map((m) => m.index);
  for (const line of lines) {
    t.equal(line, line.trimEnd(), `no trailing spaces: ${JSON.stringify(line)}`);
    for (const s of starts.slice(1)) t.equal(line[s - 1], ' ', `a column starts at ${s} in ${JSON.stringify(line)}`);
  }
  return lines.map((l) => starts.map((s, i) => l.slice(s, starts[i + 1]).trim()));
}

t.test('seed fixture: web gets the allocator\'s IP from prod-pool, as a kubectl-like table', async (t) => {
  const { config } = loadMetalLbConfig({ text: await readFile(SEED, 'utf8'), fileName: SEED });
  const expected = allocateServiceIps(config).assigned.get('default/web');
  t.ok(expected, 'the allocator assigns web');
  t.match(expected!.ips[0], /^203\.0\.113\.\d+$/);
  t.equal(expected!.pool, 'prod-pool');
  const r = await run(['--config', SEED]);
  t.equal(r.code, 0);
  t.equal(r.err, '');
  const rows = columns(t, r.out);
  t.same(rows, [
    ['NAMESPACE', 'NAME', 'TYPE', 'EXTERNAL-IP', 'PORT(S)', 'POOL'],
    ['default', 'web', 'LoadBalancer', expected!.ips.join(','), '443/TCP', 'prod-pool'],
  ]);
  t.equal(r.out, formatTable(rows[0]!, rows.slice(1)), 'three spaces after the widest cell');
});

t.test('--node: ANNOUNCED and PEERS for a node with and without a ready local endpoint', async (t) => {
  const on = await run(['--config', SEED, '--node', 'node-21']);
  t.equal(on.code, 0);
  t.same(columns(t, on.out).map((r) => r.slice(6)), [['ANNOUNCED', 'PEERS'], ['yes', 'tor1,tor2']]);
  const off = await run(['--config', SEED, '--node', 'node-23']);
  t.equal(off.code, 0);
  t.same(columns(t, off.out).map((r) => r.slice(6)), [['ANNOUNCED', 'PEERS'], ['noLocalEndpoints', '-']], 'node-23 endpoint is not ready');
  t.equal(off.err, '');
  const unknown = await run(['--config', SEED, '--node', 'node-99']);
  t.equal(unknown.code, 0);
  t.match(unknown.err, /^tsbgp allocate: warning: node "node-99" is not among the Nodes/);
});

t.test('--json: one document with services, failures, warnings', async (t) => {
  const r = await run(['--config', SEED, '--json', '--node', 'node-21']);
  t.equal(r.code, 0);
  t.equal(r.err, '');
  const { config } = loadMetalLbConfig({ text: await readFile(SEED, 'utf8') });
  const a = allocateServiceIps(config).assigned.get('default/web')!;
  t.same(JSON.parse(r.out), {
    services: [{ namespace: 'default', name: 'web', type: 'LoadBalancer', externalIPs: a.ips, ports: [{ protocol: 'TCP', port: 443 }], pool: 'prod-pool', node: { status: 'announced', peers: ['tor1', 'tor2'] } }],
    failures: [],
    warnings: [],
  });
  const plain = JSON.parse((await run(['--config', SEED, '--json'])).out) as { services: Record<string, unknown>[] };
  t.notOk('node' in plain.services[0]!, 'no node without --node');
});

t.test('pending services, several files, other types and classes not listed', async (t) => {
  const f = await tempFiles(t, {
    'pools.yaml': docs(pool('small', ['192.0.2.10-192.0.2.11']), pool('v6', ['2001:db8::/126'], { autoAssign: false })),
    'services.yaml': docs(
      svc('alpha', { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }),
      svc('beta'),
      svc('gamma-long-name'),
      svc('outside', { loadBalancerIP: '198.51.100.7' }, { namespace: 'edge' }),
      svc('internal', { type: 'ClusterIP' }),
      svc('other-class', { loadBalancerClass: 'example.com/lb' }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'noports' }, spec: { type: 'LoadBalancer', ports: [] } },
    ),
  });
  const r = await run(['--config', f['pools.yaml']!, '--config', f['services.yaml']!]);
  t.equal(r.code, 0, 'pending services do not fail the command');
  const want = allocateServiceIps(loadMetalLbConfig([{ text: await readFile(f['pools.yaml']!, 'utf8') }, { text: await readFile(f['services.yaml']!, 'utf8') }]).config);
  const ext = (k: string): string => want.assigned.get(k)?.ips.join(',') ?? '<pending>';
  const poolOf = (k: string): string => want.assigned.get(k)?.pool ?? '<none>';
  const rows = columns(t, r.out);
  t.same(rows.slice(1), [
    ['default', 'alpha', 'LoadBalancer', ext('default/alpha'), '53/UDP,53/TCP', poolOf('default/alpha')],
    ['default', 'beta', 'LoadBalancer', ext('default/beta'), '80/TCP', poolOf('default/beta')],
    ['default', 'gamma-long-name', 'LoadBalancer', '<pending>', '80/TCP', '<none>'],
    ['default', 'noports', 'LoadBalancer', '<pending>', '<none>', '<none>'],
    ['edge', 'outside', 'LoadBalancer', '<pending>', '80/TCP', '<none>'],
  ]);
  t.equal(want.failures.length, 3);
  t.same(
    r.err.trimEnd().split('\n'),
    want.failures.map((x) => `tsbgp allocate: ${x.service}: ${x.reason}`),
  );
  t.match(r.err, /tsbgp allocate: edge\/outside: requested IP 198\.51\.100\.7 is not in any IPAddressPool/);
  const cls = await run(['--config', f['pools.yaml']!, '--config', f['services.yaml']!, '--load-balancer-class', 'example.com/lb', '--json']);
  t.match(JSON.parse(cls.out), { services: [{ name: 'other-class', externalIPs: ['192.0.2.10'], pool: 'small' }], failures: [] });
  const none = await run(['--config', f['pools.yaml']!]);
  t.equal(none.code, 0);
  t.equal(none.out, 'No LoadBalancer Services found.\n');
});

t.test('warnings go to stderr (and into --json)', async (t) => {
  const f = await tempFiles(t, { 'w.yaml': docs(pool('p', ['192.0.2.0/28'], { colour: 'blue' }), svc('a')) });
  const r = await run(['--config', f['w.yaml']!]);
  t.equal(r.code, 0);
  t.match(r.err, /^tsbgp allocate: warning: .*w\.yaml.*document 1 \(IPAddressPool p\).*spec\.colour/);
  const j = await run(['--config', f['w.yaml']!, '--json']);
  t.equal(j.err, '');
  t.match(JSON.parse(j.out), { warnings: [/spec\.colour/] });
});

t.test('invalid configuration: exit 1, every issue on its own line naming file, document and field', async (t) => {
  const f = await tempFiles(t, {
    'bad.yaml': docs(pool('p', ['not-an-address']), { apiVersion: M, kind: 'BGPPeer', metadata: { name: 'tor1' }, spec: { myASN: 65100, peerASN: 65000, peerAddress: '198.18.0.1', holdTime: '2s' } }),
    'syntax.yaml': 'kind: [unclosed\n',
  });
  const r = await run(['--config', f['bad.yaml']!, '--json']);
  t.equal(r.code, 1);
  t.equal(r.out, '');
  const lines = r.err.trimEnd().split('\n');
  t.equal(lines.length, 2, 'two issues, two lines');
  for (const l of lines) t.match(l, /^tsbgp allocate: .*bad\.yaml:\d+: document \d/);
  t.match(lines[0], /document 1 \(IPAddressPool p\).*spec\.addresses\[0\]/);
  t.match(lines[1], /document 2 \(BGPPeer tor1\).*spec\.holdTime/);
  const s = await run(['--config', f['syntax.yaml']!]);
  t.equal(s.code, 1);
  t.match(s.err, /^tsbgp allocate: .*syntax\.yaml/);
});

t.test('a file that cannot be read: exit 1 naming it', async (t) => {
  const f = await tempFiles(t, { 'ok.yaml': docs(pool('p', ['192.0.2.0/28'])) });
  const missing = join(tmpdir(), 'tsbgp-allocate-does-not-exist.yaml');
  const r = await run(['--config', f['ok.yaml']!, '--config', missing]);
  t.equal(r.code, 1);
  t.equal(r.out, '');
  t.equal(r.err, `tsbgp allocate: cannot read ${missing}: no such file\n`);
  const dir = await run(['--config', tmpdir()]);
  t.equal(dir.code, 1);
  t.match(dir.err, `cannot read ${tmpdir()}: `);
});

t.test('usage errors exit 2 with one line; --help prints usage and exits 0', async (t) => {
  for (const [argv, what] of [
    [[], 'no --config'],
    [['--node', 'n1'], 'only --node'],
    [['--config', SEED, '--node'], '--node without a value'],
    [['--config', SEED, '--node', '--json'], '--node followed by a flag'],
    [['--config', SEED, '--node='], 'empty --node'],
    [['--config='], 'empty --config'],
    [['--config', SEED, '--load-balancer-class='], 'empty class'],
    [['--config', SEED, '--bogus'], 'unknown flag'],
    [['--config', SEED, 'extra'], 'a positional'],
  ] as const) {
    const r = await run([...argv]);
    t.equal(r.code, 2, `${what}: exit 2`);
    t.equal(r.out, '');
    t.match(r.err, /^tsbgp allocate: [^\n]+\n$/, `${what}: one line (${r.err.trim()})`);
  }
  const h = await run(['--help']);
  t.equal(h.code, 0);
  t.equal(h.err, '');
  t.match(h.out, /^usage: tsbgp allocate --config FILE/);
  t.match(h.out, /only\s+Services of type LoadBalancer/);
  let usage = '';
  const top = await main([], { stdin: Readable.from(['']), stdout: { write: () => true }, stderr: { write: (s: string) => (usage += s) } });
  t.equal(top, 2);
  t.match(usage, /^\s+allocate --config FILE/m, 'listed in tsbgp usage');
});
