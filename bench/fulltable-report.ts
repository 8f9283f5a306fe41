/**
 * The figures of `npm run bench -- fulltable`: medians over the repetitions, the table with the
 * ratios against tsbgp, the targets (tsbgp faster than gobgpd both ways, within 1.5x of BIRD both
 * ways; BIRD's own sending speed is the BIRD -> BIRD run, which is also the recv:bird row), and
 * the one JSON line.
 */
import type { RepResult } from './fulltable-measure.js';

export const SCENARIOS = ['recv:tsbgp', 'recv:gobgp', 'recv:bird', 'send:tsbgp', 'send:gobgp', 'send:exabgp'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const LEGS: Record<Scenario, string> = {
  'recv:tsbgp': 'BIRD -> tsbgp',
  'recv:gobgp': 'BIRD -> gobgpd',
  'recv:bird': 'BIRD -> BIRD',
  'send:tsbgp': 'tsbgp -> BIRD',
  'send:gobgp': 'gobgpd -> BIRD',
  'send:exabgp': 'ExaBGP -> BIRD',
};

export interface ScenarioOutcome {
  readonly skipped?: string | undefined;
  readonly runs: RepResult[];
  /** One-off cost of loading the table into the sender (s), when this scenario loaded one. */
  loadS?: number | undefined;
  loadWhat?: string | undefined;
}

export function median(xs: readonly number[]): number {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

const r3 = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);

export interface Summary {
  readonly seconds: number;
  readonly idleSeconds: number;
  readonly receiverCpuS: number;
  readonly senderCpuS: number;
  /** Peak RSS of the side under test (recv: receiver, send: sender), MB. */
  readonly rssMb: number;
  readonly okRuns: number;
}

export function summarize(name: Scenario, o: ScenarioOutcome): Summary | undefined {
  if (o.skipped !== undefined) return undefined;
  const ok = o.runs.filter((r) => r.ok);
  if (ok.length === 0) return undefined;
  const recv = name.startsWith('recv');
  return {
    seconds: median(ok.map((r) => r.seconds)),
    idleSeconds: median(ok.map((r) => r.idleSeconds)),
    receiverCpuS: median(ok.map((r) => r.receiverCpuS)),
    senderCpuS: median(ok.map((r) => r.senderCpuS)),
    rssMb: Math.max(...ok.map((r) => (recv ? r.receiverHwmKb : r.senderHwmKb))) / 1024,
    okRuns: ok.length,
  };
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

export interface Targets {
  readonly recvFasterThanGobgp: boolean | null;
  readonly sendFasterThanGobgp: boolean | null;
  readonly recvWithin15xBird: boolean | null;
  readonly sendWithin15xBird: boolean | null;
  readonly recvVsBird: number | null;
  readonly sendVsBird: number | null;
}

export function targets(s: Partial<Record<Scenario, Summary>>): Targets {
  const cmp = (a: Summary | undefined, b: Summary | undefined, f: (x: number, y: number) => boolean): boolean | null => (a === undefined || b === undefined ? null : f(a.seconds, b.seconds));
  const ratio = (a: Summary | undefined, b: Summary | undefined): number | null => (a === undefined || b === undefined ? null : r3(a.seconds / b.seconds));
  const bird = s['recv:bird'];
  return {
    recvFasterThanGobgp: cmp(s['recv:tsbgp'], s['recv:gobgp'], (x, y) => x < y),
    sendFasterThanGobgp: cmp(s['send:tsbgp'], s['send:gobgp'], (x, y) => x < y),
    recvWithin15xBird: cmp(s['recv:tsbgp'], bird, (x, y) => x <= 1.5 * y),
    sendWithin15xBird: cmp(s['send:tsbgp'], bird, (x, y) => x <= 1.5 * y),
    recvVsBird: ratio(s['recv:tsbgp'], bird),
    sendVsBird: ratio(s['send:tsbgp'], bird),
  };
}

/** The human-readable table (stdout). */
export function printTable(n: number, reps: number, outcomes: ReadonlyMap<Scenario, ScenarioOutcome>): Targets {
  const sums: Partial<Record<Scenario, Summary>> = {};
  for (const [name, o] of outcomes) {
    const s = summarize(name, o);
    if (s !== undefined) sums[name] = s;
  }
  const widths = [12, 16, 8, 11, 9, 9, 9, 8];
  console.log(`\nfulltable: ${n.toLocaleString('en')} IPv4 prefixes, ${reps === 1 ? '1 run' : `median of ${reps} runs`}; s = Established -> receiver reports all N`);
  console.log(pad(['scenario', 'sender->recv', 's', 'prefixes/s', 'vs tsbgp', 'rcv CPU', 'snd CPU', 'RSS MB'], widths));
  for (const name of SCENARIOS) {
    const o = outcomes.get(name);
    if (o === undefined) continue;
    const s = sums[name];
    if (s === undefined) {
      const why = o.skipped ?? o.runs.find((r) => !r.ok)?.error ?? 'not run (see the error above)';
      console.log(pad([name, LEGS[name], '-', '-', '-', '-', '-', '-'], widths) + `  ${o.skipped === undefined ? 'FAILED' : 'skipped'}: ${why}`);
      continue;
    }
    const base = sums[name.startsWith('recv') ? 'recv:tsbgp' : 'send:tsbgp'];
    const ratio = base === undefined ? '-' : `${(s.seconds / base.seconds).toFixed(2)}x`;
    const failedRuns = o.runs.length - s.okRuns;
    console.log(
      pad([name, LEGS[name], s.seconds.toFixed(2), Math.round(n / s.seconds).toLocaleString('en'), ratio, s.receiverCpuS.toFixed(2), s.senderCpuS.toFixed(2), s.rssMb.toFixed(0)], widths) +
        (failedRuns > 0 ? `  (${failedRuns} run(s) failed)` : ''),
    );
  }
  console.log('vs tsbgp: seconds / tsbgp seconds in the same direction (> 1: slower than tsbgp). CPU s between Established and idle;');
  console.log('RSS MB: peak RSS (VmHWM) of the side under test (recv: the receiver, send: the sender).');
  const loads = [...outcomes].filter(([, o]) => o.loadS !== undefined);
  if (loads.length > 0) {
    console.log('one-off cost to load the table into the sender (not in the times above):');
    for (const [name, o] of loads) console.log(`  ${(o.loadWhat ?? name).padEnd(52)} ${o.loadS!.toFixed(2)} s`);
  }
  const t = targets(sums);
  const yn = (b: boolean | null): string => (b === null ? 'n/a' : b ? 'yes' : 'NO');
  const sec = (x: Scenario): string => (sums[x] === undefined ? '-' : `${sums[x]!.seconds.toFixed(2)} s`);
  console.log('targets:');
  console.log(`  receive: tsbgp faster than gobgpd        ${yn(t.recvFasterThanGobgp)}  (${sec('recv:tsbgp')} vs ${sec('recv:gobgp')})`);
  console.log(`  send:    tsbgp faster than gobgpd        ${yn(t.sendFasterThanGobgp)}  (${sec('send:tsbgp')} vs ${sec('send:gobgp')})`);
  console.log(`  receive: tsbgp within 1.5x of BIRD       ${yn(t.recvWithin15xBird)}  (${t.recvVsBird ?? '-'}x of BIRD -> BIRD ${sec('recv:bird')})`);
  console.log(`  send:    tsbgp within 1.5x of BIRD       ${yn(t.sendWithin15xBird)}  (${t.sendVsBird ?? '-'}x of BIRD -> BIRD ${sec('recv:bird')})`);
  return t;
}

/** The one JSON line. */
export function jsonLine(meta: Record<string, unknown>, outcomes: ReadonlyMap<Scenario, ScenarioOutcome>, t: Targets): string {
  const scenarios: Record<string, unknown> = {};
  const skipped: Record<string, string> = {};
  for (const [name, o] of outcomes) {
    if (o.skipped !== undefined) {
      skipped[name] = o.skipped;
      continue;
    }
    const s = summarize(name, o);
    scenarios[name] = {
      leg: LEGS[name],
      seconds: s === undefined ? null : r3(s.seconds),
      prefixesPerSec: s === undefined ? null : Math.round(Number(meta['prefixes']) / s.seconds),
      idleSeconds: s === undefined ? null : r3(s.idleSeconds),
      receiverCpuS: s === undefined ? null : r3(s.receiverCpuS),
      senderCpuS: s === undefined ? null : r3(s.senderCpuS),
      rssMb: s === undefined ? null : Math.round(s.rssMb),
      loadS: o.loadS === undefined ? null : r3(o.loadS),
      runs: o.runs.map((r) => ({
        ok: r.ok,
        ...(r.error === undefined ? {} : { error: r.error }),
        seconds: r3(r.seconds),
        idleSeconds: r3(r.idleSeconds),
        count: r.count,
        estAfterStartS: r3(r.estAfterStartS),
        estSource: r.estSource ?? null,
        receiverCpuS: r3(r.receiverCpuS),
        senderCpuS: r3(r.senderCpuS),
        receiverHwmKb: r.receiverHwmKb,
        senderHwmKb: r.senderHwmKb,
        ...(r.loadS === undefined ? {} : { loadS: r3(r.loadS) }),
        ...(r.peerSelf === undefined ? {} : { peerSelf: r.peerSelf }),
      })),
    };
  }
  return JSON.stringify({ bench: 'fulltable', ...meta, scenarios, skipped, targets: t });
}
