/**
 * The UDP BFD transport (src/bfd/udp-transport.ts) and the addon's UDP functions behind it:
 * delivery and meta on IPv4 and IPv6, random source ports, TTL / hop limit of sent packets, the
 * kernel TTL filter (single hop 255, multihop minimum, changed at run time), the fallback without
 * the addon (or with an addon built before UDP support), typed bind errors and send errors that
 * go to onError instead of being thrown. Loopback only, high ports; every wait is bounded.
 */
import t, { type Test } from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import {
  closeSocketFd,
  createUdpSocketFd,
  nativeSocketOptions,
  setNativeSocketOptionsForTesting,
  setUdpSocketMinTtl,
  SocketOptionError,
  udpTtlFilterAvailable,
  udpTtlFilterUnavailableReason,
  type NativeSocketOptions,
} from '../src/bgp/transport/socket-options.js';
import type { BfdListener, BfdPacketMeta, BfdSender, BfdTransportError } from '../src/bfd/bfd-transport.js';
import { BfdError } from '../src/bfd/errors.js';
import {
  BFD_SOURCE_PORT_ATTEMPTS,
  BFD_SOURCE_PORT_MAX,
  BFD_SOURCE_PORT_MIN,
  BfdSocketError,
  createUdpBfdTransport,
  type UdpBfdTransport,
} from '../src/bfd/udp-transport.js';

const WAIT_MS = 3000;
/** Listener ports: 40000-48999, below the senders' 49152-65535; a random block per run. */
let nextPort = 40000 + randomInt(0, 450) * 20;
const port = (): number => nextPort++;

const realNative = nativeSocketOptions();
const noFilter = udpTtlFilterAvailable() ? false : `UDP TTL filter unavailable: ${udpTtlFilterUnavailableReason()}`;

function withTimeout<T>(p: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

interface Received {
  readonly text: string;
  readonly meta: BfdPacketMeta;
}

/** Packets a listener delivered, and a bounded wait for one with a given text. */
class Inbox {
  readonly packets: Received[] = [];
  private waiters: { text: string; resolve: (r: Received) => void }[] = [];

  readonly handler = (bytes: Uint8Array, meta: BfdPacketMeta): void => {
    const r = { text: Buffer.from(bytes).toString(), meta };
    this.packets.push(r);
    for (const w of this.waiters.filter((w) => w.text === r.text)) w.resolve(r);
    this.waiters = this.waiters.filter((w) => w.text !== r.text);
  };

  texts(): string[] {
    return this.packets.map((p) => p.text);
  }

  next(text: string): Promise<Received> {
    const seen = this.packets.find((p) => p.text === text);
    if (seen) return Promise.resolve(seen);
    return withTimeout(new Promise<Received>((resolve) => this.waiters.push({ text, resolve })), `packet "${text}"`);
  }
}

async function listen(t: Test, transport: UdpBfdTransport, localAddress: string, options: { multihop?: boolean; minTtl: number; port?: number }): Promise<{ listener: BfdListener; inbox: Inbox; port: number }> {
  const inbox = new Inbox();
  const p = options.port ?? port();
  const listener = await withTimeout(transport.listen({ localAddress, multihop: options.multihop ?? false, port: p, minTtl: options.minTtl }, inbox.handler), 'listen');
  t.teardown(() => listener.close());
  return { listener, inbox, port: p };
}

async function sender(t: Test, transport: UdpBfdTransport, localAddress: string, peerAddress: string, destinationPort: number | undefined, ttl = 255, multihop = false): Promise<BfdSender> {
  const s = await withTimeout(transport.openSender({ localAddress, peerAddress, multihop, port: destinationPort, ttl }), 'openSender');
  t.teardown(() => s.close());
  return s;
}

/** Sends one datagram from a plain dgram socket with the given TTL; resolves once sent. */
async function rawSend(t: Test, host: string, destinationPort: number, ttl: number, text: string): Promise<void> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  t.teardown(() => closeSocket(socket));
  await withTimeout(new Promise<void>((resolve) => socket.bind(0, host, resolve)), 'raw bind');
  socket.setTTL(ttl);
  await withTimeout(
    new Promise<void>((resolve, reject) => socket.send(text, destinationPort, host, (e) => (e ? reject(e) : resolve()))),
    'raw send',
  );
}

