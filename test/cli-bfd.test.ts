/**
 * `tsbgp bfd`: flag errors (one line naming the flag, exit 2, never the --auth secret), and CLI
 * sessions over loopback UDP in-process (127.0.0.x, a random high --port; packets between two
 * tsbgp endpoints carry TTL 255, so the single-hop TTL filter lets them through): events as JSON
 * lines, stdin commands (setParameters -> Poll Sequence, snapshot, adminDown / adminUp, bad
 * commands), the signal path (AdminDown to the peer, exit 0), text output and the dropped-packet
 * rate limit.
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { PassThrough, Readable } from 'node:stream';
import { main } from '../src/cli/main.js';
import { parseBfdFlags } from '../src/cli/bfd-flags.js';
import { bfdCommand } from '../src/cli/bfd.js';
import { BfdEndpoint } from '../src/bfd/bfd-endpoint.js';
import { createUdpBfdTransport } from '../src/bfd/udp-transport.js';

const SECRET = 's3cr:et-XYZ';
const BASE = ['--local', '127.0.0.1', '--peer', '127.0.0.2'];
/** A port range of its own per test process (other test files use 21000-41000 for BGP over TCP). */
const PORT0 = 42000 + ((process.pid * 7) % 20000);

async function runFlags(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let err = '';
  let out = '';
  const code = await main(['bfd', ...argv], { stdin: Readable.from(['']), stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

t.test('bad flags: exit 2 and one line naming the flag', async (t) => {
  const cases: [string[], string][] = [
    [['--peer', '127.0.0.2'], '--local'],
    [['--local', '127.0.0.1'], '--peer'],
    [['--local', 'here', '--peer', '127.0.0.2'], '--local'],
    [['--local', '127.0.0.1', '--peer', '::1'], '--peer'],
    [[...BASE, '--rx', '5'], '--rx'],
    [[...BASE, '--rx', 'fast'], '--rx'],
    [[...BASE, '--tx', '60001'], '--tx'],
    [[...BASE, '--tx', '-1'], '--tx'],
    [[...BASE, '--multiplier', '1'], '--multiplier'],
    [[...BASE, '--multiplier', '256'], '--multiplier'],
    [[...BASE, '--multihop', '--min-ttl', '0'], '--min-ttl'],
    [[...BASE, '--multihop', '--min-ttl', '255'], '--min-ttl'],
    [[...BASE, '--min-ttl', '10'], '--min-ttl'],
    [[...BASE, '--port', '0'], '--port'],
    [[...BASE, '--port', '65536'], '--port'],
    [[...BASE, '--events', 'xml'], '--events'],
    [[...BASE, '--bogus'], '--bogus'],
    [[...BASE, '--passive=yes'], '--passive'],
    [[...BASE, '--rx', '100', '--rx', '200'], '--rx'],
    [[...BASE, '--rx'], '--rx'],
    [[...BASE, '--auth', 'rot13:1:x'], '--auth'],
    [[...BASE, '--auth', 'md5:256:x'], '--auth'],
    [[...BASE, '--auth', 'md5:one:x'], '--auth'],
    [[...BASE, '--auth', 'md5'], '--auth'],
    [[...BASE, '--auth', 'md5:1:'], '--auth'],
    [[...BASE, '--auth', `md5:1:${SECRET}${SECRET}`], '--auth'],
    [[...BASE, '--auth', `simple:1:${SECRET}${SECRET}`], '--auth'],
    [[...BASE, '--auth', `${SECRET}`], '--auth'],
  ];
  for (const [argv, flag] of cases) {
    const r = await runFlags(argv);
    t.equal(r.code, 2, `${argv.join(' ')}: exit 2`);
    t.equal(r.err.trim().split('\n').length, 1, `${flag}: one line`);
    t.match(r.err, `tsbgp bfd: ${flag}`, `${flag}: named`);
    t.notMatch(r.err, 'et-XYZ', `${flag}: the secret is not printed`);
    t.equal(r.out, '', 'nothing on stdout');
  }
  const help = await runFlags(['--help']);
  t.equal(help.code, 2);
  t.match(help.err, /usage: tsbgp bfd --local ADDRESS --peer ADDRESS/);
  t.match(help.err, /--auth TYPE:KEYID:SECRET/);
  let mainHelp = '';
  await main(['--help'], { stdin: Readable.from(['']), stdout: { write: () => true }, stderr: { write: (s: string) => (mainHelp += s) } });
  t.match(mainHelp, /\n {2}bfd --local A --peer A/, 'tsbgp --help lists bfd');
});

t.test('flags map onto the session options', async (t) => {
  const f = parseBfdFlags([...BASE, '--multihop', '--rx', '100', '--tx', '200', '--multiplier', '5', '--passive', '--min-ttl', '250', '--auth', `meticulous-sha1:7:${SECRET}`, '--port=14784', '--events', 'json']);
  t.equal(f.localAddress, '127.0.0.1');
  t.equal(f.peerAddress, '127.0.0.2');
  t.equal(f.multihop, true);
  t.same(f.profile, { receiveInterval: 100, transmitInterval: 200, detectMultiplier: 5, passiveMode: true, minimumTtl: 250 });
  t.equal(f.resolvedProfile.echoMode, false);
  t.same(f.auth, { type: 'meticulous-keyed-sha1', keyId: 7, secret: SECRET }, 'the secret keeps its colons');
  t.equal(f.port, 14784);
  t.equal(f.events, 'json');
  const d = parseBfdFlags(['--local', '::1', '--peer', '::1']);
  t.same(d.resolvedProfile, { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3, echoInterval: 50, echoMode: false, passiveMode: false, minimumTtl: 254 });
  t.equal(d.port, undefined);
  t.equal(d.auth, undefined);
  t.equal(d.events, 'text');
  const aliases: [string, string][] = [
    ['simple', 'simple-password'],
    ['md5', 'keyed-md5'],
    ['meticulous-md5', 'meticulous-keyed-md5'],
    ['sha1', 'keyed-sha1'],
    ['meticulous-sha1', 'meticulous-keyed-sha1'],
    ['keyed-md5', 'keyed-md5'],
    ['simple-password', 'simple-password'],
  ];
  for (const [short, long] of aliases) t.equal(parseBfdFlags([...BASE, '--auth', `${short}:0:k`]).auth?.type, long, short);
});

type Ev = Record<string, any>;

/** Signal handlers of every command started, so a failed test does not leave one running. */
const running = new Set<(s: string) => void>();
t.teardown(() => {
  for (const h of running) h('SIGTERM');
});

interface Proc {
  stdin: PassThrough;
  events: Ev[];
  /** Everything written to stdout and stderr. */
  raw: () => string;
  done: Promise<number>;
  signal(name?: string): void;
  waitFor(pred: (e: Ev) => boolean, what: string, ms?: number): Promise<Ev>;
}

/** Runs `tsbgp bfd ARGV` in-process; with `--events json` every stdout line is parsed. */
function spawnBfd(argv: string[], options: { json?: boolean; signalNow?: boolean } = {}): Proc {
  const json = options.json ?? true;
  const stdin = new PassThrough();
  const events: Ev[] = [];
  let raw = '';
  let buf = '';
  let sig: ((s: string) => void) | undefined;
  const waiters: { pred: (e: Ev) => boolean; resolve: (e: Ev) => void }[] = [];
  const done = main(['bfd', ...argv, ...(json ? ['--events', 'json'] : [])], {
    stdin,
    stdout: {
      write: (s: string) => {
        raw += s;
        buf += s;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          const e = json ? (JSON.parse(line) as Ev) : { line };
          events.push(e);
          for (const w of [...waiters]) {
            if (w.pred(e)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(e);
            }
          }
        }
        return true;
      },
    },
    stderr: { write: (s: string) => (raw += s) },
    onSignal: (h) => {
      sig = h;
      running.add(h);
      return () => {
        running.delete(h);
        sig = undefined;
      };
    },
  });
  if (options.signalNow) sig?.('SIGINT');
  return {
    stdin,
    events,
    raw: () => raw,
    done,
    signal: (name = 'SIGTERM') => sig?.(name),
    waitFor: (pred, what, ms = 10_000) => {
      const found = events.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
        waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
  };
}

t.test('two CLI sessions over loopback: Up, Poll Sequence, commands, SIGTERM', async (t) => {
  const port = String(PORT0);
  const common = ['--port', port, '--rx', '50', '--tx', '50', '--auth', `meticulous-sha1:3:${SECRET}`];
  const a = spawnBfd(['--local', '127.0.0.1', '--peer', '127.0.0.2', ...common]);
  const b = spawnBfd(['--local', '127.0.0.2', '--peer', '127.0.0.1', ...common, '--multiplier', '4']);
  t.teardown(() => {
    a.signal();
    b.signal();
  });
  const started = await a.waitFor((e) => e.event === 'started', 'a started');
  t.equal(a.events[0], started, 'started is the first line');
  t.equal(started.port, PORT0);
  t.equal(started.multihop, false);
  t.ok(Number.isInteger(started.localDiscriminator) && started.localDiscriminator > 0, 'local discriminator');
  t.ok(started.sourcePort >= 49152 && started.sourcePort <= 65535, 'source port in 49152-65535 (RFC 5881 s4)');
  t.same(started.auth, { type: 'meticulous-keyed-sha1', keyId: 3 });
  t.same(started.profile, { receiveInterval: 50, transmitInterval: 50, detectMultiplier: 3, passiveMode: false });
  t.match(started.time, /^\d{4}-\d\d-\d\dT/);

  const upA = await a.waitFor((e) => e.event === 'up', 'a up');
  await b.waitFor((e) => e.event === 'up', 'b up');
  t.match(upA.from, /^(Down|Init)$/);
  const sc = a.events.find((e) => e.event === 'stateChange' && e.to === 'Up')!;
  t.match(sc, { from: upA.from, to: 'Up', diag: 0, diagName: 'NoDiagnostic', remoteState: /^(Init|Up)$/ });
  t.type(sc.reason, 'string');
  // let the Poll Sequence that follows Up (slow start -> configured intervals) finish first
  await b.waitFor((e) => e.event === 'pollComplete' && e.txIntervalMs === 50, 'b at the configured interval');

  // setParameters through stdin: a Poll Sequence, then the new intervals
  const polls = b.events.filter((e) => e.event === 'pollComplete').length;
  b.stdin.write(`${JSON.stringify({ cmd: 'setParameters', tx: 100, rx: 100, multiplier: 3 })}\n`);
  const pc = await b.waitFor((e) => e.event === 'pollComplete' && b.events.filter((x) => x.event === 'pollComplete').indexOf(e) >= polls, 'b pollComplete after setParameters');
  t.equal(pc.txIntervalMs, 100, 'negotiated tx: max(our 100, their rx 50)');
  t.equal(pc.detectionTimeMs, 300, 'detection time: their multiplier 3 x max(our rx 100, their tx 50)');
  b.stdin.write(`${JSON.stringify({ cmd: 'snapshot' })}\n`);
  const snap = await b.waitFor((e) => e.event === 'snapshot', 'b snapshot');
  t.equal(snap.session.state, 'Up');
  t.equal(snap.session.transmitIntervalMs, 100);
  t.equal(snap.session.detectMultiplier, 3);
  t.same(snap.session.auth, { type: 'meticulous-keyed-sha1', keyId: 3 });
  t.equal(snap.endpoint.listeners[0].port, PORT0);
  t.equal(snap.session.counters.dropped, 0);

  // bad commands: an error line each, the session keeps running
  b.stdin.write(
    [
      'not json',
      '[1]',
      '{"announce": {}}',
      '{"cmd": 5}',
      '{"cmd": "frobnicate"}',
      '{"cmd": "setParameters"}',
      '{"cmd": "setParameters", "tx": 5}',
      '{"cmd": "setParameters", "rx": "100"}',
      '{"cmd": "setParameters", "multiplier": 1}',
      '{"cmd": "setParameters", "tx": 100, "txx": 1}',
      '{"cmd": "snapshot", "x": 1}',
      '{"cmd": "setParameters", "multiplier": 5}',
      '',
      '{"cmd": "snapshot"}',
    ].join('\n') + '\n',
  );
  await b.waitFor((e) => e.event === 'snapshot' && b.events.indexOf(e) > b.events.indexOf(snap), 'second snapshot');
  const errors = b.events.filter((e) => e.event === 'error');
  t.equal(errors.length, 11, 'one error line per bad command');
  t.ok(errors.every((e) => typeof e.code === 'string' && typeof e.message === 'string'));
  t.match(errors[0], { code: 'ERR_CLI_BAD_COMMAND', message: /not JSON/ });
  t.match(errors[4], { code: 'ERR_CLI_BAD_COMMAND', message: /frobnicate/ });
  t.match(errors[6], { message: /tx/ });

  // adminDown / adminUp: the peer sees AdminDown (not a path failure), then Up again
  a.stdin.write('{"cmd": "adminDown"}\n');
  const downB = await b.waitFor((e) => e.event === 'down', 'b down after a adminDown');
  t.match(downB, { to: 'Down', remoteState: 'AdminDown', diag: 3, diagName: 'NeighborSignaledSessionDown' });
  const downA = await a.waitFor((e) => e.event === 'down', 'a down');
  t.match(downA, { to: 'AdminDown', diag: 7, diagName: 'AdministrativelyDown' });
  a.stdin.write('{"cmd": "adminUp"}\n');
  await a.waitFor((e) => e.event === 'up' && e !== upA, 'a up again');
  await b.waitFor((e) => e.event === 'up' && b.events.indexOf(e) > b.events.indexOf(downB), 'b up again');

  // SIGTERM on a: AdminDown to the peer, exit 0
  a.signal();
  t.equal(await a.done, 0, 'a exits 0');
  t.ok(a.events.some((e) => e.event === 'shutdown' && e.reason === 'SIGTERM'), 'shutdown line');
  t.match(a.events.at(-2), { event: 'stateChange', from: 'Up', to: 'AdminDown' }, 'a goes AdminDown');
  t.match(a.events.at(-1), { event: 'down', to: 'AdminDown', diagName: 'AdministrativelyDown' }, 'the last line');
  const down2 = await b.waitFor((e) => e.event === 'down' && e !== downB, 'b sees a go away');
  t.match(down2, { to: 'Down', remoteState: 'AdminDown', diagName: 'NeighborSignaledSessionDown' });

  b.stdin.write('{"cmd": "shutdown"}\n');
  t.equal(await b.done, 0, 'b exits 0 on the shutdown command');
  t.ok(b.events.some((e) => e.event === 'shutdown' && e.reason === 'shutdown command'));
  for (const p of [a, b]) {
    t.notMatch(p.raw(), 'et-XYZ', 'the secret never appears in the output');
    t.notOk(p.events.some((e) => e.event === 'dropped'), 'nothing dropped');
  }
});

t.test('text output, a library peer, auth mismatch and the dropped-line rate limit', async (t) => {
  const port = PORT0 + 1;
  const cli = spawnBfd(['--local', '127.0.0.3', '--peer', '127.0.0.4', '--port', String(port), '--auth', 'md5:1:right'], { json: false });
  const peer = new BfdEndpoint({ singleHopPort: port });
  t.teardown(async () => {
    cli.signal();
    await peer.close();
  });
  await cli.waitFor((e) => /started: 127\.0\.0\.3 -> 127\.0\.0\.4 port \d+ \(single hop\), discriminator \d+, source port \d+, auth keyed-md5 key 1/.test(e.line), 'started line');
  const wrong = await peer.addSession({ peerAddress: '127.0.0.3', localAddress: '127.0.0.4', auth: { type: 'keyed-md5', keyId: 1, secret: 'wrong' } });
  await cli.waitFor((e) => / dropped 1 packet\(s\) \(session\): BAD_DIGEST/.test(e.line), 'a session drop line');
  await wrong.close();

  // a flood of garbage at the listener: one line at once, then one line with the count
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.4', r));
  sock.setTTL(255); // the single-hop listener accepts TTL 255 only (RFC 5881 s5)
  for (let i = 0; i < 40; i++) await new Promise<void>((r) => sock.send(Buffer.from([0x20, 0, 0]), port, '127.0.0.3', () => r()));
  sock.close();
  await cli.waitFor((e) => / dropped 1 packet\(s\) \(endpoint\): TRUNCATED/.test(e.line), 'first drop line');
  await cli.waitFor((e) => / dropped 39 packet\(s\) \(endpoint\): TRUNCATED/.test(e.line), 'aggregated drop line', 3000);
  t.equal(cli.events.filter((e) => /TRUNCATED/.test(e.line)).length, 2, 'two lines for 40 drops');

  // the right key: Up, as text
  const good = await peer.addSession({ peerAddress: '127.0.0.3', localAddress: '127.0.0.4', auth: { type: 'keyed-md5', keyId: 1, secret: 'right' } });
  await cli.waitFor((e) => / UP \(from (Down|Init)\)$/.test(e.line), 'UP line');
  t.ok(cli.events.some((e) => / (Down|Init) -> Up \(diag NoDiagnostic, remote (Init|Up)\): /.test(e.line)), 'stateChange line');
  cli.stdin.write('{"cmd": "setParameters", "tx": 200}\n{"cmd": "bogus"}\n{"cmd": "snapshot"}\n');
  await cli.waitFor((e) => / poll sequence complete: tx interval \d+ ms, detection time \d+ ms$/.test(e.line), 'poll line');
  await cli.waitFor((e) => / error ERR_CLI_BAD_COMMAND: unknown command "bogus"/.test(e.line), 'error line');
  await cli.waitFor((e) => / snapshot \{"session":/.test(e.line), 'snapshot line');
  cli.signal('SIGINT');
  t.equal(await cli.done, 0);
  t.ok(cli.events.some((e) => / shutdown \(SIGINT\)$/.test(e.line)), 'shutdown line');
  t.ok(cli.events.some((e) => / DOWN -> AdminDown \(diag AdministrativelyDown, remote Up\): /.test(e.line)), 'DOWN line');
  await new Promise<void>((resolve) => good.once('down', () => resolve()));
  t.equal(good.snapshot().remoteState, 'AdminDown', 'the library peer was told AdminDown');
  t.notMatch(cli.raw(), 'right', 'the secret never appears');
});

t.test('multihop on loopback, and a signal during startup', async (t) => {
  const port = String(PORT0 + 2);
  const mh = ['--multihop', '--min-ttl', '200', '--port', port, '--rx', '50', '--tx', '50'];
  const a = spawnBfd(['--local', '127.0.0.5', '--peer', '127.0.0.6', ...mh]);
  const b = spawnBfd(['--local', '127.0.0.6', '--peer', '127.0.0.5', ...mh, '--passive']);
  const started = await b.waitFor((e) => e.event === 'started', 'b started');
  t.match(started, { multihop: true, port: PORT0 + 2, profile: { minimumTtl: 200, passiveMode: true }, auth: null });
  await a.waitFor((e) => e.event === 'up', 'a up');
  await b.waitFor((e) => e.event === 'up', 'b up');
  a.signal();
  b.signal();
  t.same(await Promise.all([a.done, b.done]), [0, 0]);

  const early = spawnBfd(['--local', '127.0.0.7', '--peer', '127.0.0.8', '--port', port], { signalNow: true });
  t.equal(await early.done, 0, 'a signal while the session is set up: exit 0');
  t.same(early.events.map((e) => e.event).slice(0, 2), ['started', 'shutdown']);
});

t.test('startup failures: exit 1 with the socket error', async (t) => {
  const port = String(PORT0 + 3);
  const first = spawnBfd(['--local', '127.0.0.9', '--peer', '127.0.0.10', '--port', port]);
  await first.waitFor((e) => e.event === 'started', 'first started');
  const second = spawnBfd(['--local', '127.0.0.9', '--peer', '127.0.0.11', '--port', port]);
  t.equal(await second.done, 1, 'port in use: exit 1');
  t.match(second.events[0], { event: 'error', code: 'ERR_BFD_BIND_FAILED' });
  t.match(second.raw(), /tsbgp bfd: ERR_BFD_BIND_FAILED: .*EADDRINUSE/);
  first.signal();
  t.equal(await first.done, 0);
  // an address this host does not have (default port 3784), with a signal while it fails
  const r = spawnBfd(['--local', '192.0.2.77', '--peer', '192.0.2.78'], { signalNow: true });
  t.equal(await r.done, 1);
  t.match(r.raw(), /192\.0\.2\.77:3784 failed \(EADDRNOTAVAIL\)/);
  t.notOk(r.events.some((e) => e.event === 'shutdown'));
  const m = spawnBfd(['--local', '192.0.2.77', '--peer', '192.0.2.78', '--multihop']);
  t.equal(await m.done, 1);
  t.match(m.raw(), /192\.0\.2\.77:4784 failed \(EADDRNOTAVAIL\)/, 'multihop: 4784 by default');
});

t.test('a transport without the TTL filter: warning after started, transport errors, stdin errors', async (t) => {
  const port = PORT0 + 4;
  const transport = createUdpBfdTransport({ ttlFilter: 'off' });
  const stdin = new PassThrough();
  const lines: string[] = [];
  let sig: ((s: string) => void) | undefined;
  const done = bfdCommand(
    ['--local', '127.0.0.12', '--peer', '127.0.0.13', '--multihop', '--port', String(port)],
    { stdin, stdout: { write: (s: string) => lines.push(...s.trimEnd().split('\n')) }, stderr: { write: () => true }, onSignal: (h) => {
        sig = h;
        running.add(h);
        return () => running.delete(h);
      },
    },
    { endpoint: { transport } },
  );
  const until = async (re: RegExp, what: string): Promise<string> => {
    for (let i = 0; i < 300; i++) {
      const l = lines.find((x) => re.test(x));
      if (l !== undefined) return l;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  await until(/ warning BFD_TTL_NOT_ENFORCED: /, 'warning');
  t.match(lines[0], /started: 127\.0\.0\.12 -> 127\.0\.0\.13 port \d+ \(multihop\), discriminator \d+, source port \d+$/, 'started first, no auth');
  t.match(lines[1], / warning BFD_TTL_NOT_ENFORCED: /, 'then the warning');
  transport.onError?.({ code: 'EHOSTUNREACH', message: 'no route', localAddress: '127.0.0.12', peerAddress: '127.0.0.13' });
  await until(/ transportError EHOSTUNREACH: no route$/, 'transportError line');

  // two garbage packets (any TTL passes now): one line at once, the other counted and printed at shutdown
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.13', r));
  for (let i = 0; i < 2; i++) await new Promise<void>((r) => sock.send(Buffer.from([0x20]), port, '127.0.0.12', () => r()));
  sock.close();
  await until(/ dropped 1 packet\(s\) \(endpoint\): TRUNCATED/, 'first drop');
  await new Promise((r) => setTimeout(r, 50));
  stdin.destroy(new Error('stdin broke'));
  await until(/ error ERR_CLI: stdin broke$/, 'stdin error line');
  sig?.('SIGTERM');
  sig?.('SIGTERM');
  t.equal(await done, 0);
  t.equal(lines.filter((l) => / shutdown \(SIGTERM\)$/.test(l)).length, 1, 'one shutdown for two signals');
  t.equal(lines.filter((l) => /TRUNCATED/.test(l)).length, 2, 'the counted drop is flushed at shutdown');
});

t.test('stdin lines after a shutdown command are not run', async (t) => {
  const p = spawnBfd(['--local', '127.0.0.14', '--peer', '127.0.0.15', '--port', String(PORT0 + 5)]);
  await p.waitFor((e) => e.event === 'started', 'started');
  p.stdin.write('{"cmd": "shutdown"}\n{"cmd": "snapshot"}\n');
  t.equal(await p.done, 0);
  t.notOk(p.events.some((e) => e.event === 'snapshot'));
});
