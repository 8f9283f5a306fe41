/**
 * Test helper: decodes BGP messages (hex) with Wireshark's BGP dissector (tshark 4.0) as an
 * independent second opinion for the codec tests.
 *
 * Owns: writing many messages into ONE pcap (one Ethernet/IPv4/TCP frame per message, each in its
 * own TCP conversation 198.18.1.13:40000+i -> 198.18.1.1:179), ONE tshark run over it
 * (`-T pdml`), and turning the dissection into plain key fields per message.
 * Must not touch: the library under test (it imports nothing from src/, on purpose), the network
 * (tshark only reads the file), anything outside its private temp dir.
 *
 * Why PDML and not `-T json --no-duplicate-keys`: the field names are the same (Wireshark
 * "abbrev" names), but the JSON form merges repeated keys into one array at the first key's place,
 * so the order between sibling fields of different names is lost (e.g. a regular community vs. a
 * well-known one, or AS_PATH segments vs. their ASNs), and nodes without a value are mixed with
 * their subtree. PDML keeps document order and gives pos/size/raw hex for every field.
 *
 * tshark quirks (4.0.17), found while writing this helper; see test/tshark-helper.test.ts:
 * - AS_PATH / AGGREGATOR: with `bgp.asn_len` "Auto-detect" (default) tshark guesses 2- or 4-octet
 *   ASNs per attribute; bytes valid both ways are read as 2-octet. Pass {asnLen: 4} (or 2) to pin
 *   it: that sets `-o bgp.asn_len:...` for the whole run (split runs by context if needed).
 * - ADD-PATH: tshark 4.0 has no preference for it; it guesses per NLRI block (a path id is shown
 *   as `bgp.nlri_path_id` when its heuristic says so).
 * - A message whose length field exceeds the bytes given is NOT flagged by tshark (it decodes
 *   what is there); this helper flags it (coveredBytes !== inputLength).
 * - A bad marker gives a PDU named "Continuation" (`bgp.continuation`) with no expert info.
 * - With TCP/BGP desegmentation off (needed so one message = one frame), an exception inside a
 *   PDU may be reported as `_ws.unreassembled` instead of `_ws.malformed`; both count as
 *   malformed here.
 */
