/**
 * The demo's timeline: what happened when, in ms since the demo started, on the demo process's
 * monotonic clock. Owns only the list and its text form.
 */
export interface TimelineEntry {
  readonly atMs: number;
  /** Who saw it: tor1, tor2, node-22, demo. */
  readonly source: string;
  readonly text: string;
}

export class Timeline {
  readonly entries: TimelineEntry[] = [];
  readonly #startNs = process.hrtime.bigint();
  #onEntry: ((e: TimelineEntry) => void) | undefined;

  /** Milliseconds since the demo started (0.1 ms resolution). */
  now(): number {
    return Math.round(Number(process.hrtime.bigint() - this.#startNs) / 1e5) / 10;
  }

  add(source: string, text: string): TimelineEntry {
    const e = { atMs: this.now(), source, text };
    this.entries.push(e);
    this.#onEntry?.(e);
    return e;
  }

  /** Called for every entry (the live view). */
  follow(fn: ((e: TimelineEntry) => void) | undefined): void {
    this.#onEntry = fn;
  }
}

export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function formatTimeline(entries: readonly TimelineEntry[]): string {
  const w = Math.max(...entries.map((e) => e.source.length), 4);
  return entries.map((e) => `${(e.atMs / 1000).toFixed(3).padStart(8)} s  ${e.source.padEnd(w)}  ${e.text}`).join('\n');
}