function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/** A plain socket holding `address:port`, so a bind there fails with EADDRINUSE. */
async function occupy(t: Test, address: string, p: number): Promise<Socket> {
  const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  t.teardown(() => closeSocket(socket));
  await withTimeout(new Promise<void>((resolve) => socket.bind({ address, port: p, exclusive: true }, resolve)), 'occupy');
  return socket;
}

async function rejection(p: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await withTimeout(p, what);
  } catch (e) {
    return e;
  }
  throw new Error(`${what}: expected a rejection`);
}

/**
 * Sends `dropped` and then `marker` (in that order, each fully sent before the next) and checks
 * that the marker arrives while `dropped` never does: loopback delivers in send order, so a
 * packet the filter let through would be there first.
 */
async function expectDropped(t: Test, inbox: Inbox, sendDropped: () => Promise<void>, sendMarker: () => Promise<void>, dropped: string, marker: string): Promise<void> {
  await sendDropped();
  await sendMarker();
  await inbox.next(marker);
  t.notOk(inbox.texts().includes(dropped), `${dropped} was dropped`);
}

for (const [family, host] of [
  [4, '127.0.0.1'],
  [6, '::1'],
] as const) {
  t.test(`IPv${family}: a listener receives from senders with distinct random source ports`, async (t) => {
    const transport = createUdpBfdTransport();
    const { inbox, port: p, listener } = await listen(t, transport, host, { minTtl: 255 });
    t.equal(listener.ttlEnforced, transport.ttlFilterAvailable);
    const a = await sender(t, transport, host, host, p);
    const b = await sender(t, transport, host, host, p);
    for (const s of [a, b]) t.ok(s.sourcePort >= BFD_SOURCE_PORT_MIN && s.sourcePort <= BFD_SOURCE_PORT_MAX, `source port ${s.sourcePort} in range`);
    t.not(a.sourcePort, b.sourcePort, 'distinct senders, distinct ports');
    a.send(Buffer.from('from-a'));
    b.send(new Uint8Array(Buffer.from('from-b')));
    const ra = await inbox.next('from-a');
    const rb = await inbox.next('from-b');
    t.same(ra.meta, { peerAddress: host, peerPort: a.sourcePort, localAddress: host, multihop: false, ttl: undefined });
    t.equal(rb.meta.peerPort, b.sourcePort);
    // a sender's port is the same for every packet it sends (RFC 5881 s4)
    a.send(Buffer.from('again'));
    t.equal((await inbox.next('again')).meta.peerPort, a.sourcePort);
  });
}

t.test('multihop listener and sender: meta says multihop', async (t) => {
  const transport = createUdpBfdTransport();
  const { inbox, port: p } = await listen(t, transport, '127.0.0.1', { multihop: true, minTtl: 250 });
  const s = await sender(t, transport, '127.0.0.1', '127.0.0.1', p, 254, true);
  s.send(Buffer.from('mh'));
  t.match((await inbox.next('mh')).meta, { multihop: true, peerPort: s.sourcePort });
});

t.test('default ports are 3784 (single hop) and 4784 (multihop)', async (t) => {
  const transport = createUdpBfdTransport();
  const local = `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(2, 255)}`;
  for (const multihop of [false, true]) {
    const inbox = new Inbox();
    let listener: BfdListener;
    try {
      listener = await withTimeout(transport.listen({ localAddress: local, multihop, minTtl: 0 }, inbox.handler), 'listen on the default port');
    } catch (e) {
      t.comment(`skipped: the default port is taken on this machine: ${String(e)}`);
      continue;
    }
    t.teardown(() => listener.close());
    const s = await sender(t, transport, local, local, undefined, 255, multihop);
    s.send(Buffer.from(`default-${multihop}`));
    t.equal((await inbox.next(`default-${multihop}`)).meta.multihop, multihop);
  }
});

