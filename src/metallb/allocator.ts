/**
 * Assigns Service IPs from IPAddressPools by MetalLB's rules, as a pure function of the input:
 * a requested IP (metallb.io/loadBalancerIPs or spec.loadBalancerIP) must lie in a pool (an
 * autoAssign: false pool included) and match the address-pool annotation; the annotation alone
 * picks the pool; otherwise the autoAssign pools are tried by name. avoidBuggyIPs skips .0 and
 * .255. Services with the same allow-shared-ip key (and, for externalTrafficPolicy Local, the same
 * selector) share an IP when their ports do not clash. IPv4, IPv6 and dual stack per
 * ipFamilyPolicy. Deterministic: IPs kept from `previous` (or status) first, then requested IPs,
 * then the rest, each in namespace/name order; the lowest free address wins.
 */
import { type AddressRange, formatIp, isBuggyIp, type Ip, type IpFamily, parseIp, rangeContains } from './ip-range.js';
import type { IpAddressPool, MetalLbConfig, ServiceResource } from './resources.js';

export interface AllocationOptions {
  /** IPs held before (service key -> IPs), e.g. the last run's result: kept when still valid. Default: each Service's status.loadBalancer.ingress. */
  readonly previous?: ReadonlyMap<string, readonly string[]> | undefined;
  /** Serve only Services of this spec.loadBalancerClass; default: Services without one. */
  readonly loadBalancerClass?: string | undefined;
}

export interface ServiceAllocation {
  /** "namespace/name". */
  readonly service: string;
  readonly pool: string;
  /** Canonical text; IPv4 first. */
  readonly ips: readonly string[];
}

/** A LoadBalancer Service left without an IP, and why (MetalLB's AllocationFailed event). */
export interface AllocationFailure {
  readonly service: string;
  readonly reason: string;
}

export interface Allocation {
  /** By service key, in namespace/name order. */
  readonly assigned: ReadonlyMap<string, ServiceAllocation>;
  readonly failures: readonly AllocationFailure[];
}

interface IpUse {
  readonly pool: string;
  readonly sharingKey: string;
  readonly backendKey: string;
  readonly ports: Map<string, string>;
}

/** The backend key: Local services may share an IP only with services of the same selector. */
function backendKey(s: ServiceResource): string {
  if (s.externalTrafficPolicy !== 'Local') return '';
  return Object.keys(s.selector)
    .sort()
    .map((k) => `${k}=${s.selector[k]}`)
    .join(',');
}

const portKeys = (s: ServiceResource): string[] => s.ports.map((p) => `${p.protocol}/${p.port}`);

class Pools {
  readonly #uses = new Map<string, IpUse>();
  readonly #pools: readonly IpAddressPool[];
  /**
   * Per address range: every address below is in use. A service that does not share can never
   * take a used address, and addresses are only taken during a run, so its search starts here:
   * auto-assigning N services costs O(N), not O(N^2).
   */
  readonly #unsharedFrom = new Map<AddressRange, bigint>();

  constructor(pools: readonly IpAddressPool[]) {
    this.#pools = pools;
  }

  byName(name: string): IpAddressPool | undefined {
    return this.#pools.find((p) => p.name === name);
  }

  get all(): readonly IpAddressPool[] {
    return this.#pools;
  }

  /** The pool that owns `ip` (avoidBuggyIPs pools do not own .0 / .255). */
  poolFor(ip: Ip): IpAddressPool | undefined {
    return this.#pools.find((p) => !(p.avoidBuggyIPs && isBuggyIp(ip)) && p.addresses.some((r) => rangeContains(r, ip)));
  }

  /** Why `s` cannot use `ip`, or undefined when it can. */
  conflict(s: ServiceResource, ip: string): string | undefined {
    const use = this.#uses.get(ip);
    if (use === undefined) return undefined;
    const users = [...new Set(use.ports.values())].join(', ') || 'another service';
    const key = s.sharingKey ?? '';
    if (use.sharingKey === '') return `${ip} is used by ${users}, which does not allow sharing`;
    if (key === '') return `${ip} is used by ${users}; this service does not allow sharing (metallb.io/allow-shared-ip)`;
    if (key !== use.sharingKey) return `${ip} is used by ${users} with sharing key ${JSON.stringify(use.sharingKey)}, not ${JSON.stringify(key)}`;
    if (backendKey(s) !== use.backendKey) return `${ip} is used by ${users} with externalTrafficPolicy Local and another selector`;
    const clash = portKeys(s).find((p) => use.ports.has(p));
    if (clash !== undefined) return `port ${clash} of ${ip} is already used by ${use.ports.get(clash)}`;
    return undefined;
  }

