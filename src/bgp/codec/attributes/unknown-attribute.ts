/**
 * Attributes this library does not interpret (RFC 4271 s5, s9): kept with their flags and raw
 * value so they re-encode identically, and passed on by `passOnUnknownAttributes`.
 */
import { AttributeFlag } from '../../iana/attribute-type.js';

export interface UnknownAttribute {
  readonly type: 'UNKNOWN';
  /** The attribute's flags as received (EXTENDED_LENGTH is recomputed on encode when needed). */
  readonly flags: number;
  readonly typeCode: number;
  readonly value: Uint8Array;
}

/**
 * What a speaker does with unrecognized optional attributes when it passes a route on (RFC 4271
 * s5 and s9.1.4): optional transitive ones are kept with the Partial bit set; optional
 * non-transitive ones are dropped. Other attributes are returned as they are.
 */
export function passOnUnknownAttributes<A extends { readonly type: string }>(attributes: readonly A[]): A[] {
  const out: A[] = [];
  for (const a of attributes) {
    if (a.type !== 'UNKNOWN') {
      out.push(a);
      continue;
    }
    const u = a as unknown as UnknownAttribute;
    if ((u.flags & AttributeFlag.OPTIONAL) === 0) continue; // well-known unknown cannot be passed on
    if ((u.flags & AttributeFlag.TRANSITIVE) === 0) continue;
    out.push({ ...u, flags: u.flags | AttributeFlag.PARTIAL } as unknown as A);
  }
  return out;
}