t.test('with the addon: the kernel drops packets below the minimum TTL', { skip: noFilter }, async (t) => {
  const transport = createUdpBfdTransport();
  t.equal(transport.ttlFilterAvailable, true);

  // single hop, IPv4: only 255 passes; the transport's own sender really sends 255
  const single = await listen(t, transport, '127.0.0.1', { minTtl: 255 });
  t.equal(single.listener.ttlEnforced, true);
  const at255 = await sender(t, transport, '127.0.0.1', '127.0.0.1', single.port, 255);
  const at254 = await sender(t, transport, '127.0.0.1', '127.0.0.1', single.port, 254);
  await expectDropped(
    t,
    single.inbox,
    () => rawSend(t, '127.0.0.1', single.port, 64, 'raw-64'),
    () => rawSend(t, '127.0.0.1', single.port, 255, 'raw-255'),
    'raw-64',
    'raw-255',
  );
  at254.send(Buffer.from('sender-254'));
  await new Promise((resolve) => setTimeout(resolve, 20));
  at255.send(Buffer.from('sender-255'));
  await single.inbox.next('sender-255');
  t.notOk(single.inbox.texts().includes('sender-254'), 'the sender set TTL 254, so the 255 filter dropped it');

  // lowering the minimum at run time, then removing it
  single.listener.setMinTtl(0);
  await rawSend(t, '127.0.0.1', single.port, 64, 'raw-64-after-0');
  await single.inbox.next('raw-64-after-0');
  single.listener.setMinTtl(0); // removing a filter that is not there is fine
  single.listener.setMinTtl(255);
  await expectDropped(
    t,
    single.inbox,
    () => rawSend(t, '127.0.0.1', single.port, 64, 'raw-64-again'),
    () => rawSend(t, '127.0.0.1', single.port, 255, 'raw-255-again'),
    'raw-64-again',
    'raw-255-again',
  );

  // multihop with a minimum of 250
  const multi = await listen(t, transport, '127.0.0.1', { multihop: true, minTtl: 250 });
  const mh = await sender(t, transport, '127.0.0.1', '127.0.0.1', multi.port, 254, true);
  await expectDropped(
    t,
    multi.inbox,
    () => rawSend(t, '127.0.0.1', multi.port, 64, 'mh-64'),
    () => rawSend(t, '127.0.0.1', multi.port, 255, 'mh-255'),
    'mh-64',
    'mh-255',
  );
  await expectDropped(
    t,
    multi.inbox,
    () => rawSend(t, '127.0.0.1', multi.port, 249, 'mh-249'),
    () => rawSend(t, '127.0.0.1', multi.port, 250, 'mh-250'),
    'mh-249',
    'mh-250',
  );
  mh.send(Buffer.from('mh-sender-254'));
  await multi.inbox.next('mh-sender-254');

  // IPv6 hop limit
  const v6 = await listen(t, transport, '::1', { minTtl: 255 });
  t.equal(v6.listener.ttlEnforced, true);
  const v6sender = await sender(t, transport, '::1', '::1', v6.port, 255);
  await expectDropped(
    t,
    v6.inbox,
    () => rawSend(t, '::1', v6.port, 64, 'v6-64'),
    () => rawSend(t, '::1', v6.port, 255, 'v6-255'),
    'v6-64',
    'v6-255',
  );
  v6sender.send(Buffer.from('v6-sender'));
  await v6.inbox.next('v6-sender');
  v6.listener.setMinTtl(1);
  await rawSend(t, '::1', v6.port, 64, 'v6-64-after-1');
  await v6.inbox.next('v6-64-after-1');
});

t.test("ttlFilter 'off' never uses the addon", async (t) => {
  const transport = createUdpBfdTransport({ ttlFilter: 'off' });
  t.equal(transport.ttlFilterAvailable, false);
  const { listener, inbox, port: p } = await listen(t, transport, '127.0.0.1', { minTtl: 255 });
  t.equal(listener.ttlEnforced, false);
  listener.setMinTtl(200); // nothing to change
  await rawSend(t, '127.0.0.1', p, 64, 'off-64');
  t.equal((await inbox.next('off-64')).meta.peerAddress, '127.0.0.1');
});

