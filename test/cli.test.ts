/**
 * The tsbgp command: decode and encode in-process (injected streams) over every vector, the
 * stdin modes, one-line errors and exit statuses, and the installed bin as a subprocess.
 */
import t from 'tap';
import { Readable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { main } from '../src/cli/main.js';
import { loadVectors } from './helpers/vectors.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(argv: string[], stdin = ''): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdin: Readable.from([stdin]),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
  });
  return { code, out, err };
}

function flags(v: ReturnType<typeof loadVectors>[number]): string[] {
  const c = v.context ?? {};
  return [...(c.fourOctetAs === false ? ['--as2'] : []), ...(c.addPath?.length ? ['--add-path', c.addPath.join(',')] : []), ...(c.extendedMessage ? ['--extended-message'] : [])];
}

const vectors = loadVectors();

/**
 * The built package (bin -> dist/) runs in a child process; tap would instrument it and count
 * dist/ beside src/. Coverage is measured on src/ in-process, so children run uninstrumented.
 */
const UNINSTRUMENTED = { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: '0' };

t.test('decode then encode is byte-identical for every well-formed vector, through stdin', async (t) => {
  // group by flags so each group is one decode run and one encode run, as a user would pipe them
  const groups = new Map<string, typeof vectors>();
  for (const v of vectors) {
    if (!v.decoded || 'diagnostics' in v.decoded) continue;
    const key = flags(v).join(' ');
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  let n = 0;
  for (const [key, vs] of groups) {
    const f = key ? key.split(' ') : [];
    const dec = await run(['decode', ...f, '-'], vs.map((v) => v.hex).join('\n') + '\n');
    t.equal(dec.code, 0, `decode ${key}: exit 0`);
    const lines = dec.out.trim().split('\n');
    t.equal(lines.length, vs.length, `decode ${key}: one JSON line per message`);
    lines.forEach((l, i) => t.equal((JSON.parse(l) as { length: number }).length, vs[i]!.hex.length / 2, `${vs[i]!.name}: length shown`));
    const enc = await run(['encode', ...f, '-'], dec.out);
    t.equal(enc.code, 0, `encode ${key}: exit 0`);
    t.same(enc.out.trim().split('\n'), vs.map((v) => v.hex), `encode ${key}: the original bytes`);
    n += vs.length;
  }
  t.ok(n > 300, `${n} messages round-tripped through the CLI`);
});

t.test('decode one message as pretty JSON', async (t) => {
  const r = await run(['decode', 'ffffffffffffffffffffffffffffffff001304']);
  t.equal(r.code, 0);
  t.same(JSON.parse(r.out), { type: 'KEEPALIVE', length: 19 });
});

t.test('a bad message: exit 1 and one line naming the offset and the RFC error', async (t) => {
  const r = await run(['decode', 'ffffffffffffffffffffffffffffffff001404']);
  t.equal(r.code, 1);
  t.equal(r.out, '');
  t.equal(r.err.trim().split('\n').length, 1, 'one line');
  t.match(r.err, /ERR_BGP_BAD_MESSAGE_LENGTH at byte 16: .*NOTIFICATION 1\/2.*RFC 4271 s6\.1/);
  const h = await run(['decode', 'ffzz']);
  t.equal(h.code, 1);
  t.match(h.err, /ERR_BGP_BAD_HEX at byte 1/);
  const u = await run(['decode', 'ffffffffffffffffffffffffffffffff001e02000000034001030018cb0071'.replace('001e', '001f') + '05']);
  t.equal(u.code, 1);
  t.match(u.err, /ERR_BGP_UPDATE_LENGTH|ERR_BGP_INVALID_NETWORK_FIELD|ERR_BGP_BAD_MESSAGE_LENGTH/);
});

t.test('decode -: a bad line gives a JSON error object on its line, exit 1 at the end', async (t) => {
  const r = await run(['decode', '-'], 'ffffffffffffffffffffffffffffffff001304\nnot-hex\n\nffffffffffffffffffffffffffffffff001309\nffffffffffffffffffffffffffffffff001304\n');
  t.equal(r.code, 1);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(lines.length, 4, 'blank lines skipped');
  t.same(lines[0], { type: 'KEEPALIVE', length: 19 });
  t.match(lines[1], { line: 2, error: 'ERR_BGP_BAD_HEX' });
  t.match(lines[2], { line: 4, error: 'ERR_BGP_BAD_MESSAGE_TYPE', offset: 18, notification: { code: 1, subcode: 3, data: '09' } });
  t.same(lines[3], { type: 'KEEPALIVE', length: 19 });
  t.match(r.err, /1 message\(s\)|2 message\(s\)/);
});

t.test('context flags change the decoding', async (t) => {
  const json = '{"type":"UPDATE","attributes":[{"type":"ORIGIN","origin":"IGP"},{"type":"AS_PATH","segments":[{"type":"AS_SEQUENCE","asns":[65001,65002]}]},{"type":"NEXT_HOP","nextHop":"198.18.1.11"}],"nlri":["203.0.113.5/32"]}';
  const enc = await run(['encode', '--as2', json]);
  t.equal(enc.code, 0);
  const as2 = enc.out.trim();
  t.match(as2, /40020602020?fde9fdea/, '2-octet ASNs on the wire');
  const r = await run(['decode', '--as2', as2]);
  t.equal(r.code, 0);
  t.match(JSON.parse(r.out), { attributes: [{}, { type: 'AS_PATH', segments: [{ asns: [65001, 65002] }] }] });
  const four = await run(['decode', as2]);
  t.equal(four.code, 0);
  t.match(JSON.parse(four.out), { diagnostics: [{ action: 'treat-as-withdraw' }] }, 'read as 4-octet ASNs it is a malformed AS_PATH');
});

t.test('encode errors name the JSON path; usage errors exit 2', async (t) => {
  const bad = await run(['encode', '{"type":"UPDATE","attributes":[{"type":"COMMUNITIES","communities":["65536:1"]}]}']);
  t.equal(bad.code, 1);
  t.match(bad.err, /attributes\[0\]\.communities\[0\]/);
  const notJson = await run(['encode', '{']);
  t.equal(notJson.code, 1);
  t.match(notJson.err, /ERR_BGP_BAD_JSON/);
  const lines = await run(['encode', '-'], '{"type":"KEEPALIVE"}\n{"type":"NOPE"}\n');
  t.equal(lines.code, 1);
  t.equal(lines.out.trim().split('\n')[0], 'ffffffffffffffffffffffffffffffff001304');
  t.match(JSON.parse(lines.out.trim().split('\n')[1]!), { line: 2, error: 'ERR_BGP_BAD_JSON' });
  for (const [argv, what] of [
    [['decode'], 'decode without a message'],
    [['decode', '--add-path', 'ipv5', 'ff'], 'bad --add-path'],
    [['decode', '--bogus', 'ff'], 'unknown flag'],
    [['encode', 'a', 'b'], 'two arguments'],
    [['frobnicate'], 'unknown command'],
  ] as const) {
    const r = await run([...argv]);
    t.equal(r.code, 2, `${what}: exit 2`);
    t.equal(r.err.trim().split('\n').length, 1, `${what}: one line (${r.err.trim()})`);
  }
  const help = await run([]);
  t.equal(help.code, 2);
  t.match(help.err, /usage: tsbgp/);
});

t.test('the installed bin runs (subprocess)', async (t) => {
  const bin = new URL('../bin/tsbgp.js', import.meta.url).pathname;
  const ok = spawnSync(process.execPath, [bin, 'decode', 'ffffffffffffffffffffffffffffffff001304'], { encoding: 'utf8', timeout: 30000, env: UNINSTRUMENTED });
  t.equal(ok.status, 0, ok.stderr);
  t.same(JSON.parse(ok.stdout), { type: 'KEEPALIVE', length: 19 });
  const bad = spawnSync(process.execPath, [bin, 'decode', 'ffffffffffffffffffffffffffffffff001404'], { encoding: 'utf8', timeout: 30000, env: UNINSTRUMENTED });
  t.equal(bad.status, 1);
  t.equal(bad.stderr.trim().split('\n').length, 1);
});
