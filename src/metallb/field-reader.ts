/**
 * Typed reads of one resource's fields that record a ConfigIssue (document, field, what is
 * allowed) instead of throwing, so that every problem of the input is reported at once.
 *
 * Owns: the wording of type errors ("must be an integer in 1..255") and unknown-field warnings.
 */
import type { ConfigIssue } from './errors.js';
import type { SourceDocument } from './yaml-documents.js';

/** Where problems are collected: errors make the configuration unusable, warnings do not. */
export interface IssueSink {
  readonly errors: ConfigIssue[];
  readonly warnings: ConfigIssue[];
}

export type Plain = Readonly<Record<string, unknown>>;

/** "spec.nodeSelectors[0].matchLabels" -> ["spec", "nodeSelectors", 0, "matchLabels"]. */
export function fieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of field.split('.')) {
    if (part === '') continue;
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (m === null) {
      out.push(part);
      continue;
    }
    if (m[1] !== '') out.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));

export class FieldReader {
  readonly doc: SourceDocument;
  readonly #sink: IssueSink;
  #errors = 0;

  constructor(doc: SourceDocument, sink: IssueSink) {
    this.doc = doc;
    this.#sink = sink;
  }

  /** How many errors this reader has recorded. */
  get errorCount(): number {
    return this.#errors;
  }

  #issue(field: string, message: string): ConfigIssue {
    const d = this.doc;
    return { document: d.index, kind: d.kind, name: d.name, field, message, line: d.lineOf(fieldPath(field)), fileName: d.fileName };
  }

  error(field: string, message: string): void {
    this.#errors++;
    this.#sink.errors.push(this.#issue(field, message));
  }

  warn(field: string, message: string): void {
    this.#sink.warnings.push(this.#issue(field, message));
  }

  /** The mapping at `field` of `o` ({} with an error when it is something else; undefined when absent and not required). */
  object(o: Plain, key: string, base: string, required = false): Plain | undefined {
    const v = o[key];
    const field = join(base, key);
    if (v === undefined || v === null) {
      if (required) this.error(field, 'missing (must be a mapping)');
      return required ? {} : undefined;
    }
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.error(field, `must be a mapping (got ${show(v)})`);
      return {};
    }
    return v as Plain;
  }

  list(o: Plain, key: string, base: string): readonly unknown[] | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.error(join(base, key), `must be a list (got ${show(v)})`);
      return undefined;
    }
    return v;
  }

  string(o: Plain, key: string, base: string, required = false): string | undefined {
    const v = o[key];
    const field = join(base, key);
    if (v === undefined || v === null || v === '') {
      if (required) this.error(field, 'missing (must be a non-empty string)');
      return undefined;
    }
    if (typeof v !== 'string') {
      this.error(field, `must be a string (got ${show(v)})`);
      return undefined;
    }
    return v;
  }

  bool(o: Plain, key: string, base: string): boolean | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.error(join(base, key), `must be true or false (got ${show(v)})`);
      return undefined;
    }
    return v;
  }

  /** An integer in min..max; `unit` is appended to the range in the message ("ms"). */
  int(o: Plain, key: string, base: string, min: number, max: number, unit = ''): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.error(join(base, key), `${show(v)} must be an integer in ${min}..${max}${unit}`);
      return undefined;
    }
    return v;
  }

  /** A list of non-empty strings, each at most once. */
  stringList(o: Plain, key: string, base: string): string[] | undefined {
    const v = this.list(o, key, base);
    if (v === undefined) return undefined;
    const out: string[] = [];
    v.forEach((x, i) => {
      const field = `${join(base, key)}[${i}]`;
      if (typeof x !== 'string' || x === '') this.error(field, `must be a non-empty string (got ${show(x)})`);
      else if (out.includes(x)) this.error(field, `duplicate ${show(x)}`);
      else out.push(x);
    });
    return out;
  }

  /** Warns about keys of `o` not in `known` (a typo, or a feature of another version). */
  unknownKeys(o: Plain, base: string, known: readonly string[], hints: Readonly<Record<string, string>> = {}): void {
    for (const k of Object.keys(o)) {
      if (known.includes(k)) continue;
      const hint = hints[k];
      this.warn(join(base, k), `unknown field, ignored${hint === undefined ? '' : ` (${hint})`}`);
    }
  }
}

export function join(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

export { show as showValue };