import { spawnSync, execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One attribute header as tshark saw it, in wire order. */
export interface TsharkPathAttribute {
  flags: number;
  typeCode: number;
  length: number;
}

export interface TsharkAsPathSegment {
  type: number;
  /** Number of ASNs, from the segment's own length octet. */
  length: number;
  asns: number[];
  /** 2 or 4: how tshark read the ASNs (`...as_path_segment.as2` or `.as4`). */
  asnOctets: 2 | 4;
}

export interface TsharkExtendedCommunity {
  /** bgp.ext_com.type (high-order type octet, flags included). */
  type: number;
  /** The sub-type octet, when tshark shows one (`bgp.ext_com.stype_*`). */
  subtype?: number;
  /** The 8 bytes, hex. */
  raw: string;
}

export interface TsharkMpReach {
  afi: number;
  safi: number;
  /** The next-hop length octet. */
  nextHopLength: number;
  /** Next-hop addresses tshark recognised, in order (e.g. global, then link-local). */
  nextHops: string[];
  /** The next-hop bytes (without the length octet), hex. */
  nextHopRaw: string;
  nlri: string[];
  nlriPathIds?: number[];
}

export interface TsharkMpUnreach {
  afi: number;
  safi: number;
  withdrawn: string[];
  withdrawnPathIds?: number[];
}

export interface TsharkUpdate {
  withdrawnRoutesLength: number;
  withdrawn: string[];
  withdrawnPathIds?: number[];
  pathAttributesLength: number;
  attributes: TsharkPathAttribute[];
  nlri: string[];
  nlriPathIds?: number[];
  origin?: number;
  asPath?: TsharkAsPathSegment[];
  as4Path?: TsharkAsPathSegment[];
  nextHop?: string;
  med?: number;
  localPref?: number;
  atomicAggregate?: boolean;
  aggregator?: { as: number; address: string };
  as4Aggregator?: { as: number; address: string };
  /** "ASN:VALUE" in decimal for every community, well-known ones included (NO_EXPORT = "65535:65281"). */
  communities?: string[];
  /** "GA:LD1:LD2" */
  largeCommunities?: string[];
  extendedCommunities?: TsharkExtendedCommunity[];
  originatorId?: string;
  clusterList?: string[];
  mpReach?: TsharkMpReach;
  mpUnreach?: TsharkMpUnreach;
}

export interface TsharkOpen {
  version: number;
  myAs: number;
  holdTime: number;
  bgpIdentifier: string;
  optParamsLength: number;
  optParams: { type: number; length: number }[];
  /** Every capability in wire order, across all optional parameters. */
  capabilities: { code: number; length: number }[];
}

export interface TsharkNotification {
  code: number;
  subcode: number;
  /** Everything after the subcode octet, hex (taken from the input bytes). */
  data: string;
  /** RFC 8203/9003 text when tshark decoded one (bgp.notify.communication). */
  shutdownCommunication?: string;
}

export interface TsharkRouteRefresh {
  afi: number;
  subtype: number;
  safi: number;
}

/** The key fields of one BGP PDU as tshark dissected it. */
export interface TsharkBgpFields {
  /** bgp.type, undefined when tshark did not get that far (e.g. a bad marker). */
  type?: number;
  typeName?: string;
  /** bgp.length (the header's length field, not the bytes present). */
  length?: number;
  /** tshark showed "Continuation" (marker not all ones). */
  continuation: boolean;
  open?: TsharkOpen;
  update?: TsharkUpdate;
  notification?: TsharkNotification;
  routeRefresh?: TsharkRouteRefresh;
}

export interface TsharkExpert {
  severity: 'comment' | 'chat' | 'note' | 'warn' | 'error';
  message: string;
}

/** tshark's view of one input message (one frame). Fields are those of the first PDU. */
export interface TsharkBgpPdu extends TsharkBgpFields {
  /** Index in the input array. */
  index: number;
  /** Bytes given for this message. */
  inputLength: number;
  /** How many BGP PDUs tshark found in the frame (1 for a well-formed single message). */
  pduCount: number;
  /** Sum of bgp.length over the PDUs found. */
  coveredBytes: number;
  /** PDUs after the first one, if the bytes held (or tshark read) more than one. */
  extraPdus: TsharkBgpFields[];
  /** `_ws.malformed` or `_ws.unreassembled` present. */
  malformed: boolean;
  /** Expert infos from the BGP dissector and the malformed markers (TCP/IP ones are ignored). */
  expert: TsharkExpert[];
  /**
   * True when tshark did not accept the bytes as exactly one good PDU: malformed, an expert info
   * of severity warn or error, a Continuation, not exactly one PDU, or bgp.length not covering
   * exactly the input bytes.
   */
  flagged: boolean;
}

export interface TsharkDecodeOptions {
  /** Pin AS number width for AS_PATH/AGGREGATOR decoding (`-o bgp.asn_len`). Default 'auto'. */
  asnLen?: 'auto' | 2 | 4;
  /** Milliseconds before the tshark run is killed. Default 60000. */
  timeoutMs?: number;
}

const TSHARK = process.env['TSHARK'] ?? 'tshark';
let available: boolean | undefined;

/** True when a tshark binary answers `tshark -v` (result cached). */
export function tsharkAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync(TSHARK, ['-v'], { stdio: 'ignore', timeout: 20000 });
    available = r.status === 0;
  }
  return available;
}

const MESSAGE_TYPE_NAMES: Record<number, string> = {
  1: 'OPEN',
  2: 'UPDATE',
  3: 'NOTIFICATION',
  4: 'KEEPALIVE',
  5: 'ROUTE-REFRESH',
};

