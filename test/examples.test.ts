/**
 * Runs the programs in examples/ (as a user would, against the built package) and checks their
 * output, so the guides that quote them stay true.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

t.test('examples/embed-session.ts (docs/embedding-a-session.md)', async (t) => {
  const port = String(20000 + (process.pid % 20000));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/embed-session.ts'], {
    cwd: root,
    // uninstrumented: the example runs the built package (dist/); coverage is measured on src/
    env: { ...process.env, EXAMPLE_PORT: port, _TAPJS_PROCESSINFO_COVERAGE_: '0' },
    timeout: 30_000,
  });
  const lines = stdout.trim().split('\n');
  // Each side's own transitions appear in order; the two sides interleave as the network decides.
  const node = lines.filter((l) => l.startsWith('node: 127.0.0.1 '));
  const router = lines.filter((l) => l.startsWith('router: 127.0.0.2 '));
  t.same(node, [
    'node: 127.0.0.1 Idle -> Connect (ManualStart)',
    'node: 127.0.0.1 Connect -> OpenSent (TCP connection established)',
    'node: 127.0.0.1 OpenSent -> OpenConfirm (OPEN received)',
    'node: 127.0.0.1 OpenConfirm -> Established (KEEPALIVE received)',
    'node: 127.0.0.1 Established -> Idle (ManualStop: node drained for maintenance)',
  ]);
  t.same(router, [
    'router: 127.0.0.2 Idle -> Active (ManualStart (passive))',
    'router: 127.0.0.2 Active -> OpenSent (TCP connection accepted)',
    'router: 127.0.0.2 OpenSent -> OpenConfirm (OPEN received)',
    'router: 127.0.0.2 OpenConfirm -> Established (KEEPALIVE received)',
    'router: 127.0.0.2 Established -> Idle (received NOTIFICATION 6/2)',
  ]);
  for (const l of [
    'node: established, hold time 9 s, families ipv4-unicast, ipv6-unicast',
    'router: learned 203.0.113.5/32 from 127.0.0.2',
    'router: Adj-RIB-In 203.0.113.5/32 next hop 192.0.2.2 attributes ORIGIN AS_PATH NEXT_HOP COMMUNITIES LARGE_COMMUNITY',
    'router: NOTIFICATION 6/2 from 127.0.0.2: "node drained for maintenance"',
  ]) {
    t.ok(lines.includes(l), l);
  }
  t.equal(lines.at(-1), 'done');
});
