/**
 * BGPPeer (metallb.io/v1beta1 and v1beta2) with MetalLB's defaults and ranges: ASNs, address,
 * port (default 179), timers as Go durations (holdTime 0 or 3s..65535s, default 90s; keepalive
 * default holdTime / 3; connectTime 1s..65535s whole seconds), router ID, password, BFD profile,
 * graceful restart, eBGP multi-hop, node selectors. Extension: `addPath`.
 */
import type { AddPathMode } from '../bgp/session/session-config.js';
import { parseGoDurationMs } from './duration.js';
import type { FieldReader, Plain } from './field-reader.js';
import { canonicalIp, parseIp } from './ip-range.js';
import { readLabelSelectors } from './label-selector.js';
import type { AddPathFamily, BgpPeer, DynamicAsnMode } from './resources.js';

export const PEER_SPEC_FIELDS = [
  'myASN',
  'peerASN',
  'dynamicASN',
  'peerAddress',
  'interface',
  'sourceAddress',
  'peerPort',
  'holdTime',
  'keepaliveTime',
  'connectTime',
  'routerID',
  'nodeSelectors',
  'password',
  'passwordSecret',
  'bfdProfile',
  'enableGracefulRestart',
  'ebgpMultiHop',
  'vrf',
  'disableMP',
  'dualStackAddressFamily',
  'addPath',
] as const;

const HINTS: Readonly<Record<string, string>> = {
  gracefulRestart: 'MetalLB spells it enableGracefulRestart: true',
  holdtime: 'did you mean holdTime?',
  keepalive: 'did you mean keepaliveTime?',
  asn: 'did you mean peerASN?',
  myAsn: 'did you mean myASN?',
  peerAsn: 'did you mean peerASN?',
};

const ADD_PATH_MODES: readonly AddPathMode[] = ['send', 'receive', 'both'];
const ADD_PATH_FAMILIES: readonly AddPathFamily[] = ['ipv4-unicast', 'ipv6-unicast'];

/** The peer, and the Secret its password is in (resolved by the loader). */
export interface ReadPeer {
  readonly peer: BgpPeer;
  readonly passwordSecret: string | undefined;
}

/** A Go duration at `field`, in milliseconds. */
function duration(r: FieldReader, spec: Plain, key: string): number | undefined {
  const v = spec[key];
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === 'string' ? parseGoDurationMs(v) : undefined;
  if (ms === undefined || ms < 0) {
    r.error(`spec.${key}`, `${JSON.stringify(v)} must be a duration such as "90s", "1m30s" or "500ms"`);
    return undefined;
  }
  return ms;
}

function readAddPath(r: FieldReader, spec: Plain): Partial<Record<AddPathFamily, AddPathMode>> {
  const v = spec['addPath'];
  const out: Partial<Record<AddPathFamily, AddPathMode>> = {};
  if (v === undefined || v === null) return out;
  const allowed = `must be send, receive or both`;
  if (typeof v === 'string') {
    if (!ADD_PATH_MODES.includes(v as AddPathMode)) r.error('spec.addPath', `${JSON.stringify(v)} ${allowed}, or a mapping by family (ipv4-unicast, ipv6-unicast)`);
    else for (const f of ADD_PATH_FAMILIES) out[f] = v as AddPathMode;
    return out;
  }
  const o = r.object(spec, 'addPath', 'spec')!;
  for (const [k, m] of Object.entries(o)) {
    if (!ADD_PATH_FAMILIES.includes(k as AddPathFamily)) r.error(`spec.addPath.${k}`, `unknown family (allowed: ${ADD_PATH_FAMILIES.join(', ')})`);
    else if (!ADD_PATH_MODES.includes(m as AddPathMode)) r.error(`spec.addPath.${k}`, `${JSON.stringify(m)} ${allowed}`);
    else out[k as AddPathFamily] = m as AddPathMode;
  }
  return out;
}