// ---------------------------------------------------------------------------------------------
// pcap writer: Ethernet II + IPv4 + TCP, one frame per message.

const SRC_IP = [198, 18, 1, 13] as const;
const DST_IP = [198, 18, 1, 1] as const;
const SRC_PORT_BASE = 40000;
const PORTS_PER_ADDRESS = 25000;
const ETH_IP_TCP = 14 + 20 + 20;

function normaliseHex(text: string, index: number): Buffer {
  const clean = text.replace(/0x/gi, '').replace(/[\s:]/g, '').toLowerCase();
  if (!/^[0-9a-f]*$/.test(clean) || clean.length % 2 !== 0) {
    throw new Error(`tsharkDecodeBgp: message ${index} is not an even-length hex string`);
  }
  return Buffer.from(clean, 'hex');
}

function ipv4Checksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < h.length; i += 2) sum += h.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function frameFor(payload: Buffer, index: number): Buffer {
  const f = Buffer.alloc(ETH_IP_TCP + payload.length);
  // Ethernet: locally administered MACs, type IPv4
  Buffer.from('020000000001020000000002', 'hex').copy(f, 0);
  f.writeUInt16BE(0x0800, 12);
  // IPv4: total length 0 when it does not fit 16 bits (tshark's ip.tso_support then uses the frame)
  const ip = f.subarray(14, 34);
  ip[0] = 0x45;
  const total = 40 + payload.length;
  ip.writeUInt16BE(total <= 0xffff ? total : 0, 2);
  ip.writeUInt16BE(index & 0xffff, 4);
  ip[6] = 0x40; // DF
  ip[8] = 64; // TTL
  ip[9] = 6; // TCP
  ip[12] = SRC_IP[0];
  ip[13] = SRC_IP[1];
  ip[14] = SRC_IP[2];
  ip[15] = SRC_IP[3] + Math.floor(index / PORTS_PER_ADDRESS);
  ip[16] = DST_IP[0];
  ip[17] = DST_IP[1];
  ip[18] = DST_IP[2];
  ip[19] = DST_IP[3];
  ip.writeUInt16BE(ipv4Checksum(ip), 10);
  // TCP: own conversation per message, PSH+ACK, checksum left 0 (tshark does not check it)
  const tcp = f.subarray(34, 54);
  tcp.writeUInt16BE(SRC_PORT_BASE + (index % PORTS_PER_ADDRESS), 0);
  tcp.writeUInt16BE(179, 2);
  tcp.writeUInt32BE(1, 4);
  tcp.writeUInt32BE(1, 8);
  tcp[12] = 0x50;
  tcp[13] = 0x18;
  tcp.writeUInt16BE(0xffff, 14);
  payload.copy(f, ETH_IP_TCP);
  return f;
}

function buildPcap(payloads: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b2c3d4, 0);
  g.writeUInt16LE(2, 4);
  g.writeUInt16LE(4, 6);
  g.writeUInt32LE(0x40000, 16); // snaplen 262144
  g.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  parts.push(g);
  payloads.forEach((p, i) => {
    const frame = frameFor(p, i);
    const h = Buffer.alloc(16);
    h.writeUInt32LE(1700000000 + i, 0);
    h.writeUInt32LE(frame.length, 8);
    h.writeUInt32LE(frame.length, 12);
    parts.push(h, frame);
  });
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// PDML: a tiny tree reader. tshark writes one tag per line and escapes attribute values.

interface Node {
  tag: string;
  name: string;
  show: string;
  value: string;
  pos: number;
  size: number;
  children: Node[];
}

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_m, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return String.fromCodePoint(code);
  });
}

