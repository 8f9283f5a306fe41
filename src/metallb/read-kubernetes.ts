/**
 * The Kubernetes objects a speaker needs beside MetalLB's own: Service (type, ports,
 * externalTrafficPolicy, IP families, loadBalancerIP, the MetalLB annotations, status IPs),
 * EndpointSlice (endpoints with nodeName and readiness) and Node (labels).
 */
import type { FieldReader, Plain } from './field-reader.js';
import type { IpFamily } from './ip-range.js';
import { parseIp } from './ip-range.js';
import type { Endpoint, EndpointSliceResource, ExternalTrafficPolicy, IpFamilyPolicy, NodeResource, ServicePort, ServiceResource } from './resources.js';

/** MetalLB's annotations: the current metallb.io/ name first, then the deprecated metallb.universe.tf/ one. */
export function metallbAnnotation(annotations: Readonly<Record<string, string>>, name: string): string | undefined {
  return annotations[`metallb.io/${name}`] ?? annotations[`metallb.universe.tf/${name}`];
}

const POLICIES: readonly IpFamilyPolicy[] = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

function stringRecord(r: FieldReader, o: Plain, key: string, base: string): Record<string, string> {
  const m = r.object(o, key, base) ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) {
    if (typeof v === 'string') out[k] = v;
    else r.error(`${base}.${key}.${k}`, `must be a string (got ${JSON.stringify(v)}; quote numbers and booleans)`);
  }
  return out;
}

export function readService(r: FieldReader): ServiceResource | undefined {
  const d = r.doc;
  const before = r.errorCount;
  const spec = r.object(d.body, 'spec', '', true)!;
  const type = r.string(spec, 'type', 'spec') ?? 'ClusterIP';
  const etp = r.string(spec, 'externalTrafficPolicy', 'spec') ?? 'Cluster';
  if (etp !== 'Cluster' && etp !== 'Local') r.error('spec.externalTrafficPolicy', `${JSON.stringify(etp)} must be Cluster or Local`);
  const policy = r.string(spec, 'ipFamilyPolicy', 'spec') ?? 'SingleStack';
  if (!POLICIES.includes(policy as IpFamilyPolicy)) r.error('spec.ipFamilyPolicy', `${JSON.stringify(policy)} must be one of ${POLICIES.join(', ')}`);
  let ipFamilies: IpFamily[] = [];
  const fam = r.stringList(spec, 'ipFamilies', 'spec');
  (fam ?? []).forEach((f, i) => {
    if (f === 'IPv4') ipFamilies.push(4);
    else if (f === 'IPv6') ipFamilies.push(6);
    else r.error(`spec.ipFamilies[${i}]`, `${JSON.stringify(f)} must be IPv4 or IPv6`);
  });
  if (ipFamilies.length === 0) {
    const clusterIPs = (r.stringList(spec, 'clusterIPs', 'spec') ?? []).map((x) => parseIp(x)?.family).filter((x): x is IpFamily => x !== undefined);
    ipFamilies = [...new Set(clusterIPs)];
  }
  if (ipFamilies.length === 0) ipFamilies = policy === 'SingleStack' ? [4] : [4, 6];
  if (policy === 'SingleStack' && ipFamilies.length > 1) r.error('spec.ipFamilies', 'a SingleStack service has one family');
  const ports: ServicePort[] = [];
  (r.list(spec, 'ports', 'spec') ?? []).forEach((p, i) => {
    const field = `spec.ports[${i}]`;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) {
      r.error(field, 'must be a mapping with port and protocol');
      return;
    }
    const po = p as Plain;
    const port = r.int(po, 'port', field, 1, 65535);
    if (po['port'] === undefined) r.error(`${field}.port`, 'missing (1..65535)');
    const protocol = r.string(po, 'protocol', field) ?? 'TCP';
    if (!PROTOCOLS.includes(protocol)) r.error(`${field}.protocol`, `${JSON.stringify(protocol)} must be TCP, UDP or SCTP`);
    if (port !== undefined) ports.push({ protocol, port });
  });
  const selector = stringRecord(r, spec, 'selector', 'spec');
  const statusIPs: string[] = [];
  const lb = r.object(r.object(d.body, 'status', '') ?? {}, 'loadBalancer', 'status');
  (r.list(lb ?? {}, 'ingress', 'status.loadBalancer') ?? []).forEach((x) => {
    const ip = typeof x === 'object' && x !== null ? (x as Plain)['ip'] : undefined;
    if (typeof ip === 'string' && ip !== '') statusIPs.push(ip);
  });
  if (r.errorCount > before) return undefined;
  const namespace = d.namespace === '' ? 'default' : d.namespace;
  return Object.freeze({
    namespace,
    name: d.name,
    key: `${namespace}/${d.name}`,
    type,
    labels: d.labels,
    externalTrafficPolicy: etp as ExternalTrafficPolicy,
    ipFamilyPolicy: policy as IpFamilyPolicy,
    ipFamilies,
    ports,
    selector,
    loadBalancerClass: r.string(spec, 'loadBalancerClass', 'spec'),
    loadBalancerIP: r.string(spec, 'loadBalancerIP', 'spec'),
    loadBalancerIPsAnnotation: metallbAnnotation(d.annotations, 'loadBalancerIPs'),
    addressPool: metallbAnnotation(d.annotations, 'address-pool'),
    sharingKey: metallbAnnotation(d.annotations, 'allow-shared-ip'),
    statusIPs,
    source: { document: d.index, fileName: d.fileName },
  });
}

export function readEndpointSlice(r: FieldReader): EndpointSliceResource | undefined {
  const d = r.doc;
  const before = r.errorCount;
  const serviceName = d.labels['kubernetes.io/service-name'];
  if (serviceName === undefined || serviceName === '') r.error('metadata.labels', 'missing kubernetes.io/service-name: the Service this slice belongs to');
  const endpoints: Endpoint[] = [];
  (r.list(d.body, 'endpoints', '') ?? []).forEach((e, i) => {
    const field = `endpoints[${i}]`;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) {
      r.error(field, 'must be a mapping with addresses, conditions and nodeName');
      return;
    }
    const eo = e as Plain;
    const conditions = r.object(eo, 'conditions', field) ?? {};
    const ready = r.bool(conditions, 'ready', `${field}.conditions`) ?? true;
    const topology = r.object(eo, 'topology', field) ?? {};
    const hostname = typeof topology['kubernetes.io/hostname'] === 'string' ? (topology['kubernetes.io/hostname'] as string) : undefined;
    const nodeName = r.string(eo, 'nodeName', field) ?? hostname;
    const addresses = r.stringList(eo, 'addresses', field) ?? [];
    endpoints.push({ nodeName, ready, addresses });
  });
  if (r.errorCount > before) return undefined;
  return Object.freeze({ namespace: d.namespace === '' ? 'default' : d.namespace, name: d.name, serviceName: serviceName!, endpoints });
}

/** A Node (the loader has checked that it has a name). */
export function readNode(r: FieldReader): NodeResource {
  return Object.freeze({ name: r.doc.name, labels: r.doc.labels });
}
