/**
 * Splits multi-document YAML (documents separated by `---`, and `kind: List` / `*List` documents
 * with `items`) into resources, each remembering its document index, kind and name for error
 * messages, and able to tell the source line of any of its fields.
 *
 * Owns: YAML 1.2 parsing (the `yaml` package, core schema: `65000:100` stays a string) and the
 * syntax errors it reports. Knows nothing of MetalLB's kinds.
 */
import { LineCounter, isMap, isNode, isSeq, parseAllDocuments, type Document } from 'yaml';
import type { ConfigIssue } from './errors.js';

/** Some YAML text and, for messages, where it came from. */
export interface YamlSource {
  readonly text: string;
  readonly fileName?: string | undefined;
}

/** One resource of the input. */
export interface SourceDocument {
  /** 1-based, in file order; items of a List get consecutive indexes of their own. */
  readonly index: number;
  readonly fileName: string | undefined;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** metadata.namespace, or "" when not given. */
  readonly namespace: string;
  /** metadata.labels (string values only). */
  readonly labels: Readonly<Record<string, string>>;
  /** metadata.annotations (string values only). */
  readonly annotations: Readonly<Record<string, string>>;
  /** The document as plain data. */
  readonly body: Readonly<Record<string, unknown>>;
  /** 1-based line of the field at `path` (keys and list indexes below the resource), or of the nearest parent that exists. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export interface SplitResult {
  readonly documents: SourceDocument[];
  /** YAML syntax errors and documents that are not resources (no kind, not a mapping). */
  readonly issues: ConfigIssue[];
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** Parses each source and returns its resources in order. Empty documents are skipped. */
export function splitYamlDocuments(sources: readonly YamlSource[]): SplitResult {
  const documents: SourceDocument[] = [];
  const issues: ConfigIssue[] = [];
  for (const source of sources) {
    const lc = new LineCounter();
    const parsed = parseAllDocuments(source.text, { lineCounter: lc, prettyErrors: false });
    const docs: Document[] = Array.isArray(parsed) ? parsed : [parsed as unknown as Document];
    let index = 0;
    const line = (offset: number | undefined): number | undefined => (offset === undefined ? undefined : lc.linePos(offset).line);
    for (const doc of docs) {
      let body: unknown;
      let problems = doc.errors.map((e) => ({ message: e.message, offset: e.pos[0] as number | undefined }));
      if (problems.length === 0) {
        try {
          body = doc.toJS({ maxAliasCount: 100 });
        } catch (e) {
          problems = [{ message: (e as Error).message, offset: doc.contents?.range?.[0] }];
        }
        if (problems.length === 0 && (body === null || body === undefined)) continue;
      }
      index++;
      if (problems.length > 0) {
        for (const e of problems) {
          issues.push({ document: index, kind: '', name: '', field: '', message: `YAML syntax: ${e.message.split('\n')[0]}`, line: line(e.offset), fileName: source.fileName });
        }
        continue;
      }
      const lineOf =
        (prefix: readonly (string | number)[]) =>
        (path: readonly (string | number)[]): number | undefined => {
          const full = [...prefix, ...path];
          for (let n = full.length; n >= 0; n--) {
            const node: unknown = n === 0 ? doc.contents : doc.getIn(full.slice(0, n), true);
            if (isNode(node) && node.range) return line(node.range[0]);
          }
          return undefined;
        };
      const add = (value: unknown, at: number, prefix: readonly (string | number)[]): void => {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          issues.push({ document: at, kind: '', name: '', field: '', message: 'must be a mapping with apiVersion, kind, metadata and spec', line: lineOf(prefix)([]), fileName: source.fileName });
          return;
        }
        const o = value as Record<string, unknown>;
        const meta = typeof o['metadata'] === 'object' && o['metadata'] !== null ? (o['metadata'] as Record<string, unknown>) : {};
        const kind = typeof o['kind'] === 'string' ? o['kind'] : '';
        const name = typeof meta['name'] === 'string' ? meta['name'] : '';
        if (kind === '') {
          issues.push({ document: at, kind: '', name, field: 'kind', message: 'missing: every document needs a kind (IPAddressPool, BGPPeer, BGPAdvertisement, BFDProfile, Community, Service, EndpointSlice, Node)', line: lineOf(prefix)([]), fileName: source.fileName });
          return;
        }
        documents.push({
          index: at,
          fileName: source.fileName,
          apiVersion: typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '',
          kind,
          name,
          namespace: typeof meta['namespace'] === 'string' ? meta['namespace'] : '',
          labels: stringMap(meta['labels']),
          annotations: stringMap(meta['annotations']),
          body: o,
          lineOf: lineOf(prefix),
        });
      };
      const root = doc.contents;
      const o = body as Record<string, unknown> | null;
      const isList = isMap(root) && o !== null && typeof o['kind'] === 'string' && o['kind'].endsWith('List') && Array.isArray(o['items']);
      if (isList) {
        const items = o['items'] as unknown[];
        const seq = doc.getIn(['items'], true);
        if (items.length === 0 || !isSeq(seq)) {
          index--;
          continue;
        }
        index--;
        items.forEach((item, i) => {
          index++;
          add(item, index, ['items', i]);
        });
      } else {
        add(body, index, []);
      }
    }
  }
  return { documents, issues };
}