function parsePdml(xml: string): Node[] {
  const root: Node = { tag: 'root', name: '', show: '', value: '', pos: 0, size: 0, children: [] };
  const stack: Node[] = [root];
  const tagRe = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w.-]+="[^"]*")*)\s*(\/?)>/g;
  const attrRe = /([\w.-]+)="([^"]*)"/g;
  for (let m = tagRe.exec(xml); m !== null; m = tagRe.exec(xml)) {
    const [, closing, tag, attrs, selfClosing] = m;
    if (tag === undefined) continue;
    if (closing === '/') {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const a: Record<string, string> = {};
    for (let am = attrRe.exec(attrs ?? ''); am !== null; am = attrRe.exec(attrs ?? '')) {
      if (am[1] !== undefined) a[am[1]] = unescapeXml(am[2] ?? '');
    }
    const node: Node = {
      tag,
      name: a['name'] ?? '',
      show: a['show'] ?? '',
      value: a['value'] ?? '',
      pos: Number(a['pos'] ?? 0),
      size: Number(a['size'] ?? 0),
      children: [],
    };
    stack[stack.length - 1]?.children.push(node);
    if (selfClosing !== '/') stack.push(node);
  }
  return root.children.find((n) => n.tag === 'pdml')?.children.filter((n) => n.tag === 'packet') ?? [];
}

function* walk(n: Node): Generator<Node> {
  for (const c of n.children) {
    yield c;
    yield* walk(c);
  }
}

function child(n: Node | undefined, name: string): Node | undefined {
  return n?.children.find((c) => c.name === name);
}

function children(n: Node | undefined, name: string): Node[] {
  return n?.children.filter((c) => c.name === name) ?? [];
}

function num(n: Node | undefined): number | undefined {
  if (n === undefined) return undefined;
  const v = n.show.startsWith('0x') ? parseInt(n.show, 16) : Number(n.show);
  return Number.isFinite(v) ? v : undefined;
}

function numOf(n: Node | undefined, name: string): number {
  return num(child(n, name)) ?? NaN;
}

// ---------------------------------------------------------------------------------------------
// BGP field extraction

interface PrefixList {
  prefixes: string[];
  pathIds: number[];
  anyPathId: boolean;
}

/** Prefix items are unnamed text nodes holding bgp.prefix_length + a `*_prefix` field. */
function prefixesIn(container: Node | undefined, prefixField: RegExp): PrefixList {
  const out: PrefixList = { prefixes: [], pathIds: [], anyPathId: false };
  if (container === undefined) return out;
  for (const item of container.children) {
    if (item.name !== '') continue;
    const len = num(child(item, 'bgp.prefix_length'));
    const pfx = item.children.find((c) => prefixField.test(c.name));
    if (len === undefined) continue;
    const pathId = num(child(item, 'bgp.nlri_path_id'));
    out.prefixes.push(`${pfx?.show ?? '?'}/${len}`);
    out.pathIds.push(pathId ?? NaN);
    if (pathId !== undefined) out.anyPathId = true;
  }
  return out;
}

function asSegments(attr: Node, segName: string): TsharkAsPathSegment[] {
  return children(attr, segName).map((seg) => {
    const as4 = children(seg, `${segName}.as4`);
    const as2 = children(seg, `${segName}.as2`);
    const list = as4.length > 0 ? as4 : as2;
    return {
      type: numOf(seg, `${segName}.type`),
      length: numOf(seg, `${segName}.length`),
      asns: list.map((x) => num(x) ?? NaN),
      asnOctets: as4.length > 0 ? 4 : 2,
    };
  });
}

function communityText(v: number): string {
  return `${v >>> 16}:${v & 0xffff}`;
}