t.test('without the addon: listening works, TTL not enforced, typed errors from the wrappers', async (t) => {
  setNativeSocketOptionsForTesting(null);
  t.teardown(() => setNativeSocketOptionsForTesting(undefined));
  t.equal(udpTtlFilterAvailable(), false);
  t.equal(udpTtlFilterUnavailableReason(), 'disabled for testing');
  const transport = createUdpBfdTransport();
  t.equal(transport.ttlFilterAvailable, false);
  for (const [host, text] of [
    ['127.0.0.1', 'plain-v4'],
    ['::1', 'plain-v6'],
  ] as const) {
    const { listener, inbox, port: p } = await listen(t, transport, host, { minTtl: 255 });
    t.equal(listener.ttlEnforced, false);
    listener.setMinTtl(255);
    await rawSend(t, host, p, 64, text);
    t.match((await inbox.next(text)).meta, { peerAddress: host, localAddress: host, ttl: undefined });
  }
  for (const f of [() => createUdpSocketFd(4, '127.0.0.1', port(), 255), () => setUdpSocketMinTtl(0, 255)]) {
    t.throws(f, { code: 'ERR_UDP_TTL_FILTER_UNSUPPORTED', rfc: 'RFC 5881' });
  }
});

t.test('an addon built before UDP support still loads; the UDP filter is reported unavailable', { skip: realNative === undefined ? 'addon not built' : false }, async (t) => {
  const { createUdpSocket, setUdpMinTtl, ...older } = realNative as NativeSocketOptions;
  t.type(createUdpSocket, 'function');
  t.type(setUdpMinTtl, 'function');
  setNativeSocketOptionsForTesting(older);
  t.teardown(() => setNativeSocketOptionsForTesting(undefined));
  t.equal(nativeSocketOptions(), older, 'TCP-MD5 / GTSM still available');
  t.equal(udpTtlFilterAvailable(), false);
  t.match(udpTtlFilterUnavailableReason(), /predates createUdpSocket/);
  t.throws(() => createUdpSocketFd(4, '127.0.0.1', port(), 255), { code: 'ERR_UDP_TTL_FILTER_UNSUPPORTED', message: /predates/ });
  const { listener } = await listen(t, createUdpBfdTransport(), '127.0.0.1', { minTtl: 255 });
  t.equal(listener.ttlEnforced, false);
});

t.test('the addon wrappers: kernel refusals are SocketOptionErrors', { skip: noFilter }, async (t) => {
  t.equal(udpTtlFilterUnavailableReason(), undefined);
  const p = port();
  const fd = createUdpSocketFd(4, '127.0.0.1', p, 255);
  t.teardown(() => closeSocketFd(fd));
  const dup = t.throws(() => createUdpSocketFd(4, '127.0.0.1', p, 0)) as SocketOptionError;
  t.ok(dup instanceof SocketOptionError);
  t.match(dup, { code: 'ERR_BGP_SOCKET_OPTION', systemCode: 'EADDRINUSE', syscall: 'bind', option: `127.0.0.1:${p}` });
  t.match(dup.message, new RegExp(`creating an IPv4 UDP socket bound to 127\\.0\\.0\\.1:${p} failed: .*EADDRINUSE`));
  t.match(t.throws(() => createUdpSocketFd(6, 'fe80::1%no-such-if0', p, 0)), { systemCode: 'ENODEV', syscall: 'if_nametoindex' });
  t.match(t.throws(() => createUdpSocketFd(6, '127.0.0.1', p, 0)), { code: 'ERR_BGP_SOCKET_OPTION', message: /not an IPv6 address/ });
  t.match(t.throws(() => createUdpSocketFd(4, '127.0.0.1', p, 256)), { code: 'ERR_BGP_SOCKET_OPTION', message: /minTtl/ });
  setUdpSocketMinTtl(fd, 0);
  setUdpSocketMinTtl(fd, 0);
  setUdpSocketMinTtl(fd, 1);
  t.match(t.throws(() => setUdpSocketMinTtl(fd, -1)), { code: 'ERR_BGP_SOCKET_OPTION', message: /minTtl/ });
  t.match(t.throws(() => setUdpSocketMinTtl(2_000_000, 255)), { code: 'ERR_BGP_SOCKET_OPTION', systemCode: 'EBADF', option: 'SO_ATTACH_FILTER' });
});

