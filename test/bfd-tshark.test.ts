/**
 * Every well-formed BFD vector (test/vectors/bfd/control.json) is also decoded by Wireshark's BFD
 * dissector (tshark 4.0) as an independent second opinion: the vectors are written into one pcap
 * with text2pcap (Ethernet/IPv4 192.0.2.1 -> 192.0.2.2, UDP 49152 -> 3784, RFC 5881 s4) and
 * tshark's fields must agree with our decoding, with no malformed marker and no expert warning.
 * Skipped with a message when tshark or text2pcap is missing (fails in CI).
 */
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBfdControl } from '../src/bfd/packet.js';
import { BfdAuthType } from '../src/bfd/iana.js';

interface ControlVector {
  name: string;
  hex: string;
}
const control = JSON.parse(
  readFileSync(new URL('./vectors/bfd/control.json', import.meta.url), 'utf8'),
) as ControlVector[];

const TSHARK = process.env['TSHARK'] ?? 'tshark';
const TEXT2PCAP = process.env['TEXT2PCAP'] ?? 'text2pcap';
const works = (cmd: string): boolean => spawnSync(cmd, ['-v'], { stdio: 'ignore', timeout: 20000 }).status === 0;

const FIELDS = [
  'bfd.version',
  'bfd.diag',
  'bfd.sta',
  'bfd.flags.p',
  'bfd.flags.f',
  'bfd.flags.c',
  'bfd.flags.a',
  'bfd.flags.d',
  'bfd.flags.m',
  'bfd.detect_time_multiplier',
  'bfd.message_length',
  'bfd.my_discriminator',
  'bfd.your_discriminator',
  'bfd.desired_min_tx_interval',
  'bfd.required_min_rx_interval',
  'bfd.required_min_echo_interval',
  'bfd.auth.type',
  'bfd.auth.len',
  'bfd.auth.key',
  'bfd.auth.password',
  'bfd.auth.seq_num',
  'bfd.checksum',
  '_ws.malformed',
  '_ws.expert.severity',
  'frame.protocols',
] as const;
type Field = (typeof FIELDS)[number];

function tsharkFields(hexes: string[]): Record<Field, string>[] {
  const dir = mkdtempSync(join(tmpdir(), 'tsbgp-bfd-tshark-'));
  try {
    const text = hexes
      .map((h) => `0000 ${h.match(/../g)!.join(' ')}\n`)
      .join('');
    writeFileSync(join(dir, 'in.txt'), text);
    const pcap = join(dir, 'in.pcap');
    const t2p = spawnSync(TEXT2PCAP, ['-q', '-u', '49152,3784', '-4', '192.0.2.1,192.0.2.2', join(dir, 'in.txt'), pcap], { encoding: 'utf8' });
    if (t2p.status !== 0) throw new Error(`text2pcap failed: ${t2p.stderr}`);
    const args = ['-n', '-r', pcap, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-E', 'aggregator=,'];
    for (const f of FIELDS) args.push('-e', f);
    const r = spawnSync(TSHARK, args, { encoding: 'utf8', env: { ...process.env, WIRESHARK_CONFIG_DIR: dir }, maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
    return r.stdout
      .split('\n')
      .filter((l) => l.length > 0)
      .map((line) => {
        const cols = line.split('|');
        return Object.fromEntries(FIELDS.map((f, i) => [f, cols[i] ?? ''])) as Record<Field, string>;
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const num = (s: string): number => (s.startsWith('0x') ? parseInt(s, 16) : Number(s));
const bool = (s: string): boolean => s === '1' || s.toLowerCase() === 'true';

if (!works(TSHARK) || !works(TEXT2PCAP)) {
  if (process.env['CI']) t.fail('tshark/text2pcap missing; CI must install tshark');
  else t.test('Wireshark cross-check', { skip: 'tshark or text2pcap is not installed (apt-get install tshark)' }, async () => {});
} else {
  t.test('every well-formed BFD vector agrees with Wireshark', async (t: Test) => {
    const rows = tsharkFields(control.map((v) => v.hex));
    t.equal(rows.length, control.length, 'one frame per vector');
    control.forEach((v, i) => {
      const r = rows[i]!;
      const p = decodeBfdControl(new Uint8Array(Buffer.from(v.hex, 'hex')));
      const n = v.name;
      t.match(r['frame.protocols'], /:udp:bfd$/, `${n}: dissected as BFD`);
      t.equal(r['_ws.malformed'], '', `${n}: not malformed`);
      const severities = r['_ws.expert.severity'].split(',').filter((s) => s !== '').map(num);
      t.notOk(severities.some((s) => s >= 0x00600000), `${n}: no expert warning or error`);
      t.equal(num(r['bfd.version']), 1, `${n}: version`);
      t.equal(num(r['bfd.diag']), p.diag, `${n}: diag`);
      t.equal(num(r['bfd.sta']), p.state, `${n}: state`);
      t.equal(bool(r['bfd.flags.p']), p.poll, `${n}: P`);
      t.equal(bool(r['bfd.flags.f']), p.final, `${n}: F`);
      t.equal(bool(r['bfd.flags.c']), p.controlPlaneIndependent, `${n}: C`);
      t.equal(bool(r['bfd.flags.a']), p.auth !== undefined, `${n}: A`);
      t.equal(bool(r['bfd.flags.d']), p.demand, `${n}: D`);
      t.equal(bool(r['bfd.flags.m']), false, `${n}: M`);
      t.equal(num(r['bfd.detect_time_multiplier']), p.detectMult, `${n}: detect mult`);
      t.equal(num(r['bfd.message_length']), v.hex.length / 2, `${n}: length`);
      t.equal(num(r['bfd.my_discriminator']), p.myDiscriminator, `${n}: my discriminator`);
      t.equal(num(r['bfd.your_discriminator']), p.yourDiscriminator, `${n}: your discriminator`);
      t.equal(num(r['bfd.desired_min_tx_interval']), p.desiredMinTxInterval, `${n}: desired min tx`);
      t.equal(num(r['bfd.required_min_rx_interval']), p.requiredMinRxInterval, `${n}: required min rx`);
      t.equal(num(r['bfd.required_min_echo_interval']), p.requiredMinEchoRxInterval, `${n}: required min echo rx`);
      const a = p.auth;
      if (a === undefined) {
        t.equal(r['bfd.auth.type'], '', `${n}: no auth section`);
        return;
      }
      t.equal(num(r['bfd.auth.type']), a.type, `${n}: auth type`);
      t.equal(num(r['bfd.auth.len']), v.hex.length / 2 - 24, `${n}: auth len`);
      t.equal(num(r['bfd.auth.key']), a.keyId, `${n}: auth key id`);
      if (a.type === BfdAuthType.SIMPLE_PASSWORD) {
        t.equal(r['bfd.auth.password'], Buffer.from(a.password).toString('latin1'), `${n}: password`);
      } else {
        t.equal(num(r['bfd.auth.seq_num']), a.sequence, `${n}: sequence`);
        t.equal(r['bfd.checksum'].replace(/:/g, '').toLowerCase(), Buffer.from(a.digest).toString('hex'), `${n}: digest`);
      }
    });
  });
}
