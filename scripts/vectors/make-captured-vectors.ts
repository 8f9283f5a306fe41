/**
 * Turns the lab captures (test/vectors/captured/<a>-<b>-<scenario>.txt, one PDU per line:
 * `<src-ip> <TYPE> <hex>`, written by scripts/lab/capture.sh) into test vectors
 * test/vectors/bgp/captured-*.json. Each direction's codec context is the one its session
 * negotiated, taken from the latest OPEN of each side before the message (RFC 6793 4-octet AS,
 * RFC 7911 ADD-PATH send/receive per AF, RFC 8654 extended messages, eBGP vs iBGP). Identical
 * messages are written once. Run: node --import tsx scripts/vectors/make-captured-vectors.ts
 */
import { readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { fromHex, toHex } from '../../src/bgp/codec/bytes.js';
import { codecContext } from '../../src/bgp/codec/context.js';
import { decodeMessage } from '../../src/bgp/codec/message.js';
import { capabilitiesOf, peerAsn, type OpenMessage } from '../../src/bgp/codec/open.js';
import { messageToJson } from '../../src/bgp/json/message.js';
import { BgpError } from '../../src/bgp/errors.js';

const IN = new URL('../../test/vectors/captured/', import.meta.url).pathname;
const OUT = new URL('../../test/vectors/bgp/', import.meta.url).pathname;

/** Daemon name and version as installed from Debian 12 in the lab (scripts/lab/README.md). */
const DAEMONS: Record<string, string> = {
  frr: 'FRR 8.4.4',
  bird: 'BIRD 2.0.12',
  gobgp: 'GoBGP 3.10.0',
  exabgp: 'ExaBGP 4.2.21',
  openbgpd: 'OpenBGPD 7.7',
};
/** The lab's router namespace (first daemon in the file name) uses these addresses. */
const RTR = new Set(['198.18.1.1', '2001:db8:1::1']);

type Ctx = { fourOctetAs?: boolean; addPath?: ('ipv4' | 'ipv6')[]; extendedMessage?: boolean; external?: boolean };

function negotiated(sender: OpenMessage | undefined, receiver: OpenMessage | undefined): Ctx {
  if (!sender || !receiver) return {};
  const s = capabilitiesOf(sender);
  const r = capabilitiesOf(receiver);
  const has = (caps: typeof s, type: string): boolean => caps.some((c) => c.type === type);
  const addPathMode = (caps: typeof s, afi: number): number => {
    for (const c of caps) if (c.type === 'ADD_PATH') for (const af of c.afs) if (af.afi === afi && af.safi === 1) return af.sendReceive;
    return 0;
  };
  const addPath: ('ipv4' | 'ipv6')[] = [];
  for (const [afi, name] of [[1, 'ipv4'], [2, 'ipv6']] as const) {
    if ((addPathMode(s, afi) & 2) !== 0 && (addPathMode(r, afi) & 1) !== 0) addPath.push(name);
  }
  const ctx: Ctx = {};
  if (!(has(s, 'FOUR_OCTET_AS') && has(r, 'FOUR_OCTET_AS'))) ctx.fourOctetAs = false;
  if (addPath.length) ctx.addPath = addPath;
  if (has(s, 'EXTENDED_MESSAGE') && has(r, 'EXTENDED_MESSAGE')) ctx.extendedMessage = true;
  ctx.external = peerAsn(sender) !== peerAsn(receiver);
  return ctx;
}

for (const f of readdirSync(OUT)) if (f.startsWith('captured-')) rmSync(OUT + f);
const seen = new Set<string>();
let written = 0;
const failures: string[] = [];
for (const file of readdirSync(IN).filter((f) => f.endsWith('.txt')).sort()) {
  const base = file.replace(/\.txt$/, '');
  const [a, b, ...rest] = base.split('-') as [string, string, ...string[]];
  const scenario = rest.join('-');
  const lastOpen = new Map<string, OpenMessage>();
  const counts = new Map<string, number>();
  for (const line of readFileSync(IN + file, 'utf8').split('\n')) {
    const [src, type, hex] = line.trim().split(/\s+/);
    if (!src || !type || !hex) continue;
    const fromRtr = RTR.has(src);
    const sender = fromRtr ? a : b;
    const receiver = fromRtr ? b : a;
    const bytes = fromHex(hex);
    let ctx: Ctx = {};
    if (type !== 'OPEN') ctx = negotiated(lastOpen.get(src), [...lastOpen.entries()].find(([k]) => k !== src)?.[1]);
    const key = `${toHex(bytes)}|${JSON.stringify(ctx)}`;
    const context = codecContext({ ...ctx, addPath: ctx.addPath ?? [] });
    let decoded: Record<string, unknown> | undefined;
    let error: Record<string, unknown> | undefined;
    try {
      const m = decodeMessage(bytes, context);
      if (m.type === 'OPEN') lastOpen.set(src, m);
      decoded = JSON.parse(JSON.stringify(messageToJson(m, context))) as Record<string, unknown>;
    } catch (e) {
      if (!(e instanceof BgpError)) throw e;
      error = e.toJSON();
      failures.push(`${file}: ${type} from ${src} does not decode: ${e.describe()}`);
    }
    if (seen.has(key)) continue;
    seen.add(key);
    const n = (counts.get(`${sender}-${type}`) ?? 0) + 1;
    counts.set(`${sender}-${type}`, n);
    const name = `captured-${base}-${sender}-${type.toLowerCase()}-${n}`;
    const vector: Record<string, unknown> = {
      name,
      source: `captured from ${DAEMONS[sender] ?? sender} (to ${DAEMONS[receiver] ?? receiver}) in the lab, scenario ${scenario}; context from the session's OPENs`,
      hex: toHex(bytes),
    };
    const nonDefault = Object.fromEntries(Object.entries(ctx).filter(([k, v]) => !(k === 'external' && type === 'OPEN') && v !== undefined));
    if (Object.keys(nonDefault).length) vector.context = nonDefault;
    if (decoded) vector.decoded = decoded;
    else vector.error = error;
    writeFileSync(`${OUT}${name}.json`, `${JSON.stringify(vector, null, 2)}\n`);
    written++;
  }
}
console.log(`wrote ${written} captured vectors`);
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