t.test('bind errors reject with ERR_BFD_BIND_FAILED naming address, port and errno', async (t) => {
  for (const ttlFilter of ['auto', 'off'] as const) {
    const transport = createUdpBfdTransport({ ttlFilter });
    const taken = await listen(t, transport, '127.0.0.1', { minTtl: 255 });
    const e = await rejection(transport.listen({ localAddress: '127.0.0.1', multihop: false, port: taken.port, minTtl: 255 }, () => undefined), 'second listen');
    t.ok(e instanceof BfdSocketError && e instanceof BfdError, `${ttlFilter}: typed`);
    t.match(e, { name: 'BfdSocketError', code: 'ERR_BFD_BIND_FAILED', systemCode: 'EADDRINUSE', localAddress: '127.0.0.1', port: taken.port });
    t.match((e as Error).message, new RegExp(`127\\.0\\.0\\.1:${taken.port}.*EADDRINUSE`));
    t.match((e as BfdSocketError).toJSON(), { error: 'ERR_BFD_BIND_FAILED', systemCode: 'EADDRINUSE', localAddress: '127.0.0.1', port: taken.port });

    const na = await rejection(transport.listen({ localAddress: '192.0.2.1', multihop: true, port: port(), minTtl: 0 }, () => undefined), 'listen on a foreign address');
    t.match(na, { code: 'ERR_BFD_BIND_FAILED', systemCode: 'EADDRNOTAVAIL', message: /192\.0\.2\.1:\d+/ });
    const v6 = await rejection(transport.listen({ localAddress: '2001:db8::1', multihop: false, port: port(), minTtl: 255 }, () => undefined), 'listen v6 foreign');
    t.match(v6, { code: 'ERR_BFD_BIND_FAILED', systemCode: 'EADDRNOTAVAIL', message: /\[2001:db8::1\]:\d+/ });
    const sendErr = await rejection(transport.openSender({ localAddress: '192.0.2.1', peerAddress: '192.0.2.2', multihop: false, ttl: 255 }), 'sender on a foreign address');
    t.match(sendErr, { code: 'ERR_BFD_BIND_FAILED', systemCode: 'EADDRNOTAVAIL' });
  }
});

t.test('source ports: retried on EADDRINUSE, bounded, then ERR_BFD_NO_SOURCE_PORT', async (t) => {
  const busy = randomInt(BFD_SOURCE_PORT_MIN, BFD_SOURCE_PORT_MAX - 10);
  await occupy(t, '127.0.0.1', busy);
  const picks = [busy, busy, busy + 1];
  let calls = 0;
  const retrying = createUdpBfdTransport({ pickSourcePort: () => picks[Math.min(calls++, picks.length - 1)] ?? busy });
  let s: BfdSender | undefined;
  try {
    s = await sender(t, retrying, '127.0.0.1', '127.0.0.1', port());
    t.equal(s.sourcePort, busy + 1, 'the first free pick');
    t.equal(calls, 3);
  } catch (e) {
    t.comment(`busy + 1 was taken by something else: ${String(e)}`);
  }

  calls = 0;
  const stuck = createUdpBfdTransport({ pickSourcePort: () => (calls++, busy) });
  const e = await rejection(stuck.openSender({ localAddress: '127.0.0.1', peerAddress: '127.0.0.1', multihop: false, port: port(), ttl: 255 }), 'exhausted');
  t.match(e, { code: 'ERR_BFD_NO_SOURCE_PORT', systemCode: 'EADDRINUSE', port: busy, rfc: 'RFC 5881 s4' });
  t.equal(calls, BFD_SOURCE_PORT_ATTEMPTS);

  const bad = createUdpBfdTransport({ pickSourcePort: () => 1234 });
  t.match(await rejection(bad.openSender({ localAddress: '127.0.0.1', peerAddress: '127.0.0.1', multihop: false, ttl: 255 }), 'bad pick'), { code: 'ERR_BFD_INVALID_ARGUMENT' });
});