function decodeUpdate(bgp: Node, bytes: Buffer, base: number): TsharkUpdate {
  const wd = prefixesIn(child(bgp, 'bgp.update.withdrawn_routes'), /^bgp\.withdrawn_prefix/);
  const nl = prefixesIn(child(bgp, 'bgp.update.nlri'), /^bgp\.nlri_prefix/);
  const u: TsharkUpdate = {
    withdrawnRoutesLength: numOf(bgp, 'bgp.update.withdrawn_routes.length'),
    withdrawn: wd.prefixes,
    pathAttributesLength: numOf(bgp, 'bgp.update.path_attributes.length'),
    attributes: [],
    nlri: nl.prefixes,
  };
  if (wd.anyPathId) u.withdrawnPathIds = wd.pathIds;
  if (nl.anyPathId) u.nlriPathIds = nl.pathIds;
  const P = 'bgp.update.path_attribute';
  for (const a of children(child(bgp, 'bgp.update.path_attributes'), P)) {
    const typeCode = numOf(a, `${P}.type_code`);
    u.attributes.push({ flags: numOf(a, `${P}.flags`), typeCode, length: numOf(a, `${P}.length`) });
    switch (typeCode) {
      case 1:
        u.origin = numOf(a, `${P}.origin`);
        break;
      case 2:
        u.asPath = asSegments(a, `${P}.as_path_segment`);
        break;
      case 17:
        u.as4Path = asSegments(a, `${P}.as_path_segment`);
        break;
      case 3:
        u.nextHop = child(a, `${P}.next_hop`)?.show ?? '';
        break;
      case 4:
        u.med = numOf(a, `${P}.multi_exit_disc`);
        break;
      case 5:
        u.localPref = numOf(a, `${P}.local_pref`);
        break;
      case 6:
        u.atomicAggregate = true;
        break;
      case 7:
        u.aggregator = {
          as: numOf(a, `${P}.aggregator_as`),
          address: child(a, `${P}.aggregator_origin`)?.show ?? '',
        };
        break;
      case 18:
        u.as4Aggregator = {
          as: numOf(a, `${P}.aggregator_as`),
          address: child(a, `${P}.aggregator_origin`)?.show ?? '',
        };
        break;
      case 8: {
        const list: string[] = [];
        for (const c of child(a, `${P}.communities`)?.children ?? []) {
          if (c.name === `${P}.community_wellknown`) list.push(communityText(num(c) ?? NaN));
          else if (c.name === `${P}.community`) {
            list.push(`${numOf(c, `${P}.community_as`)}:${numOf(c, `${P}.community_value`)}`);
          }
        }
        u.communities = list;
        break;
      }
      case 32: {
        // one bgp.large_communities node per community, each with ga/ldp1/ldp2 children
        u.largeCommunities = children(a, 'bgp.large_communities').map(
          (c) =>
            `${numOf(c, 'bgp.large_communities.ga')}:${numOf(c, 'bgp.large_communities.ldp1')}:` +
            `${numOf(c, 'bgp.large_communities.ldp2')}`,
        );
        break;
      }
      case 16: {
        u.extendedCommunities = children(child(a, 'bgp.ext_communities'), 'bgp.ext_community').map((c) => {
          const ec: TsharkExtendedCommunity = {
            type: numOf(c, 'bgp.ext_com.type'),
            raw: bytes.subarray(c.pos - base, c.pos - base + c.size).toString('hex'),
          };
          const st = c.children.find((x) => x.name.startsWith('bgp.ext_com.stype'));
          const stv = num(st);
          if (stv !== undefined) ec.subtype = stv;
          return ec;
        });
        break;
      }
      case 9:
        u.originatorId = child(a, `${P}.originator_id`)?.show ?? '';
        break;
      case 10:
        u.clusterList = children(child(a, 'bgp.path_attribute.cluster_list'), 'bgp.path_attribute.cluster_id').map(
          (c) => c.show,
        );
        break;
      case 14: {
        const R = `${P}.mp_reach_nlri`;
        const nh = child(a, `${R}.next_hop`);
        const list = prefixesIn(child(a, R), /^bgp\.mp_reach_nlri_.*prefix/);
        const nhAddrs = nh === undefined ? [] : [...walk(nh)].filter((x) => x.value !== '' && /[.:]/.test(x.show));
        // tshark's next_hop item starts at the next-hop length octet
        const nhStart = nh === undefined ? 0 : nh.pos - base;
        const mp: TsharkMpReach = {
          afi: numOf(a, `${R}.afi`),
          safi: numOf(a, `${R}.safi`),
          nextHopLength: nh === undefined ? NaN : (bytes[nhStart] ?? NaN),
          nextHops: nhAddrs.map((x) => x.show),
          nextHopRaw: nh === undefined ? '' : bytes.subarray(nhStart + 1, nhStart + nh.size).toString('hex'),
          nlri: list.prefixes,
        };
        if (list.anyPathId) mp.nlriPathIds = list.pathIds;
        u.mpReach = mp;
        break;
      }
      case 15: {
        const R = `${P}.mp_unreach_nlri`;
        const list = prefixesIn(child(a, R), /^bgp\.mp_unreach_nlri_.*prefix/);
        const mp: TsharkMpUnreach = { afi: numOf(a, `${R}.afi`), safi: numOf(a, `${R}.safi`), withdrawn: list.prefixes };
        if (list.anyPathId) mp.withdrawnPathIds = list.pathIds;
        u.mpUnreach = mp;
        break;
      }
      default:
        break;
    }
  }
  return u;
}

