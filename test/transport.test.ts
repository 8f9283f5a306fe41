/**
 * The TCP adapter over plain TCP on loopback (127.0.0.1, 127.0.0.2, ::1): connect and data both
 * ways, binding, refused connections, backpressure, inbound data held until handlers exist,
 * end/destroy, listener lifecycle, option validation, and TTL without the native addon.
 * TCP-MD5 and GTSM are in transport-security.test.ts. Ports are chosen by the kernel; every wait
 * is bounded. Touches only sockets it creates.
 */
import t, { type Test } from 'tap';
import { createServer, type Server } from 'node:net';
import type { BgpConnection, BgpListener } from '../src/bgp/transport/connection.js';
import { BgpError } from '../src/bgp/errors.js';
import { setNativeSocketOptionsForTesting } from '../src/bgp/transport/socket-options.js';
import { kernelDefaultTtl } from '../src/bgp/transport/socket-plan.js';
import { BGP_PORT, createTcpTransport, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_HIGH_WATER_MARK, TcpTransport } from '../src/bgp/transport/tcp-transport.js';
import { expectBgpError } from './helpers/assert.js';
import { Recorder, WAIT_MS } from './helpers/recorder.js';



/** A listener plus a bounded queue of the connections it accepted. */
interface Harness {
  readonly listener: BgpListener;
  /** The next accepted connection (handlers not installed). */
  next(ms?: number): Promise<BgpConnection>;
}