t.test('send never throws: errors go to onError', async (t) => {
  const errors: BfdTransportError[] = [];
  const transport = createUdpBfdTransport({ onError: (e) => errors.push(e) });
  const { inbox, port: p } = await listen(t, transport, '127.0.0.1', { minTtl: 0 });
  const s = await sender(t, transport, '127.0.0.1', '127.0.0.1', p);

  // asynchronous: a datagram larger than UDP allows
  s.send(new Uint8Array(70_000));
  await withTimeout(
    (async () => {
      while (errors.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    })(),
    'EMSGSIZE report',
  );
  t.match(errors[0], { code: 'EMSGSIZE', localAddress: '127.0.0.1', peerAddress: '127.0.0.1' });

  // synchronous: bytes that are not bytes (a caller bug) are reported, not thrown
  t.doesNotThrow(() => s.send(42 as unknown as Uint8Array));
  t.match(errors[1], { code: 'ERR_INVALID_ARG_TYPE', peerAddress: '127.0.0.1' });

  // the sender still works, and the bytes were copied when sent
  const bytes = Buffer.from('still-ok');
  s.send(bytes);
  bytes.fill(0);
  await inbox.next('still-ok');

  await s.close();
  await s.close();
  t.doesNotThrow(() => s.send(Buffer.from('after-close')));
  t.match(errors[2], { code: 'ERR_BFD_SENDER_CLOSED', message: /is closed/ });

  // without a handler errors are dropped, still never thrown
  transport.onError = undefined;
  t.doesNotThrow(() => s.send(Buffer.from('after-close')));
  t.equal(errors.length, 3);
});

t.test('IPv6 sender sets the hop limit', { skip: noFilter }, async (t) => {
  const transport = createUdpBfdTransport();
  const { inbox, port: p } = await listen(t, transport, '::1', { minTtl: 255 });
  const low = await sender(t, transport, '::1', '::1', p, 100);
  const high = await sender(t, transport, '::1', '::1', p, 255);
  low.send(Buffer.from('hl-100'));
  await new Promise((resolve) => setTimeout(resolve, 20));
  high.send(Buffer.from('hl-255'));
  await inbox.next('hl-255');
  t.notOk(inbox.texts().includes('hl-100'));
});

t.test('listener lifecycle: close resolves once, frees the port, setMinTtl after close is a no-op', async (t) => {
  const transport = createUdpBfdTransport();
  const { listener, port: p } = await listen(t, transport, '127.0.0.1', { minTtl: 255 });
  const first = listener.close();
  t.equal(listener.close(), first, 'the same promise');
  await withTimeout(first, 'close');
  t.doesNotThrow(() => listener.setMinTtl(1));
  const again = await listen(t, transport, '127.0.0.1', { minTtl: 255, port: p });
  t.ok(again.listener, 'the port is free again');
});

t.test('invalid arguments are ERR_BFD_INVALID_ARGUMENT', async (t) => {
  t.throws(() => createUdpBfdTransport({ ttlFilter: 'sometimes' as 'auto' }), { code: 'ERR_BFD_INVALID_ARGUMENT' });
  t.throws(() => createUdpBfdTransport({ sessionsPerReceiveSocket: 0 }), { code: 'ERR_BFD_INVALID_ARGUMENT', message: /sessionsPerReceiveSocket/ });
  t.throws(() => createUdpBfdTransport({ maxReceiveSockets: 1.5 }), { code: 'ERR_BFD_INVALID_ARGUMENT', message: /maxReceiveSockets/ });
  t.throws(() => createUdpBfdTransport({ maxReceiveSockets: 5000 }), { code: 'ERR_BFD_INVALID_ARGUMENT', message: /maxReceiveSockets/ });
  const transport = createUdpBfdTransport();
  const l = { localAddress: '127.0.0.1', multihop: false, port: port(), minTtl: 255 };
  const s = { localAddress: '127.0.0.1', peerAddress: '127.0.0.1', multihop: false, port: port(), ttl: 255 };
  for (const [what, p] of [
    ['bad local address', transport.listen({ ...l, localAddress: 'localhost' }, () => undefined)],
    ['port 0', transport.listen({ ...l, port: 0 }, () => undefined)],
    ['minTtl 256', transport.listen({ ...l, minTtl: 256 }, () => undefined)],
    ['no handler', transport.listen(l, undefined as unknown as () => void)],
    ['family mismatch', transport.openSender({ ...s, peerAddress: '::1' })],
    ['bad peer', transport.openSender({ ...s, peerAddress: 'peer' })],
    ['ttl 0', transport.openSender({ ...s, ttl: 0 })],
    ['ttl 1.5', transport.openSender({ ...s, ttl: 1.5 })],
  ] as const) {
    t.match(await rejection(p, what), { code: 'ERR_BFD_INVALID_ARGUMENT' }, what);
  }
  const { listener } = await listen(t, transport, '127.0.0.1', { minTtl: 255 });
  t.throws(() => listener.setMinTtl(300), { code: 'ERR_BFD_INVALID_ARGUMENT' });
});

t.test('addon failures after bind: setMinTtl throws ERR_BFD_SOCKET_OPTION; a bad fd is closed', { skip: noFilter }, async (t) => {
  const real = realNative as NativeSocketOptions;
  const refuse = (): never => {
    throw Object.assign(new Error('setsockopt(SO_ATTACH_FILTER) failed: Operation not permitted'), { errno: 1, code: 'EPERM', syscall: 'setsockopt', option: 'SO_ATTACH_FILTER' });
  };
  setNativeSocketOptionsForTesting({ ...real, setUdpMinTtl: refuse });
  t.teardown(() => setNativeSocketOptionsForTesting(undefined));
  const transport = createUdpBfdTransport();
  const { listener, port: p } = await listen(t, transport, '127.0.0.1', { minTtl: 255 });
  const e = t.throws(() => listener.setMinTtl(1));
  t.match(e, { name: 'BfdSocketError', code: 'ERR_BFD_SOCKET_OPTION', systemCode: 'EPERM', port: p, message: /127\.0\.0\.1:\d+ to 1 failed/ });

  // an fd dgram refuses (a TCP socket): the listen rejects and the fd is closed, not leaked
  // (one receive socket, so no SO_REUSEPORT probe opens and closes an fd first)
  const single = createUdpBfdTransport({ maxReceiveSockets: 1 });
  let tcpFd = -1;
  let closed = 0;
  setNativeSocketOptionsForTesting({
    ...real,
    createUdpSocket: (family) => (tcpFd = real.createSocket(family)),
    closeSocket: (fd) => {
      closed++;
      real.closeSocket(fd);
    },
  });
  const bad = await rejection(single.listen({ localAddress: '127.0.0.1', multihop: false, port: port(), minTtl: 255 }, () => undefined), 'listen on a TCP fd');
  t.match(bad, { code: 'ERR_BFD_BIND_FAILED', message: /ERR_INVALID_FD_TYPE|TCP/ });
  t.ok(tcpFd >= 0);
  t.equal(closed, 1, 'the fd was closed');
});

/** Sends `dropped` with TTL 64 and then `marker` with TTL 255 from ONE socket (one 4-tuple, so one receive socket of a group). */
async function sendPair(t: Test, host: string, destinationPort: number, dropped: string, marker: string): Promise<void> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  t.teardown(() => closeSocket(socket));
  await withTimeout(new Promise<void>((resolve) => socket.bind(0, host, resolve)), 'pair bind');
  const send = (text: string): Promise<void> =>
    withTimeout(new Promise<void>((resolve, reject) => socket.send(text, destinationPort, host, (e) => (e ? reject(e) : resolve()))), 'pair send');
  socket.setTTL(64);
  await send(dropped);
  socket.setTTL(255);
  await send(marker);
}