export function readBgpPeer(r: FieldReader): ReadPeer | undefined {
  const d = r.doc;
  const v1beta1 = d.apiVersion === 'metallb.io/v1beta1';
  const spec = r.object(d.body, 'spec', '', true)!;
  r.unknownKeys(spec, 'spec', PEER_SPEC_FIELDS, HINTS);
  const before = r.errorCount;
  const asnMax = v1beta1 ? 65535 : 4294967295;
  const asnHint = v1beta1 ? ' (metallb.io/v1beta1; use metallb.io/v1beta2 for 4-octet ASNs)' : '';
  const asn = (key: string): number | undefined => {
    const v = spec[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > asnMax) {
      r.error(`spec.${key}`, `${JSON.stringify(v)} must be an integer in 1..${asnMax}${asnHint}`);
      return undefined;
    }
    return v;
  };
  const myASN = asn('myASN');
  if (spec['myASN'] === undefined) r.error('spec.myASN', 'missing: the local AS number (1..4294967295)');
  const peerASN = asn('peerASN');
  const dyn = spec['dynamicASN'];
  let dynamicASN: DynamicAsnMode | undefined;
  if (dyn !== undefined && dyn !== null && dyn !== '') {
    if (dyn !== 'internal' && dyn !== 'external') r.error('spec.dynamicASN', `${JSON.stringify(dyn)} must be internal or external`);
    else dynamicASN = dyn;
  }
  if (spec['peerASN'] === undefined && dynamicASN === undefined && dyn === undefined) r.error('spec.peerASN', 'missing: give peerASN (1..4294967295) or dynamicASN (internal, external)');
  if (spec['peerASN'] !== undefined && dynamicASN !== undefined) r.error('spec.dynamicASN', 'cannot be combined with peerASN');

  if (spec['interface'] !== undefined) r.error('spec.interface', 'unnumbered BGP (interface) is not supported by tsbgp: give peerAddress');
  const addrText = r.string(spec, 'peerAddress', 'spec', spec['interface'] === undefined);
  const peerAddress = addrText === undefined ? undefined : canonicalIp(addrText.trim());
  if (addrText !== undefined && peerAddress === undefined) r.error('spec.peerAddress', `${JSON.stringify(addrText)} must be an IPv4 or IPv6 address`);
  const srcText = r.string(spec, 'sourceAddress', 'spec');
  const sourceAddress = srcText === undefined ? undefined : canonicalIp(srcText.trim());
  if (srcText !== undefined && sourceAddress === undefined) r.error('spec.sourceAddress', `${JSON.stringify(srcText)} must be an IPv4 or IPv6 address`);
  if (peerAddress !== undefined && sourceAddress !== undefined && peerAddress.includes(':') !== sourceAddress.includes(':')) {
    r.error('spec.sourceAddress', `${sourceAddress} is not of the family of peerAddress ${peerAddress}`);
  }
  const port = r.int(spec, 'peerPort', 'spec', v1beta1 ? 0 : 1, 16384);
  const peerPort = port === undefined || port === 0 ? 179 : port;

  const holdMs = duration(r, spec, 'holdTime');
  const keepaliveMs = duration(r, spec, 'keepaliveTime');
  let holdTimeSec = 90;
  let keepaliveTimeSec = 30;
  if (holdMs !== undefined) {
    holdTimeSec = Math.floor(holdMs / 1000);
    keepaliveTimeSec = Math.floor(holdTimeSec / 3);
    if ((holdTimeSec !== 0 && holdTimeSec < 3) || holdTimeSec > 65535) r.error('spec.holdTime', `${JSON.stringify(spec['holdTime'])} must be 0 or 3s..65535s`);
  }
  if (keepaliveMs !== undefined) {
    keepaliveTimeSec = Math.floor(keepaliveMs / 1000);
    if (holdMs === undefined) holdTimeSec = Math.min(65535, keepaliveTimeSec * 3);
    else if (keepaliveMs > holdMs) r.error('spec.keepaliveTime', `${JSON.stringify(spec['keepaliveTime'])} must not be longer than holdTime ${JSON.stringify(spec['holdTime'])}`);
  }
  let connectTimeSec = 120;
  const connectMs = duration(r, spec, 'connectTime');
  if (connectMs !== undefined) {
    if (connectMs % 1000 !== 0 || connectMs < 1000 || connectMs > 65535000) r.error('spec.connectTime', `${JSON.stringify(spec['connectTime'])} must be a whole number of seconds in 1s..65535s`);
    connectTimeSec = connectMs / 1000;
  }

  const ridText = r.string(spec, 'routerID', 'spec');
  const rid = ridText === undefined ? undefined : parseIp(ridText.trim());
  if (ridText !== undefined && rid?.family !== 4) r.error('spec.routerID', `${JSON.stringify(ridText)} must be an IPv4 address (the 4-octet BGP Identifier)`);
  const password = r.string(spec, 'password', 'spec');
  if (password !== undefined && (/[\r\n]/.test(password) || Buffer.byteLength(password) > 80)) r.error('spec.password', 'must be at most 80 octets, without line breaks (TCP-MD5 key)');
  let passwordSecret: string | undefined;
  const ps = r.object(spec, 'passwordSecret', 'spec');
  if (ps !== undefined) passwordSecret = r.string(ps, 'name', 'spec.passwordSecret', true);
  if (password !== undefined && passwordSecret !== undefined) r.error('spec.passwordSecret', 'cannot be combined with password');
  const bfdProfile = r.string(spec, 'bfdProfile', 'spec');
  const enableGracefulRestart = r.bool(spec, 'enableGracefulRestart', 'spec') ?? false;
  const ebgpMultiHop = r.bool(spec, 'ebgpMultiHop', 'spec') ?? false;
  if (ebgpMultiHop && (dynamicASN === 'internal' || (peerASN !== undefined && peerASN === myASN))) r.error('spec.ebgpMultiHop', 'cannot be set for an iBGP peer (peerASN equals myASN)');
  const vrf = r.string(spec, 'vrf', 'spec');
  if (vrf !== undefined) r.error('spec.vrf', 'VRFs are not supported by tsbgp');
  r.bool(spec, 'disableMP', 'spec');
  const dualStackAddressFamily = r.bool(spec, 'dualStackAddressFamily', 'spec') ?? false;
  const nodeSelectors = readLabelSelectors(r, spec, 'nodeSelectors', 'spec');
  const addPath = readAddPath(r, spec);
  if (r.errorCount > before || myASN === undefined || peerAddress === undefined) return undefined;
  const peer: BgpPeer = Object.freeze({
    name: d.name,
    apiVersion: d.apiVersion,
    myASN,
    peerASN,
    dynamicASN,
    peerAddress,
    peerPort,
    sourceAddress,
    holdTimeSec,
    keepaliveTimeSec,
    connectTimeSec,
    routerID: rid === undefined ? undefined : ridText!.trim(),
    password,
    bfdProfile,
    enableGracefulRestart,
    ebgpMultiHop,
    vrf,
    dualStackAddressFamily,
    nodeSelectors,
    addPath,
    source: { document: d.index, fileName: d.fileName },
  });
  return { peer, passwordSecret };
}
