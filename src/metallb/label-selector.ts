/**
 * Kubernetes label selectors (metav1.LabelSelector) as MetalLB uses them for nodeSelectors,
 * ipAddressPoolSelectors and serviceSelectors: matchLabels AND every matchExpression (In, NotIn,
 * Exists, DoesNotExist). An empty selector matches everything; a list of selectors matches when
 * any one does.
 */
import { type FieldReader, type Plain, showValue } from './field-reader.js';

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  /** Sorted; empty for Exists / DoesNotExist. */
  readonly values: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

const OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a Kubernetes label key, or undefined when it is one. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `label key prefix ${JSON.stringify(prefix)} must be a DNS subdomain`;
  if (!NAME.test(name)) return `label key ${JSON.stringify(key)}: the name must be 1..63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`;
  return undefined;
}

/** Why `value` is not a Kubernetes label value ("" is one), or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '' || NAME.test(value)) return undefined;
  return `label value ${JSON.stringify(value)} must be at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`;
}

/** Reads one selector at `field`; records errors on `r` and returns undefined when it is unusable. */
export function readLabelSelector(r: FieldReader, v: unknown, field: string): LabelSelector | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    r.error(field, `must be a label selector mapping with matchLabels and/or matchExpressions (got ${showValue(v)})`);
    return undefined;
  }
  const o = v as Plain;
  const before = r.errorCount;
  r.unknownKeys(o, field, ['matchLabels', 'matchExpressions']);
  const matchLabels: Record<string, string> = {};
  const ml = r.object(o, 'matchLabels', field);
  for (const [k, x] of Object.entries(ml ?? {})) {
    const f = `${field}.matchLabels`;
    const keyProblem = labelKeyProblem(k);
    if (keyProblem !== undefined) r.error(f, keyProblem);
    if (typeof x !== 'string') r.error(`${f}.${k}`, `must be a string (got ${showValue(x)}; quote numbers and booleans)`);
    else {
      const valueProblem = labelValueProblem(x);
      if (valueProblem !== undefined) r.error(`${f}.${k}`, valueProblem);
      matchLabels[k] = x;
    }
  }
  const matchExpressions: LabelSelectorRequirement[] = [];
  const seen = new Set<string>();
  (r.list(o, 'matchExpressions', field) ?? []).forEach((e, i) => {
    const f = `${field}.matchExpressions[${i}]`;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) {
      r.error(f, `must be a mapping with key, operator and values (got ${showValue(e)})`);
      return;
    }
    const eo = e as Plain;
    r.unknownKeys(eo, f, ['key', 'operator', 'values']);
    const key = r.string(eo, 'key', f, true);
    if (key !== undefined) {
      const p = labelKeyProblem(key);
      if (p !== undefined) r.error(`${f}.key`, p);
    }
    const op = eo['operator'];
    if (typeof op !== 'string' || !OPERATORS.includes(op as SelectorOperator)) {
      r.error(`${f}.operator`, `${showValue(op)} must be one of ${OPERATORS.join(', ')}`);
      return;
    }
    const values = r.stringList(eo, 'values', f) ?? [];
    if ((op === 'In' || op === 'NotIn') && values.length === 0) r.error(`${f}.values`, `must list at least one value for operator ${op}`);
    if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) r.error(`${f}.values`, `must be empty for operator ${op}`);
    if (key === undefined) return;
    const req: LabelSelectorRequirement = { key, operator: op as SelectorOperator, values: [...values].sort() };
    const id = JSON.stringify(req);
    if (seen.has(id)) r.error(f, 'duplicate match expression');
    seen.add(id);
    matchExpressions.push(req);
  });
  if (r.errorCount > before) return undefined;
  return { matchLabels, matchExpressions };
}

/** Reads a list of selectors (no duplicates, as MetalLB checks); undefined entries are dropped. */
export function readLabelSelectors(r: FieldReader, o: Plain, key: string, base: string): LabelSelector[] {
  const out: LabelSelector[] = [];
  const seen = new Set<string>();
  (r.list(o, key, base) ?? []).forEach((v, i) => {
    const field = `${base}.${key}[${i}]`;
    const s = readLabelSelector(r, v, field);
    if (s === undefined) return;
    const id = selectorText(s);
    if (seen.has(id)) r.error(field, `duplicate selector ${JSON.stringify(id)}`);
    seen.add(id);
    out.push(s);
  });
  return out;
}

/** True when `labels` satisfy every part of `s`. */
export function selectorMatches(s: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(s.matchLabels)) if (labels[k] !== v) return false;
  for (const e of s.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !e.values.includes(value!)) return false;
        break;
      case 'NotIn':
        if (has && e.values.includes(value!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** An empty list selects everything; otherwise any one selector must match. */
export function anySelectorMatches(list: readonly LabelSelector[], labels: Readonly<Record<string, string>>): boolean {
  return list.length === 0 || list.some((s) => selectorMatches(s, labels));
}

/** Kubernetes' text form: "a=b,k in (x,y),!z". */
export function selectorText(s: LabelSelector): string {
  const parts = Object.keys(s.matchLabels)
    .sort()
    .map((k) => `${k}=${s.matchLabels[k]}`);
  for (const e of s.matchExpressions) {
    if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${e.values.join(',')})`);
  }
  return parts.join(',');
}
