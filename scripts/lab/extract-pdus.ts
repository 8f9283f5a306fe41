/**
 * Lab tool: turns a BGP capture (pcap/pcapng written by tshark in scripts/lab/capture.sh) into
 * test vector files, one line per BGP PDU: `<src-ip> <message-type-name> <hex>`.
 *
 * Owns: TCP stream reassembly per direction (by sequence number, duplicates and overlaps dropped),
 * splitting the byte stream into BGP PDUs by the header's length field (a segment may hold several
 * PDUs, a PDU may span segments), and assigning each TCP connection to an output file by peer
 * address. Must not touch: the library under test (independent on purpose), the network.
 *
 * Usage: node --import tsx scripts/lab/extract-pdus.ts CAPTURE OUTDIR IP=NAME [IP=NAME ...]
 *   A connection goes to OUTDIR/NAME.txt when its source or destination is IP.
 *   Prints per file: PDU counts by message type. Exit 1 on a framing problem.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TYPE_NAMES: Record<number, string> = {
  1: 'OPEN',
  2: 'UPDATE',
  3: 'NOTIFICATION',
  4: 'KEEPALIVE',
  5: 'ROUTE-REFRESH',
};

interface Segment {
  frame: number;
  seq: number;
  data: Buffer;
}

interface Direction {
  src: string;
  dst: string;
  segments: Segment[];
}

interface Pdu {
  frame: number;
  offset: number;
  src: string;
  typeName: string;
  hex: string;
}

function main(): number {
  const [capture, outDir, ...maps] = process.argv.slice(2);
  if (capture === undefined || outDir === undefined || maps.length === 0) {
    process.stderr.write('usage: extract-pdus.ts CAPTURE OUTDIR IP=NAME [IP=NAME ...]\n');
    return 2;
  }
  const fileOf = new Map<string, string>();
  for (const m of maps) {
    const eq = m.indexOf('=');
    if (eq <= 0) throw new Error(`bad mapping ${m}`);
    fileOf.set(m.slice(0, eq), m.slice(eq + 1));
  }
  const out = execFileSync(
    'tshark',
    [
      '-n', '-r', capture,
      '-o', 'tcp.desegment_tcp_streams:FALSE',
      '-Y', 'tcp.len > 0',
      '-T', 'fields', '-E', 'separator=/t',
      '-e', 'frame.number', '-e', 'tcp.stream',
      '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'ip.dst', '-e', 'ipv6.dst',
      '-e', 'tcp.seq_raw', '-e', 'tcp.payload',
    ],
    { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const dirs = new Map<string, Direction>();
  for (const line of out.split('\n')) {
    if (line.trim() === '') continue;
    const [frame, stream, ip4s, ip6s, ip4d, ip6d, seq, payload] = line.split('\t');
    const src = ip4s || ip6s || '?';
    const dst = ip4d || ip6d || '?';
    const key = `${stream}/${src}`;
    let d = dirs.get(key);
    if (d === undefined) {
      d = { src, dst, segments: [] };
      dirs.set(key, d);
    }
    d.segments.push({ frame: Number(frame), seq: Number(seq), data: Buffer.from((payload ?? '').replace(/:/g, ''), 'hex') });
  }

  let problems = 0;
  const perFile = new Map<string, Pdu[]>();
  for (const [key, d] of dirs) {
    const name = fileOf.get(d.src) ?? fileOf.get(d.dst);
    if (name === undefined) {
      process.stderr.write(`extract: connection ${key} -> ${d.dst} matches no mapping, skipped\n`);
      continue;
    }
    // reassemble in sequence order (relative to the first segment, modulo 2^32)
    const first = d.segments[0]?.seq ?? 0;
    const segs = d.segments
      .map((s) => ({ ...s, rel: (s.seq - first + 0x100000000) % 0x100000000 }))
      .sort((a, b) => a.rel - b.rel || a.frame - b.frame);
    const parts: Buffer[] = [];
    const ends: { end: number; frame: number }[] = []; // stream offset -> frame that delivered it
    let next = 0;
    for (const s of segs) {
      const end = s.rel + s.data.length;
      if (end <= next) continue; // retransmission / duplicate
      if (s.rel > next) {
        process.stderr.write(`extract: ${key}: gap at stream offset ${next} (missing segment), rest dropped\n`);
        problems++;
        break;
      }
      parts.push(s.data.subarray(next - s.rel));
      next = end;
      ends.push({ end, frame: s.frame });
    }
    const bytes = Buffer.concat(parts);
    const frameAt = (offset: number): number => ends.find((e) => e.end > offset)?.frame ?? Number.MAX_SAFE_INTEGER;
    let p = 0;
    const list = perFile.get(name) ?? [];
    while (p < bytes.length) {
      if (bytes.length - p < 19) {
        process.stderr.write(`extract: ${key}: ${bytes.length - p} trailing bytes (capture ended mid-PDU?)\n`);
        break;
      }
      const marker = bytes.subarray(p, p + 16);
      const len = bytes.readUInt16BE(p + 16);
      if (!marker.every((b) => b === 0xff) || len < 19) {
        process.stderr.write(`extract: ${key}: no BGP header at stream offset ${p}, rest dropped\n`);
        problems++;
        break;
      }
      if (p + len > bytes.length) {
        process.stderr.write(`extract: ${key}: PDU at ${p} needs ${len} bytes, only ${bytes.length - p} captured\n`);
        break;
      }
      const type = bytes[p + 18] ?? 0;
      list.push({
        frame: frameAt(p + len - 1),
        offset: p,
        src: d.src,
        typeName: TYPE_NAMES[type] ?? `TYPE-${type}`,
        hex: bytes.subarray(p, p + len).toString('hex'),
      });
      p += len;
    }
    perFile.set(name, list);
  }

  for (const [name, list] of [...perFile].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => a.frame - b.frame || a.offset - b.offset);
    writeFileSync(join(outDir, `${name}.txt`), list.map((x) => `${x.src} ${x.typeName} ${x.hex}\n`).join(''));
    const counts = new Map<string, number>();
    for (const x of list) counts.set(x.typeName, (counts.get(x.typeName) ?? 0) + 1);
    const summary = [...counts].map(([t, n]) => `${t} ${n}`).join(', ');
    process.stdout.write(`${name}.txt: ${list.length} PDUs (${summary})\n`);
  }
  return problems === 0 ? 0 : 1;
}

process.exitCode = main();