function decodeOpen(bgp: Node): TsharkOpen {
  const o: TsharkOpen = {
    version: numOf(bgp, 'bgp.open.version'),
    myAs: numOf(bgp, 'bgp.open.myas'),
    holdTime: numOf(bgp, 'bgp.open.holdtime'),
    bgpIdentifier: child(bgp, 'bgp.open.identifier')?.show ?? '',
    optParamsLength: numOf(bgp, 'bgp.open.opt.len'),
    optParams: [],
    capabilities: [],
  };
  for (const p of children(child(bgp, 'bgp.open.opt'), 'bgp.open.opt.param')) {
    o.optParams.push({ type: numOf(p, 'bgp.open.opt.param.type'), length: numOf(p, 'bgp.open.opt.param.len') });
    for (const c of children(p, 'bgp.cap')) {
      o.capabilities.push({ code: numOf(c, 'bgp.cap.type'), length: numOf(c, 'bgp.cap.length') });
    }
  }
  return o;
}

function decodePdu(bgp: Node, bytes: Buffer, base: number): TsharkBgpFields {
  const f: TsharkBgpFields = { continuation: child(bgp, 'bgp.continuation') !== undefined };
  const type = num(child(bgp, 'bgp.type'));
  const length = num(child(bgp, 'bgp.length'));
  if (length !== undefined) f.length = length;
  if (type === undefined) return f;
  f.type = type;
  f.typeName = MESSAGE_TYPE_NAMES[type] ?? `TYPE-${type}`;
  // offsets of this PDU inside the input bytes
  const start = bgp.pos - base;
  switch (type) {
    case 1:
      f.open = decodeOpen(bgp);
      break;
    case 2:
      f.update = decodeUpdate(bgp, bytes, base);
      break;
    case 3: {
      const minor = bgp.children.find((c) => c.name.startsWith('bgp.notify.minor_error'));
      const end = Math.min(bytes.length, start + (length ?? bgp.size));
      const n: TsharkNotification = {
        code: numOf(bgp, 'bgp.notify.major_error'),
        subcode: num(minor) ?? NaN,
        data: bytes.subarray(Math.min(start + 21, end), end).toString('hex'),
      };
      const comm = child(bgp, 'bgp.notify.communication');
      if (comm !== undefined) n.shutdownCommunication = comm.show;
      f.notification = n;
      break;
    }
    case 5:
      f.routeRefresh = {
        afi: numOf(bgp, 'bgp.route_refresh.afi'),
        subtype: numOf(bgp, 'bgp.route_refresh.subtype'),
        safi: numOf(bgp, 'bgp.route_refresh.safi'),
      };
      break;
    default:
      break;
  }
  return f;
}

const SEVERITIES: [number, TsharkExpert['severity']][] = [
  [0x00800000, 'error'],
  [0x00600000, 'warn'],
  [0x00400000, 'note'],
  [0x00200000, 'chat'],
  [0x00100000, 'comment'],
];