  take(s: ServiceResource, pool: string, ip: string): void {
    let use = this.#uses.get(ip);
    if (use === undefined) {
      use = { pool, sharingKey: s.sharingKey ?? '', backendKey: backendKey(s), ports: new Map() };
      this.#uses.set(ip, use);
    }
    for (const p of portKeys(s)) use.ports.set(p, s.key);
    if (s.ports.length === 0) use.ports.set(`none/${s.key}`, s.key);
  }

  /** The lowest address of `family` in `pool` that `s` may use, or undefined. */
  firstFree(s: ServiceResource, pool: IpAddressPool, family: IpFamily): string | undefined {
    const unshared = s.sharingKey === undefined;
    for (const r of pool.addresses) {
      if (r.family !== family) continue;
      let dense = unshared;
      for (let v = unshared ? (this.#unsharedFrom.get(r) ?? r.first) : r.first; v <= r.last; v++) {
        const ip: Ip = { family, value: v };
        if (pool.avoidBuggyIPs && isBuggyIp(ip)) continue;
        const text = formatIp(ip);
        if (this.conflict(s, text) === undefined) return text;
        if (dense && this.#uses.has(text)) this.#unsharedFrom.set(r, v + 1n);
        else dense = false;
      }
    }
    return undefined;
  }
}

/** The families to allocate: all of `wanted` must be met; `fallback` (PreferDualStack) is tried when they cannot. */
function familiesOf(s: ServiceResource): { wanted: IpFamily[]; fallback: IpFamily[][] } {
  if (s.ipFamilyPolicy === 'SingleStack') return { wanted: [s.ipFamilies[0]!], fallback: [] };
  const both: IpFamily[] = [4, 6];
  if (s.ipFamilyPolicy === 'RequireDualStack') return { wanted: both, fallback: [] };
  const primary = s.ipFamilies[0]!;
  return { wanted: both, fallback: [[primary], [primary === 4 ? 6 : 4]] };
}

/** The requested IPs (parsed), or the problem text. */
function requestedIps(s: ServiceResource): Ip[] | string | undefined {
  const ann = s.loadBalancerIPsAnnotation;
  if (ann !== undefined && s.loadBalancerIP !== undefined) return 'service can not have both metallb.io/loadBalancerIPs and spec.loadBalancerIP';
  const text = ann ?? s.loadBalancerIP;
  if (text === undefined) return undefined;
  const out: Ip[] = [];
  for (const part of text.split(',')) {
    const ip = parseIp(part.trim());
    if (ip === undefined) return `invalid ${ann !== undefined ? 'metallb.io/loadBalancerIPs' : 'spec.loadBalancerIP'}: ${JSON.stringify(text)}`;
    out.push(ip);
  }
  const fams = out.map((i) => i.family);
  if (new Set(fams).size !== fams.length) return `requested loadBalancer IPs ${JSON.stringify(text)} must have at most one address per family`;
  const { wanted, fallback } = familiesOf(s);
  const ok = [wanted, ...fallback].some((w) => w.length === fams.length && w.every((f) => fams.includes(f)));
  if (!ok) return `requested loadBalancer IP(s) ${JSON.stringify(text)} do not match the IP families of the service (${s.ipFamilyPolicy} ${s.ipFamilies.map((f) => `IPv${f}`).join(', ')})`;
  return out;
}

const sortIps = (ips: string[]): string[] => ips.sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')));

/** Checks that `ips` can go to `s` (all in one pool, matching the pool annotation, free): the pool name or the problem text. */
function checkIps(pools: Pools, s: ServiceResource, ips: readonly Ip[], what: string): { pool: string } | { problem: string } {
  let poolName: string | undefined;
  for (const ip of ips) {
    const text = formatIp(ip);
    const pool = pools.poolFor(ip);
    if (pool === undefined) return { problem: `${what} ${text} is not in any IPAddressPool` };
    if (poolName !== undefined && pool.name !== poolName) return { problem: `${what} are in different pools (${poolName}, ${pool.name})` };
    poolName = pool.name;
    const c = pools.conflict(s, text);
    if (c !== undefined) return { problem: c };
  }
  if (s.addressPool !== undefined && poolName !== s.addressPool) return { problem: `${what} ${ips.map(formatIp).join(', ')} not compatible with requested address pool ${s.addressPool}` };
  return { pool: poolName! };
}

/** Assigns Service IPs. Pure: the same config and options give the same result. */
export function allocateServiceIps(config: MetalLbConfig, options: AllocationOptions = {}): Allocation {
  const pools = new Pools(config.pools);
  const result = new Map<string, ServiceAllocation>();
  const failures = new Map<string, string>();
  const services = config.services.filter((s) => s.type === 'LoadBalancer' && s.loadBalancerClass === options.loadBalancerClass);
  const assign = (s: ServiceResource, pool: string, ips: string[]): void => {
    for (const ip of ips) pools.take(s, pool, ip);
    result.set(s.key, Object.freeze({ service: s.key, pool, ips: sortIps(ips) }));
    failures.delete(s.key);
  };
  const requests = new Map(services.map((s) => [s.key, requestedIps(s)]));
  // 1. what the service holds already, when still valid and still what it asks for
  for (const s of services) {
    const held = options.previous?.get(s.key) ?? s.statusIPs;
    if (held.length === 0) continue;
    const ips = held.map((t) => parseIp(t));
    if (ips.some((i) => i === undefined)) continue;
    const req = requests.get(s.key);
    if (typeof req === 'string') continue;
    const texts = ips.map((i) => formatIp(i!));
    if (req !== undefined && (req.length !== texts.length || req.some((r) => !texts.includes(formatIp(r))))) continue;
    const fams = ips.map((i) => i!.family);
    const { wanted, fallback } = familiesOf(s);
    if (![wanted, ...fallback].some((w) => w.length === fams.length && w.every((f) => fams.includes(f)))) continue;
    const c = checkIps(pools, s, ips as Ip[], 'IP');
    if ('pool' in c) assign(s, c.pool, texts);
  }
  // 2. requested IPs, 3. everything else
  for (const phase of ['requested', 'auto'] as const) {
    for (const s of services) {
      if (result.has(s.key)) continue;
      const req = requests.get(s.key);
      if (typeof req === 'string') {
        failures.set(s.key, req);
        continue;
      }
      if ((req !== undefined) !== (phase === 'requested')) continue;
      if (req !== undefined) {
        const c = checkIps(pools, s, req, req.length === 1 ? 'requested IP' : 'requested IPs');
        if ('pool' in c) assign(s, c.pool, req.map(formatIp));
        else failures.set(s.key, c.problem);
        continue;
      }
      let candidates: readonly IpAddressPool[] = pools.all.filter((p) => p.autoAssign);
      if (s.addressPool !== undefined) {
        const p = pools.byName(s.addressPool);
        if (p === undefined) {
          failures.set(s.key, `unknown pool ${JSON.stringify(s.addressPool)} (metallb.io/address-pool)`);
          continue;
        }
        candidates = [p];
      }
      const { wanted, fallback } = familiesOf(s);
      let done = false;
      for (const fams of [wanted, ...fallback]) {
        for (const pool of candidates) {
          const ips = fams.map((f) => pools.firstFree(s, pool, f));
          if (ips.every((x) => x !== undefined)) {
            assign(s, pool.name, ips as string[]);
            done = true;
            break;
          }
        }
        if (done) break;
      }
      if (!done) {
        const fam = wanted.map((f) => `IPv${f}`).join(' + ');
        failures.set(s.key, s.addressPool !== undefined ? `no available ${fam} IPs in pool ${JSON.stringify(s.addressPool)}` : candidates.length === 0 ? 'no IPAddressPool with autoAssign' : `no available ${fam} IPs in the autoAssign pools (${candidates.map((p) => p.name).join(', ')})`);
      }
    }
  }
  const assigned = new Map([...result.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  const list = [...failures.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([service, reason]) => ({ service, reason }));
  return { assigned, failures: list };
}
