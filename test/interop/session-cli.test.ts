/**
 * `tsbgp session` flag errors (the CLI contract): a bad or missing flag gives a non-zero exit and
 * exactly one line on stderr naming the flag, and no event on stdout. Needs no lab and no root:
 * every case fails before any socket is opened (the valid base never listens: --listen-port 0).
 * Skips until the `session` command exists.
 */
import t from 'tap';
import { type RunResult, run } from '../helpers/lab.js';
import { TSBGP_BIN, tsbgpSessionAvailable } from '../helpers/lab-tsbgp.js';

/** A valid flag set; each case replaces or drops one flag. */
const BASE: Record<string, string | undefined> = {
  '--local-as': '65001',
  '--router-id': '198.18.0.11',
  '--peer': '198.18.1.1',
  '--peer-as': '65000',
  '--listen-port': '0',
  '--events': 'json',
};

/** [flag whose name the error must contain, flag to set, value (undefined = drop the flag)] */
const CASES: [string, string, string | undefined][] = [
  ['--local-as', '--local-as', 'abc'],
  ['--local-as', '--local-as', '4294967296'],
  ['--peer', '--peer', '999.1.1.1'],
  ['--peer', '--peer', undefined],
  ['--peer-as', '--peer-as', 'x'],
  ['--router-id', '--router-id', 'not-an-id'],
  ['--hold-time', '--hold-time', '2'],
  ['--port', '--port', '70000'],
  ['--announce', '--announce', '203.0.113.0/33'],
  ['--community', '--community', '1:2:3'],
  ['--large-community', '--large-community', '1:2'],
  ['--med', '--med', '-1'],
  ['--local-pref', '--local-pref', 'high'],
  ['--prepend', '--prepend', 'many'],
  ['--graceful-restart', '--graceful-restart', '5000'],
  ['--add-path', '--add-path', 'sideways'],
  ['--next-hop', '--next-hop', 'nope'],
  ['--events', '--events', 'xml'],
  ['--bogus', '--bogus', 'x'],
];

function argv(flag: string, value: string | undefined): string[] {
  const flags = { ...BASE };
  if (value === undefined) delete flags[flag];
  else flags[flag] = value;
  return Object.entries(flags).flatMap(([k, v]) => (v === undefined ? [] : [k, v]));
}

const cli = tsbgpSessionAvailable();
if (cli !== undefined) {
  t.test('tsbgp session flag errors', { skip: cli }, async () => {});
} else {
  // three processes at a time (node start-up is CPU-bound), then one subtest per case
  const results: { named: string; flag: string; value: string | undefined; args: string[]; r: RunResult }[] = [];
  for (let i = 0; i < CASES.length; i += 3) {
    results.push(
      ...(await Promise.all(
        CASES.slice(i, i + 3).map(async ([named, flag, value]) => {
          const args = ['session', ...argv(flag, value)];
          return { named, flag, value, args, r: await run(process.execPath, [TSBGP_BIN, ...args], { timeoutMs: 20_000 }) };
        }),
      )),
    );
  }
  for (const { named, flag, value, args, r } of results) {
    t.test(`${flag} ${value ?? '(missing)'}`, async (t) => {
      t.notOk(r.timedOut, `exits by itself (tsbgp ${args.join(' ')})`);
      t.not(r.code, 0, `non-zero exit (${String(r.code)})`);
      const lines = r.stderr.trim().split('\n');
      t.equal(lines.length, 1, `one line on stderr: ${r.stderr.trim()}`);
      t.match(lines[0] ?? '', named, `the error names ${named}`);
      t.equal(r.stdout, '', 'no event on stdout');
    });
  }
}