function severityName(v: number): TsharkExpert['severity'] {
  for (const [min, name] of SEVERITIES) if (v >= min) return name;
  return 'comment';
}

function collectExperts(n: Node, out: TsharkExpert[]): void {
  for (const c of n.children) {
    if (c.name === '_ws.expert') {
      out.push({
        severity: severityName(num(child(c, '_ws.expert.severity')) ?? 0),
        message: child(c, '_ws.expert.message')?.show ?? '',
      });
    } else collectExperts(c, out);
  }
}

function decodePacket(pkt: Node, index: number, bytes: Buffer): TsharkBgpPdu {
  const protos = pkt.children.filter((c) => c.tag === 'proto');
  const bgps = protos.filter((p) => p.name === 'bgp');
  const base = ETH_IP_TCP;
  const pdus = bgps.map((b) => decodePdu(b, bytes, base));
  const expert: TsharkExpert[] = [];
  let malformed = false;
  for (const p of protos) {
    if (p.name === 'bgp' || p.name === '_ws.malformed' || p.name === '_ws.unreassembled') collectExperts(p, expert);
    if (p.name === '_ws.malformed' || p.name === '_ws.unreassembled') malformed = true;
  }
  for (const b of bgps) {
    for (const x of walk(b)) if (x.name === '_ws.malformed' || x.name === '_ws.unreassembled') malformed = true;
  }
  const coveredBytes = pdus.reduce((s, p) => s + (p.length ?? 0), 0);
  const first: TsharkBgpFields = pdus[0] ?? { continuation: false };
  const flagged =
    malformed ||
    expert.some((e) => e.severity === 'warn' || e.severity === 'error') ||
    pdus.some((p) => p.continuation || p.type === undefined) ||
    pdus.length !== 1 ||
    coveredBytes !== bytes.length;
  return {
    ...first,
    index,
    inputLength: bytes.length,
    pduCount: pdus.length,
    coveredBytes,
    extraPdus: pdus.slice(1),
    malformed,
    expert,
    flagged,
  };
}

function runTshark(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(TSHARK, args, { env, maxBuffer: 1 << 30, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`tshark failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * Decodes every message with ONE tshark run. Each entry of `hexMessages` is one whole BGP message
 * (marker included); hex may contain spaces, colons or a 0x prefix. Returns one result per input,
 * in input order.
 */
export async function tsharkDecodeBgp(
  hexMessages: string[],
  options: TsharkDecodeOptions = {},
): Promise<TsharkBgpPdu[]> {
  const payloads = hexMessages.map((h, i) => normaliseHex(h, i));
  if (payloads.length === 0) return [];
  const dir = await mkdtemp(join(tmpdir(), 'tsbgp-tshark-'));
  try {
    const pcap = join(dir, 'in.pcap');
    await writeFile(pcap, buildPcap(payloads));
    const asn = options.asnLen ?? 'auto';
    const asnPref = asn === 'auto' ? 'Auto-detect' : asn === 2 ? '2 octet' : '4 octet';
    const args = [
      '-n',
      '-r', pcap,
      '-o', 'tcp.desegment_tcp_streams:FALSE',
      '-o', 'bgp.desegment:FALSE',
      '-o', 'tcp.analyze_sequence_numbers:FALSE',
      '-o', `bgp.asn_len:${asnPref}`,
      '-d', 'tcp.port==179,bgp',
      '-T', 'pdml',
    ];
    // private config dir: the user's Wireshark preferences must not change the dissection
    const env = { ...process.env, WIRESHARK_CONFIG_DIR: dir };
    const xml = await runTshark(args, env, options.timeoutMs ?? 60000);
    const packets = parsePdml(xml);
    if (packets.length !== payloads.length) {
      throw new Error(`tshark returned ${packets.length} packets for ${payloads.length} messages`);
    }
    return packets.map((p, i) => decodePacket(p, i, payloads[i] ?? Buffer.alloc(0)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