t.test('with the addon: a listener grows into SO_REUSEPORT sockets as sessions are added; all of them deliver and filter', { skip: noFilter }, async (t) => {
  const transport = createUdpBfdTransport({ sessionsPerReceiveSocket: 2, maxReceiveSockets: 4 });
  const { listener, inbox, port: p } = await listen(t, transport, '127.0.0.1', { minTtl: 255 });
  t.equal(listener.receiveSockets, 1);
  await listener.setSessionCount?.(2);
  t.equal(listener.receiveSockets, 1, '2 sessions fit one socket');
  await listener.setSessionCount?.(5);
  t.equal(listener.receiveSockets, 3, 'ceil(5 / 2)');
  await listener.setSessionCount?.(100);
  t.equal(listener.receiveSockets, 4, 'capped at maxReceiveSockets');
  await listener.setSessionCount?.(1);
  t.equal(listener.receiveSockets, 4, 'never shrinks while open');

  // the group still excludes a socket without SO_REUSEPORT, and a second listener
  const plain = createSocket('udp4');
  t.teardown(() => closeSocket(plain));
  const e = await rejection(new Promise<void>((resolve, reject) => {
    plain.once('error', reject);
    plain.bind({ address: '127.0.0.1', port: p, exclusive: true }, resolve);
  }), 'plain bind on a grouped port');
  t.match(e, { code: 'EADDRINUSE' });
  t.match(await rejection(transport.listen({ localAddress: '127.0.0.1', multihop: false, port: p, minTtl: 255 }, () => undefined), 'second listen'), {
    code: 'ERR_BFD_BIND_FAILED',
    systemCode: 'EADDRINUSE',
  });

  // 24 senders (24 source ports, spread over the group by hash): every packet arrives exactly once
  const senders = await Promise.all(Array.from({ length: 24 }, () => transport.openSender({ localAddress: '127.0.0.1', peerAddress: '127.0.0.1', multihop: false, port: p, ttl: 255 })));
  t.teardown(() => Promise.all(senders.map((s) => s.close())));
  senders.forEach((s, i) => s.send(Buffer.from(`s${i}`)));
  await Promise.all(senders.map((_, i) => inbox.next(`s${i}`)));
  t.equal(inbox.packets.length, 24);
  t.same(new Set(inbox.packets.map((r) => r.meta.peerPort)), new Set(senders.map((s) => s.sourcePort)));

  // the TTL filter is on every socket of the group, and setMinTtl changes all of them
  for (let i = 0; i < 8; i++) await sendPair(t, '127.0.0.1', p, `low-${i}`, `high-${i}`);
  await Promise.all(Array.from({ length: 8 }, (_, i) => inbox.next(`high-${i}`)));
  t.notOk(inbox.texts().some((x) => x.startsWith('low-')), 'TTL 64 dropped by every socket');
  listener.setMinTtl(0);
  for (let i = 0; i < 8; i++) await rawSend(t, '127.0.0.1', p, 64, `open-${i}`);
  await Promise.all(Array.from({ length: 8 }, (_, i) => inbox.next(`open-${i}`)));

  // close frees the port: a plain socket can take it
  await listener.close();
  t.equal(listener.receiveSockets, 4);
  await occupy(t, '127.0.0.1', p);
});

