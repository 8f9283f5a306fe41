/**
 * Writes test/vectors/bgp/update-*.json from the hand-derived cases in update-cases.ts.
 * For each case the library decodes the hand-assembled bytes; the script checks the case's
 * stated expectation (RFC outcome) and fails loudly if the decoder disagrees, so a vector is
 * written only when the bytes, the RFC and the decoder agree. Run: node --import tsx scripts/vectors/make-update-vectors.ts
 */
import { writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { fromHex, toHex } from '../../src/bgp/codec/bytes.js';
import { codecContext } from '../../src/bgp/codec/context.js';
import { decodeMessage } from '../../src/bgp/codec/message.js';
import { BgpError } from '../../src/bgp/errors.js';
import { messageToJson } from '../../src/bgp/json/message.js';
import { CASES, type Case } from './update-cases.js';

const OUT = new URL('../../test/vectors/bgp/', import.meta.url).pathname;
const problems: string[] = [];

function partialMatch(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null) return isDeepStrictEqual(actual, expected);
  if (Array.isArray(expected)) return isDeepStrictEqual(actual, expected);
  if (typeof actual !== 'object' || actual === null) return false;
  return Object.entries(expected).every(([k, v]) => partialMatch((actual as Record<string, unknown>)[k], v));
}

function check(c: Case, json: Record<string, unknown>): void {
  const e = c.expect ?? {};
  const bad = (what: string): void => {
    problems.push(`${c.name}: ${what}\n  got ${JSON.stringify(json).slice(0, 600)}`);
  };
  const attrs = json.attributes as Record<string, unknown>[];
  const diags = (json.diagnostics ?? []) as Record<string, unknown>[];
  if (e.nlri && !isDeepStrictEqual((json.nlri as unknown[]).map((x) => (typeof x === 'string' ? x : (x as { prefix: string }).prefix)), e.nlri)) bad(`nlri ${JSON.stringify(e.nlri)}`);
  if (e.withdrawn && !isDeepStrictEqual((json.withdrawn as unknown[]).map((x) => (typeof x === 'string' ? x : (x as { prefix: string }).prefix)), e.withdrawn)) bad(`withdrawn ${JSON.stringify(e.withdrawn)}`);
  if (e.attributes && !isDeepStrictEqual(attrs.map((a) => a.type), e.attributes)) bad(`attributes ${JSON.stringify(e.attributes)}`);
  if (!isDeepStrictEqual(diags.map((d) => d.action), e.actions ?? [])) bad(`actions ${JSON.stringify(e.actions ?? [])}`);
  if (e.resetNotification) {
    const n = diags.find((d) => d.action === 'session-reset')?.notification as { code: number; subcode: number } | undefined;
    if (!n || n.code !== e.resetNotification[0] || n.subcode !== e.resetNotification[1]) bad(`reset notification ${e.resetNotification.join('/')}`);
  }
  if (e.endOfRib !== undefined && json.endOfRib !== e.endOfRib) bad(`endOfRib ${e.endOfRib}`);
  for (const [i, want] of Object.entries(e.attr ?? {})) if (!partialMatch(attrs[Number(i)], want)) bad(`attribute ${i} ${JSON.stringify(want)}`);
}

let written = 0;
for (const c of CASES) {
  const ctx = codecContext({ ...c.context, addPath: c.context?.addPath ?? [] });
  const bytes = fromHex(c.hex);
  const vector: Record<string, unknown> = { name: c.name, source: c.source, hex: c.hex };
  if (c.context) vector.context = c.context;
  try {
    const m = decodeMessage(bytes, ctx);
    if (c.error) {
      problems.push(`${c.name}: expected ${c.error.code}, but it decoded`);
      continue;
    }
    const json = JSON.parse(JSON.stringify(messageToJson(m, ctx))) as Record<string, unknown>;
    check(c, json);
    vector.decoded = json;
  } catch (e) {
    if (!(e instanceof BgpError) || !c.error) {
      problems.push(`${c.name}: unexpected ${e instanceof BgpError ? e.describe() : String(e)}`);
      continue;
    }
    const n = e.notification;
    const [code, subcode, data] = c.error.notification;
    if (e.code !== c.error.code || n?.code !== code || n?.subcode !== subcode || (data !== undefined && toHex(n.data) !== data) || (c.error.offset !== undefined && e.offset !== c.error.offset)) {
      problems.push(`${c.name}: expected ${c.error.code} ${code}/${subcode} @${c.error.offset}, got ${e.describe()} @${e.offset}`);
      continue;
    }
    vector.error = { code: e.code, notification: { code: n.code, subcode: n.subcode, data: toHex(n.data) }, ...(e.offset === undefined ? {} : { offset: e.offset }) };
  }
  writeFileSync(`${OUT}${c.name}.json`, `${JSON.stringify(vector, null, 2)}\n`);
  written++;
}
console.log(`wrote ${written} of ${CASES.length} vectors`);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
