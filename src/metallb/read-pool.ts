/**
 * IPAddressPool (metallb.io/v1beta1): spec.addresses as CIDRs or "first-last" ranges, IPv4 and
 * IPv6; autoAssign (default true); avoidBuggyIPs (default false).
 */
import type { FieldReader } from './field-reader.js';
import { type AddressRange, type IpFamily, parseAddressRange, rangesOverlap } from './ip-range.js';
import type { IpAddressPool } from './resources.js';

export const POOL_SPEC_FIELDS = ['addresses', 'autoAssign', 'avoidBuggyIPs', 'allocateTo', 'serviceAllocation'] as const;

export function readIpAddressPool(r: FieldReader): IpAddressPool | undefined {
  const d = r.doc;
  const spec = r.object(d.body, 'spec', '', true)!;
  r.unknownKeys(spec, 'spec', POOL_SPEC_FIELDS);
  for (const k of ['allocateTo', 'serviceAllocation']) {
    if (spec[k] !== undefined) r.warn(`spec.${k}`, 'not supported by tsbgp: ignored (the pool serves every namespace and service)');
  }
  const before = r.errorCount;
  const addresses: AddressRange[] = [];
  const list = r.list(spec, 'addresses', 'spec');
  if (list === undefined || list.length === 0) r.error('spec.addresses', 'must list at least one CIDR ("203.0.113.0/24") or range ("203.0.113.10-203.0.113.20")');
  (list ?? []).forEach((v, i) => {
    const field = `spec.addresses[${i}]`;
    if (typeof v !== 'string') {
      r.error(field, `must be a CIDR or range string (got ${JSON.stringify(v)})`);
      return;
    }
    const parsed = parseAddressRange(v);
    if (typeof parsed === 'string') {
      r.error(field, parsed);
      return;
    }
    const clash = addresses.find((a) => rangesOverlap(a, parsed));
    if (clash !== undefined) r.error(field, `${JSON.stringify(v)} overlaps ${JSON.stringify(clash.text)} of the same pool`);
    addresses.push(parsed);
  });
  const autoAssign = r.bool(spec, 'autoAssign', 'spec') ?? true;
  const avoidBuggyIPs = r.bool(spec, 'avoidBuggyIPs', 'spec') ?? false;
  if (r.errorCount > before) return undefined;
  const families = [...new Set(addresses.map((a) => a.family))].sort() as IpFamily[];
  return Object.freeze({ name: d.name, labels: d.labels, addresses, autoAssign, avoidBuggyIPs, families, source: { document: d.index, fileName: d.fileName } });
}