t.test('with the addon: a listener that cannot grow keeps working and reports once', { skip: noFilter }, async (t) => {
  const real = realNative as NativeSocketOptions;
  let created = 0;
  setNativeSocketOptionsForTesting({
    ...real,
    createUdpSocket: (family, address, p, minTtl, reusePort) => {
      // the probe, the first socket, then one more; the fourth is refused
      if (++created > 3) throw Object.assign(new Error('socket failed: Too many open files'), { errno: 24, code: 'EMFILE', syscall: 'socket' });
      return real.createUdpSocket!(family, address, p, minTtl, reusePort);
    },
  });
  t.teardown(() => setNativeSocketOptionsForTesting(undefined));
  const errors: BfdTransportError[] = [];
  const transport = createUdpBfdTransport({ sessionsPerReceiveSocket: 1, maxReceiveSockets: 8, onError: (e) => errors.push(e) });
  const { listener, inbox, port: p } = await listen(t, transport, '127.0.0.1', { minTtl: 255 });
  await listener.setSessionCount?.(8);
  t.equal(listener.receiveSockets, 2);
  t.equal(errors.length, 1);
  t.match(errors[0], { code: 'EMFILE', localAddress: '127.0.0.1' });
  await listener.setSessionCount?.(9);
  t.equal(errors.length, 1, 'no retry storm');
  await rawSend(t, '127.0.0.1', p, 255, 'still-here');
  await inbox.next('still-here');
});

t.test('without the addon a listener stays one socket', async (t) => {
  const transport = createUdpBfdTransport({ ttlFilter: 'off', sessionsPerReceiveSocket: 1 });
  const { listener } = await listen(t, transport, '127.0.0.1', { minTtl: 255 });
  await listener.setSessionCount?.(10);
  t.equal(listener.receiveSockets, 1);
});

t.test('close() right after send(): the last packet (AdminDown on session close) still leaves', async (t) => {
  const transport = createUdpBfdTransport();
  const { inbox, port: p } = await listen(t, transport, '127.0.0.1', { minTtl: 255 });
  for (let i = 0; i < 5; i++) {
    const s = await transport.openSender({ localAddress: '127.0.0.1', peerAddress: '127.0.0.1', multihop: false, port: p, ttl: 255 });
    s.send(Buffer.from(`last-${i}`));
    await s.close();
    await inbox.next(`last-${i}`);
  }
  t.same(inbox.texts(), ['last-0', 'last-1', 'last-2', 'last-3', 'last-4']);
});
