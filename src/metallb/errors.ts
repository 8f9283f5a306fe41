/**
 * The typed error of MetalLB configuration loading: every problem found in the YAML (all of
 * them, not just the first), each naming its document, the field and what is allowed.
 *
 * Owns: ConfigIssue (one problem, with its place) and MetalLbConfigError (code
 * ERR_METALLB_CONFIG, stable). Must not read files or touch sessions.
 */
import { BgpError } from '../bgp/errors.js';

/** Where a problem is: the document it is in (1-based, in file order) and the field. */
export interface ConfigIssue {
  /** 1-based index of the YAML document (List items count as their own documents); 0: the whole input. */
  readonly document: number;
  /** The resource's kind and metadata.name ("" when unknown). */
  readonly kind: string;
  readonly name: string;
  /** Dotted path below the resource, e.g. "spec.holdTime" or "spec.nodeSelectors[0].matchLabels" ("" for the whole document). */
  readonly field: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
  /** 1-based line in the source text, when known. */
  readonly line?: number | undefined;
  /** The file the document came from, when the caller named it. */
  readonly fileName?: string | undefined;
}

/** `document 3 (BGPPeer tor1): spec.holdTime: "2s" must be 0 or 3s..65535s`, with file and line when known. */
export function formatIssue(i: ConfigIssue): string {
  const where = i.fileName === undefined ? '' : `${i.fileName}${i.line === undefined ? '' : `:${i.line}`}: `;
  const line = i.fileName === undefined && i.line !== undefined ? ` line ${i.line}` : '';
  const what = i.kind === '' && i.name === '' ? '' : ` (${[i.kind, i.name].filter((x) => x !== '').join(' ')})`;
  const doc = i.document === 0 ? 'input' : `document ${i.document}`;
  return `${where}${doc}${what}${line}: ${i.field === '' ? '' : `${i.field}: `}${i.message}`;
}

/**
 * A MetalLB configuration that cannot be used. `issues` lists every problem; the message has one
 * line per issue. A speaker that gets this on reload keeps its last good configuration.
 */
export class MetalLbConfigError extends BgpError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const n = issues.length;
    super('ERR_METALLB_CONFIG', `${n} problem${n === 1 ? '' : 's'} in the MetalLB configuration:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
    this.name = 'MetalLbConfigError';
    this.issues = issues;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

export function isMetalLbConfigError(e: unknown): e is MetalLbConfigError {
  return e instanceof MetalLbConfigError;
}