async function listenOn(t: Test, transport: TcpTransport, address: string): Promise<Harness> {
  const queue: BgpConnection[] = [];
  const waiting: ((c: BgpConnection) => void)[] = [];
  const listener = await transport.listen({ address, port: 0 }, (c) => {
    t.teardown(() => c.destroy());
    const w = waiting.shift();
    if (w) w(c);
    else queue.push(c);
  });
  t.teardown(() => listener.close());
  return {
    listener,
    next(ms = WAIT_MS) {
      const ready = queue.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no connection accepted within ${ms} ms`)), ms);
        waiting.push((c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port nobody listens on: bound by the kernel, then released. */
async function freePort(host: string): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen({ host, port: 0 }, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Connects, exchanges one message each way, closes with end(); checks what each side reports. */
async function roundTrip(t: Test, listenAddress: string, peerAddress: string, expectedRemote: string): Promise<void> {
  const transport = createTcpTransport();
  const h = await listenOn(t, transport, listenAddress);
  const client = new Recorder();
  const out = transport.connect({ peerAddress, peerPort: h.listener.port, connectTimeoutMs: WAIT_MS }, client);
  t.equal(out.direction, 'outbound');
  t.equal(out.remoteAddress, peerAddress);
  t.equal(out.remotePort, h.listener.port);
  const inbound = await h.next();
  const server = new Recorder();
  inbound.setHandlers(server);
  t.equal(inbound.direction, 'inbound');
  await client.until(() => client.connects === 1, 'onConnect');
  t.equal(inbound.remoteAddress, expectedRemote, 'inbound remote address (IPv4-mapped shown as IPv4)');
  t.equal(inbound.remotePort, out.localPort, 'inbound remote port is the client local port');
  t.equal(out.localAddress, expectedRemote, 'outbound local address');
  t.equal(inbound.localPort, h.listener.port);

  t.equal(out.write(Buffer.from('hello')), true, 'a small write stays below the high-water mark');
  await server.until(() => server.text() === 'hello', 'server receives');
  t.equal(inbound.write(new Uint8Array([0x77, 0x6f, 0x72, 0x6c, 0x64])), true);
  await client.until(() => client.text() === 'world', 'client receives');

  out.end();
  await client.until(() => client.closes === 1, 'client onClose');
  await server.until(() => server.closes === 1, 'server onClose');
  t.equal(client.closeError, undefined, 'orderly close: no error');
  t.equal(server.closeError, undefined);
  t.equal(out.write(Buffer.from('late')), false, 'write after close is refused');
  t.equal(out.bufferedBytes, 0);
  await delay(20);
  t.equal(client.closes, 1, 'onClose exactly once');
  t.equal(server.closes, 1);
}

t.test('IPv4: connect, data both ways, orderly close', (t) => roundTrip(t, '127.0.0.1', '127.0.0.1', '127.0.0.1'));

t.test('IPv6: connect, data both ways, orderly close', (t) => roundTrip(t, '::1', '::1', '::1'));

t.test('dual-stack listener reports an IPv4 peer as IPv4', async (t) => {
  const transport = createTcpTransport();
  const h = await listenOn(t, transport, '::');
  t.equal(h.listener.address, '::');
  t.ok(h.listener.port > 0, 'port 0 gives a kernel-chosen port');
  const client = new Recorder();
  transport.connect({ peerAddress: '127.0.0.1', peerPort: h.listener.port }, client);
  const inbound = await h.next();
  t.equal(inbound.remoteAddress, '127.0.0.1');
  t.equal(inbound.localAddress, '127.0.0.1');
  inbound.destroy();
  await client.until(() => client.closes === 1, 'client closed');
});

t.test('local address and port binding', async (t) => {
  const transport = createTcpTransport();
  const h = await listenOn(t, transport, '127.0.0.1');
  const localPort = await freePort('127.0.0.2');
  const client = new Recorder();
  const out = transport.connect({ peerAddress: '127.0.0.1', peerPort: h.listener.port, localAddress: '127.0.0.2', localPort }, client);
  const inbound = await h.next();
  inbound.setHandlers(new Recorder());
  await client.until(() => client.connects === 1, 'connected');
  t.equal(inbound.remoteAddress, '127.0.0.2');
  t.equal(inbound.remotePort, localPort);
  t.equal(out.localAddress, '127.0.0.2');
  t.equal(out.localPort, localPort);
  out.destroy();
  await client.until(() => client.closes === 1, 'closed');
  t.equal(client.closeError, undefined, 'destroy(): no error');

  // IPv6 local address
  const h6 = await listenOn(t, transport, '::1');
  const c6 = new Recorder();
  const out6 = transport.connect({ peerAddress: '::1', peerPort: h6.listener.port, localAddress: '::1' }, c6);
  (await h6.next()).setHandlers(new Recorder());
  await c6.until(() => c6.connects === 1, 'connected over IPv6');
  t.equal(out6.localAddress, '::1');
  out6.destroy();
  await c6.until(() => c6.closes === 1, 'closed');
});

t.test('a bind failure is reported through onClose', async (t) => {
  const transport = createTcpTransport();
  const h = await listenOn(t, transport, '127.0.0.1');
  const client = new Recorder();
  // the listener's own port is taken on 127.0.0.1
  transport.connect({ peerAddress: '127.0.0.1', peerPort: h.listener.port, localAddress: '127.0.0.1', localPort: h.listener.port }, client);
  await client.until(() => client.closes === 1, 'onClose');
  t.equal(client.connects, 0);
  t.equal((client.closeError as NodeJS.ErrnoException | undefined)?.code, 'EADDRINUSE');
});

t.test('connection refused: onClose(ECONNREFUSED), no onConnect, once', async (t) => {
  const transport = createTcpTransport();
  for (const host of ['127.0.0.1', '::1']) {
    const port = await freePort(host);
    const client = new Recorder();
    const out = transport.connect({ peerAddress: host, peerPort: port, connectTimeoutMs: WAIT_MS }, client);
    t.equal(out.localPort, 0, 'no local port before the handshake');
    await client.until(() => client.closes === 1, `onClose (${host})`);
    t.equal(client.connects, 0);
    t.equal((client.closeError as NodeJS.ErrnoException | undefined)?.code, 'ECONNREFUSED', host);
    out.destroy();
    out.end();
    await delay(20);
    t.equal(client.closes, 1, 'exactly once, even after destroy/end');
  }
});

t.test('destroy while connecting: onClose without error, no onConnect', async (t) => {
  const transport = createTcpTransport();
  const h = await listenOn(t, transport, '127.0.0.1');
  const client = new Recorder();
  const out = transport.connect({ peerAddress: '127.0.0.1', peerPort: h.listener.port }, client);
  out.destroy();
  await client.until(() => client.closes === 1, 'onClose');
  t.equal(client.connects, 0);
  t.equal(client.closeError, undefined);
});

t.test('backpressure: write() false above the mark, onDrain once the peer reads', async (t) => {
  const highWaterMark = 64 * 1024;
  const transport = new TcpTransport({ highWaterMark });
  const h = await listenOn(t, transport, '127.0.0.1');
  const client = new Recorder();
  const out = transport.connect({ peerAddress: '127.0.0.1', peerPort: h.listener.port }, client);
  const inbound = await h.next(); // handlers not installed yet: it reads nothing
  await client.until(() => client.connects === 1, 'connected');

  const chunk = Buffer.alloc(16 * 1024, 0x5a);
  let written = 0;
  let accepted = true;
  // the kernel buffers (a few MB on loopback) fill first; bounded at 64 MiB
  for (let i = 0; i < 4096 && accepted; i++) {
    accepted = out.write(chunk);
    written += chunk.length;
  }
  t.equal(accepted, false, 'write() eventually returns false');
  t.ok(out.bufferedBytes >= highWaterMark, `bufferedBytes ${out.bufferedBytes} >= ${highWaterMark}`);
  await delay(50);
  t.equal(client.drains, 0, 'no onDrain while the peer does not read');

  const server = new Recorder();
  inbound.setHandlers(server);
  await client.until(() => client.drains === 1, 'onDrain');
  t.equal(out.bufferedBytes, 0, 'drained');
  await server.until(() => server.bytes === written, `all ${written} bytes arrive`, 20_000);
  t.ok(server.chunks.every((c) => c.every((b) => b === 0x5a)), 'bytes intact');
  out.destroy();
  await server.until(() => server.closes === 1, 'server closed');
});

t.test('default high-water mark and connect timeout', (t) => {
  t.equal(DEFAULT_HIGH_WATER_MARK, 128 * 1024);
  t.equal(DEFAULT_CONNECT_TIMEOUT_MS, 30_000);
  t.equal(BGP_PORT, 179);
  t.end();
});

t.test('inbound data that arrives before setHandlers is not lost', async (t) => {
  const transport = createTcpTransport();
  const h = await listenOn(t, transport, '::1');
  const client = new Recorder();
  const out = transport.connect({ peerAddress: '::1', peerPort: h.listener.port }, client);
  const inbound = await h.next();
  await client.until(() => client.connects === 1, 'connected');
  out.write(Buffer.from('early '));
  out.write(Buffer.from('bytes'));
  out.end(); // the FIN arrives before the handlers too
  await delay(100);
  const server = new Recorder();
  inbound.setHandlers(server);
  await server.until(() => server.closes === 1, 'server onClose');
  t.equal(server.text(), 'early bytes');
  t.equal(server.closeError, undefined);
  await client.until(() => client.closes === 1, 'client onClose');
});

t.test('end() flushes everything written, then closes', async (t) => {
  const transport = createTcpTransport();
  const h = await listenOn(t, transport, '127.0.0.1');
  const client = new Recorder();
  const out = transport.connect({ peerAddress: '127.0.0.1', peerPort: h.listener.port }, client);
  const inbound = await h.next();
  const server = new Recorder();
  inbound.setHandlers(server);
  // written before the handshake completes: queued, then flushed
  const total = 4 * 1024 * 1024;
  for (let i = 0; i < total / 65536; i++) out.write(Buffer.alloc(65536, i & 255));
  out.end();
  out.end(); // idempotent
  t.equal(out.write(Buffer.from('x')), false, 'write after end() is refused');
  await server.until(() => server.closes === 1, 'server onClose', 20_000);
  t.equal(server.bytes, total, 'every byte arrived before the close');
  await client.until(() => client.closes === 1, 'client onClose');
  t.equal(client.closeError, undefined);
  t.equal(client.connects, 1);
});

t.test('end() gives up on a peer that never closes', async (t) => {
  const transport = new TcpTransport({ endTimeoutMs: 200 });
  const h = await listenOn(t, transport, '127.0.0.1');
  const client = new Recorder();
  const out = transport.connect({ peerAddress: '127.0.0.1', peerPort: h.listener.port }, client);
  await h.next(); // never reads, never closes
  await client.until(() => client.connects === 1, 'connected');
  out.end();
  await client.until(() => client.closes === 1, 'onClose after the end timeout');
  t.ok(client.closeError instanceof BgpError);
  t.equal((client.closeError as BgpError).code, 'ERR_BGP_CLOSE_TIMEOUT');
});

t.test('the peer closing makes onClose fire; writes after its FIN are refused', async (t) => {
  const transport = createTcpTransport();
  const h = await listenOn(t, transport, '127.0.0.1');
  const client = new Recorder();
  const out = transport.connect({ peerAddress: '127.0.0.1', peerPort: h.listener.port }, client);
  const inbound = await h.next();
  inbound.setHandlers(new Recorder());
  await client.until(() => client.connects === 1, 'connected');
  inbound.end();
  await client.until(() => client.closes === 1, 'client onClose');
  t.equal(client.closeError, undefined);
  t.equal(out.write(Buffer.from('x')), false);
});

t.test('destroy() with unsent data resets the connection', async (t) => {
  const transport = new TcpTransport({ highWaterMark: 16 * 1024 });
  const h = await listenOn(t, transport, '127.0.0.1');
  const client = new Recorder();
  const out = transport.connect({ peerAddress: '127.0.0.1', peerPort: h.listener.port }, client);
  const inbound = await h.next();
  await client.until(() => client.connects === 1, 'connected');
  let accepted = true;
  let written = 0;
  for (let i = 0; i < 4096 && accepted; i++) {
    accepted = out.write(Buffer.alloc(64 * 1024));
    written += 64 * 1024;
  }
  t.ok(out.bufferedBytes > 0, 'bytes pending in the process');
  out.destroy();
  out.destroy(); // idempotent
  await client.until(() => client.closes === 1, 'client onClose');
  t.equal(client.closeError, undefined, 'a requested destroy carries no error');
  const server = new Recorder();
  inbound.setHandlers(server);
  await server.until(() => server.closes === 1, 'server onClose');
  // whether the reader sees ECONNRESET or EOF depends on where the kernel was in its receive queue
  t.ok(server.closeError === undefined || (server.closeError as NodeJS.ErrnoException).code === 'ECONNRESET', 'closed by the reset');
  t.ok(server.bytes < written, `the unsent bytes were dropped (${server.bytes} of ${written} arrived)`);
});

t.test('a connection closed before its handlers are set reports the close to them', async (t) => {
  const transport = createTcpTransport();
  const h = await listenOn(t, transport, '127.0.0.1');
  const client = new Recorder();
  transport.connect({ peerAddress: '127.0.0.1', peerPort: h.listener.port }, client);
  const inbound = await h.next();
  inbound.destroy();
  await client.until(() => client.closes === 1, 'client onClose');
  await delay(20);
  const server = new Recorder();
  inbound.setHandlers(server);
  await server.until(() => server.closes === 1, 'late handlers get onClose');
  inbound.setHandlers(server);
  await delay(20);
  t.equal(server.closes, 1, 'still once');
});

t.test('setHandlers replaces the handlers of a live connection', async (t) => {
  const transport = createTcpTransport();
  const h = await listenOn(t, transport, '127.0.0.1');
  const first = new Recorder();
  const out = transport.connect({ peerAddress: '127.0.0.1', peerPort: h.listener.port }, first);
  const inbound = await h.next();
  inbound.setHandlers(new Recorder());
  await first.until(() => first.connects === 1, 'connected');
  const second = new Recorder();
  out.setHandlers(second);
  inbound.write(Buffer.from('to the new owner'));
  await second.until(() => second.text() === 'to the new owner', 'data reaches the new handlers');
  t.equal(first.bytes, 0);
  out.destroy();
  await second.until(() => second.closes === 1, 'close reaches the new handlers');
  t.equal(first.closes, 0);
});

t.test('listener: close() frees the port and leaves handed-over connections open', async (t) => {
  const transport = createTcpTransport();
  const h = await listenOn(t, transport, '127.0.0.1');
  const port = h.listener.port;
  const client = new Recorder();
  const out = transport.connect({ peerAddress: '127.0.0.1', peerPort: port }, client);
  const inbound = await h.next();
  const server = new Recorder();
  inbound.setHandlers(server);
  await client.until(() => client.connects === 1, 'connected');

  const closing = h.listener.close();
  t.equal(h.listener.close(), closing, 'close() twice gives the same promise');
  await closing;
  await h.listener.close();

  const again = await transport.listen({ address: '127.0.0.1', port }, () => undefined);
  t.equal(again.port, port, 'the port is free again');
  await again.close();

  out.write(Buffer.from('still here'));
  await server.until(() => server.text() === 'still here', 'the accepted connection still works');
  out.destroy();
  await server.until(() => server.closes === 1, 'closed');
  t.throws(() => h.listener.setPeerPassword('127.0.0.1', 'x'), { code: 'ERR_BGP_LISTENER_CLOSED' });
  h.listener.setPeerPassword('127.0.0.1', undefined);
  t.pass('removing a key on a closed listener is a no-op');
});

t.test('listen() failures reject with typed errors', async (t) => {
  const transport = createTcpTransport();
  const h = await listenOn(t, transport, '127.0.0.1');
  const taken = await transport.listen({ address: '127.0.0.1', port: h.listener.port }, () => undefined).catch((e: unknown) => e);
  t.ok(taken instanceof BgpError);
  t.equal((taken as BgpError).code, 'ERR_BGP_LISTEN');
  t.equal(((taken as BgpError).cause as NodeJS.ErrnoException).code, 'EADDRINUSE');
  t.match((taken as BgpError).message, /EADDRINUSE/);

  await t.rejects(transport.listen({ address: 'localhost', port: 0 }, () => undefined), { code: 'ERR_BGP_BAD_ADDRESS' });
  await t.rejects(transport.listen({ address: '127.0.0.1', port: 65536 }, () => undefined), { code: 'ERR_BGP_VALUE_OUT_OF_RANGE' });
  await t.rejects(transport.listen({ address: '127.0.0.1', port: 0, ttlSecurityHops: 0 }, () => undefined), { code: 'ERR_BGP_VALUE_OUT_OF_RANGE' });
});

t.test('connect() validates its options synchronously', (t) => {
  const transport = createTcpTransport();
  const h = new Recorder();
  const bad = (options: Record<string, unknown>, code: string, what: string): BgpError | undefined =>
    expectBgpError(t, () => transport.connect({ peerAddress: '127.0.0.1', peerPort: 1, ...options } as never, h), code, what);
  bad({ peerAddress: 'localhost' }, 'ERR_BGP_BAD_ADDRESS', 'host names are not resolved');
  bad({ peerAddress: '127.0.0.256' }, 'ERR_BGP_BAD_ADDRESS', 'bad IPv4');
  bad({ localAddress: '::1' }, 'ERR_BGP_BAD_ADDRESS', 'local and peer families differ');
  bad({ localAddress: 'nowhere' }, 'ERR_BGP_BAD_ADDRESS', 'bad local address');
  bad({ peerPort: 0 }, 'ERR_BGP_VALUE_OUT_OF_RANGE', 'peer port 0');
  bad({ peerPort: 65536 }, 'ERR_BGP_VALUE_OUT_OF_RANGE', 'peer port too big');
  bad({ localPort: -1 }, 'ERR_BGP_VALUE_OUT_OF_RANGE', 'local port');
  bad({ connectTimeoutMs: 0 }, 'ERR_BGP_VALUE_OUT_OF_RANGE', 'timeout');
  bad({ connectTimeoutMs: 1.5 }, 'ERR_BGP_VALUE_OUT_OF_RANGE', 'fractional timeout');
  bad({ ttl: 0 }, 'ERR_BGP_VALUE_OUT_OF_RANGE', 'ttl 0');
  bad({ ttl: 256 }, 'ERR_BGP_VALUE_OUT_OF_RANGE', 'ttl 256');
  bad({ ttlSecurityHops: 255 }, 'ERR_BGP_VALUE_OUT_OF_RANGE', 'hops 255');
  bad({ ttl: 64, ttlSecurityHops: 1 }, 'ERR_BGP_BAD_VALUE', 'ttl contradicts GTSM');
  const secret = 'correct-horse-battery-staple-'.repeat(3);
  const e = bad({ md5Password: secret }, 'ERR_BGP_VALUE_OUT_OF_RANGE', 'password over 80 bytes');
  t.notMatch(e?.message ?? '', secret.slice(0, 10), 'the password is not in the message');
  t.notMatch(JSON.stringify(e), secret.slice(0, 10), 'nor in the JSON');
  t.equal(h.closes, 0, 'nothing was reported for rejected options');
  expectBgpError(t, () => new TcpTransport({ highWaterMark: 0 }), 'ERR_BGP_VALUE_OUT_OF_RANGE', 'high-water mark');
  expectBgpError(t, () => new TcpTransport({ endTimeoutMs: -5 }), 'ERR_BGP_VALUE_OUT_OF_RANGE', 'end timeout');
  t.end();
});

t.test('without the addon a ttl up to the kernel default is honoured, a larger one is refused', async (t) => {
  setNativeSocketOptionsForTesting(null);
  t.teardown(() => setNativeSocketOptionsForTesting(undefined));
  const transport = createTcpTransport();
  const h = await listenOn(t, transport, '127.0.0.1');
  const kernel = kernelDefaultTtl(4);
  const client = new Recorder();
  const out = transport.connect({ peerAddress: '127.0.0.1', peerPort: h.listener.port, ttl: kernel }, client);
  (await h.next()).setHandlers(new Recorder());
  await client.until(() => client.connects === 1, 'connected with the kernel default TTL');
  out.destroy();
  await client.until(() => client.closes === 1, 'closed');
  const e = expectBgpError(t, () => transport.connect({ peerAddress: '127.0.0.1', peerPort: h.listener.port, ttl: kernel + 1 }, new Recorder()), 'ERR_BGP_TTL_UNSUPPORTED');
  t.match(e?.message ?? '', /kernel default/);
});
