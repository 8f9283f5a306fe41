/**
 * The native addon and its TypeScript side: loading and the forced "unavailable" state, typed
 * errors (ERR_BGP_TCP_MD5_UNSUPPORTED, ERR_BGP_TTL_SECURITY_UNSUPPORTED, ERR_BGP_SOCKET_OPTION),
 * the password never showing in errors, the option plan and TTL policy, address canonicalisation,
 * the kernel behaviours the adapter relies on (listener options inherited, saved SYN TTL), and
 * scripts/build-native.mjs in a scratch copy. Loopback only; every wait is bounded.
 */
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, Socket, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { nodeSocketFd } from '../src/bgp/transport/node-fd.js';
import {
  checkTcpMd5Password,
  closeSocketFd,
  createSocketFd,
  findPackageRoot,
  loadAddonFile,
  nativeSocketOptions,
  nativeSocketOptionsUnavailableReason,
  readSavedSynTtl,
  readSocketMinTtl,
  readSocketTtl,
  requireNativeSocketOptions,
  setListenerSaveSyn,
  setNativeSocketOptionsForTesting,
  setSocketMinTtl,
  setSocketTtl,
  setTcpMd5Key,
  SocketOptionError,
  TCP_MD5_MAX_KEY_BYTES,
  type NativeSocketOptions,
} from '../src/bgp/transport/socket-options.js';
import { FALLBACK_DEFAULT_TTL, gtsmMinTtl, kernelDefaultTtl, planSocketOptions } from '../src/bgp/transport/socket-plan.js';
import { TcpListener } from '../src/bgp/transport/tcp-listener.js';
import { TcpTransport } from '../src/bgp/transport/tcp-transport.js';
import { canonicalAddress, parseTransportAddress } from '../src/bgp/transport/transport-address.js';
import { expectBgpError } from './helpers/assert.js';

const WAIT_MS = 5000;
const SECRET = 'hunter2-but-longer-md5-secret';
const ROOT = new URL('..', import.meta.url).pathname;

const realNative = nativeSocketOptions();
const unavailable = realNative === undefined ? `native addon not built: ${nativeSocketOptionsUnavailableReason()}` : false;

/** Everything an error shows when printed, logged or serialised. */
function shown(e: unknown): string {
  return [String(e), inspect(e, { depth: 5 }), JSON.stringify(e), (e as Error).stack ?? ''].join('\n');
}

function withTimeout<T>(p: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

async function listening(t: Test, host: string): Promise<Server> {
  const server = createServer({ pauseOnConnect: true });
  await withTimeout(new Promise<void>((resolve) => server.listen({ host, port: 0 }, resolve)), 'listen');
  t.teardown(() => server.close());
  return server;
}

function portOf(server: Server): number {
  const a = server.address();
  return typeof a === 'object' && a !== null ? a.port : 0;
}

/** The next socket the server accepts, with a bound on the wait. */
function nextAccepted(server: Server): Promise<Socket> {
  return withTimeout(new Promise<Socket>((resolve) => server.once('connection', resolve)), 'accept');
}

t.test('the addon is built and loaded on this machine', { skip: unavailable }, (t) => {
  t.ok(realNative);
  t.equal(nativeSocketOptionsUnavailableReason(), undefined);
  t.equal(realNative?.maxKeyLength, TCP_MD5_MAX_KEY_BYTES);
  t.equal(requireNativeSocketOptions('tcp-md5'), realNative);
  t.end();
});

t.test('TSBGP_NO_NATIVE=1 at load time disables the addon', (t) => {
  const saved = process.env['TSBGP_NO_NATIVE'];
  process.env['TSBGP_NO_NATIVE'] = '1';
  setNativeSocketOptionsForTesting(undefined);
  t.teardown(() => {
    if (saved === undefined) delete process.env['TSBGP_NO_NATIVE'];
    else process.env['TSBGP_NO_NATIVE'] = saved;
    setNativeSocketOptionsForTesting(undefined);
  });
  t.equal(nativeSocketOptions(), undefined);
  t.match(nativeSocketOptionsUnavailableReason() ?? '', /TSBGP_NO_NATIVE=1/);
  t.end();
});

t.test('without the addon every feature fails with its own typed error', async (t) => {
  setNativeSocketOptionsForTesting(null);
  t.teardown(() => setNativeSocketOptionsForTesting(undefined));
  t.equal(nativeSocketOptions(), undefined);
  t.equal(nativeSocketOptionsUnavailableReason(), 'disabled for testing');

  const transport = new TcpTransport();
  const h = { onData: () => undefined, onDrain: () => undefined, onClose: () => t.fail('no connection is made') };
  const md5 = expectBgpError(t, () => transport.connect({ peerAddress: '127.0.0.1', peerPort: 1, md5Password: SECRET }, h), 'ERR_BGP_TCP_MD5_UNSUPPORTED');
  t.equal(md5?.rfc, 'RFC 2385');
  t.match(md5?.message ?? '', /native addon/);
  t.notOk(shown(md5).includes(SECRET), 'the password appears nowhere in the error');
  const gtsm = expectBgpError(t, () => transport.connect({ peerAddress: '::1', peerPort: 1, ttlSecurityHops: 1 }, h), 'ERR_BGP_TTL_SECURITY_UNSUPPORTED');
  t.equal(gtsm?.rfc, 'RFC 5082');
  expectBgpError(t, () => transport.connect({ peerAddress: '::1', peerPort: 1, ttl: 255 }, h), 'ERR_BGP_TTL_UNSUPPORTED');
  await t.rejects(transport.listen({ address: '127.0.0.1', port: 0, ttlSecurityHops: 1 }, () => undefined), { code: 'ERR_BGP_TTL_SECURITY_UNSUPPORTED' });

  const listener = await transport.listen({ address: '127.0.0.1', port: 0 }, (c) => c.destroy());
  t.teardown(() => listener.close());
  const e = expectBgpError(t, () => listener.setPeerPassword('127.0.0.1', SECRET), 'ERR_BGP_TCP_MD5_UNSUPPORTED');
  t.notOk(shown(e).includes(SECRET), 'listener error without the password');
  expectBgpError(t, () => listener.setPeerTtlSecurity('127.0.0.1', 1), 'ERR_BGP_TTL_SECURITY_UNSUPPORTED');
  listener.setPeerPassword('127.0.0.1', undefined);
  listener.setPeerTtlSecurity('127.0.0.1', undefined);
  t.pass('removing what cannot have been set is a no-op');
  setTcpMd5Key(0, '127.0.0.1', undefined);
  closeSocketFd(123456);
  t.pass('removal and close are no-ops without the addon');
  for (const f of [() => setSocketTtl(0, 64), () => readSocketTtl(0)]) expectBgpError(t, f, 'ERR_BGP_TTL_UNSUPPORTED');
  for (const f of [() => setSocketMinTtl(0, 1), () => readSocketMinTtl(0), () => setListenerSaveSyn(0, true), () => readSavedSynTtl(0), () => createSocketFd(4, 'ttl-security')]) {
    expectBgpError(t, f, 'ERR_BGP_TTL_SECURITY_UNSUPPORTED');
  }
  // plain TCP still works
  t.same(planSocketOptions({}, 4), { md5Password: undefined, ttl: undefined, minTtl: undefined, nativeFeature: undefined });
});

/** A fake addon whose every call fails the way the real one reports a kernel refusal. */
function failingNative(): NativeSocketOptions {
  const fail = (syscall: string, option: string) => (): never => {
    throw Object.assign(new Error(`${syscall}(${option}) failed: Operation not permitted`), { errno: 1, code: 'EPERM', syscall, option });
  };
  return {
    createSocket: fail('socket', 'AF_INET'),
    closeSocket: fail('close', 'fd'),
    setTcpMd5: fail('setsockopt', 'TCP_MD5SIG'),
    setMinTtl: fail('setsockopt', 'IP_MINTTL'),
    setTtl: fail('setsockopt', 'IP_TTL'),
    getMinTtl: fail('getsockopt', 'IP_MINTTL'),
    getTtl: fail('getsockopt', 'IP_TTL'),
    setSaveSyn: fail('setsockopt', 'TCP_SAVE_SYN'),
    getSavedSynTtl: fail('getsockopt', 'TCP_SAVED_SYN'),
    maxKeyLength: 80,
  };
}

t.test('kernel refusals become SocketOptionError (ERR_BGP_SOCKET_OPTION) with errno', (t) => {
  setNativeSocketOptionsForTesting(failingNative());
  t.teardown(() => setNativeSocketOptionsForTesting(undefined));
  const e = expectBgpError(t, () => setTcpMd5Key(7, '192.0.2.1', SECRET), 'ERR_BGP_SOCKET_OPTION') as SocketOptionError;
  t.ok(e instanceof SocketOptionError);
  t.equal(e.name, 'SocketOptionError');
  t.equal(e.errno, 1);
  t.equal(e.systemCode, 'EPERM');
  t.equal(e.syscall, 'setsockopt');
  t.equal(e.option, 'TCP_MD5SIG');
  t.match(e.message, /setting the TCP-MD5 key for peer 192\.0\.2\.1 failed: .*EPERM/);
  t.match(e.toJSON(), { error: 'ERR_BGP_SOCKET_OPTION', errno: 1, systemCode: 'EPERM', syscall: 'setsockopt', option: 'TCP_MD5SIG' });
  t.notOk(shown(e).includes(SECRET), 'the password appears nowhere');
  expectBgpError(t, () => setTcpMd5Key(7, '192.0.2.1', undefined), 'ERR_BGP_SOCKET_OPTION', 'removal');
  for (const f of [
    () => setSocketTtl(7, 'default'),
    () => setSocketMinTtl(7, 255),
    () => setListenerSaveSyn(7, false),
    () => readSavedSynTtl(7),
    () => readSocketTtl(7),
    () => readSocketMinTtl(7),
    () => createSocketFd(6, 'tcp-md5'),
  ]) {
    expectBgpError(t, f, 'ERR_BGP_SOCKET_OPTION');
  }
  closeSocketFd(7);
  t.pass('closeSocketFd swallows errors');

  // the transport closes the fd it created and throws synchronously
  let closed = 0;
  setNativeSocketOptionsForTesting({ ...failingNative(), createSocket: () => 99, closeSocket: () => void closed++ });
  const h = { onData: () => undefined, onDrain: () => undefined, onClose: () => t.fail('no connection is made') };
  const c = expectBgpError(t, () => new TcpTransport().connect({ peerAddress: '127.0.0.1', peerPort: 1, md5Password: SECRET }, h), 'ERR_BGP_SOCKET_OPTION');
  t.equal(closed, 1, 'the half-made socket was closed');
  t.notOk(shown(c).includes(SECRET));

  // an error that is not an Error object still gives a typed error
  const odd = new SocketOptionError('doing something', 'plain string');
  t.match(odd.message, /doing something failed: plain string/);
  t.equal(odd.errno, undefined);
  t.same(Object.keys(odd.toJSON()).sort(), ['error', 'message']);
  t.end();
});

t.test('GTSM that cannot be applied on accept rejects the connection', async (t) => {
  const rejected: string[] = [];
  const transport = new TcpTransport({ onRejectedConnection: (r) => rejected.push(r.reason) });
  let handedOver = 0;
  // the real addon (if any) prepares the listener, then a failing one meets the accepted socket
  setNativeSocketOptionsForTesting({ ...failingNative(), setSaveSyn: () => undefined, setTtl: () => undefined, setMinTtl: () => undefined });
  t.teardown(() => setNativeSocketOptionsForTesting(undefined));
  const listener = await transport.listen({ address: '127.0.0.1', port: 0 }, (c) => {
    handedOver++;
    c.destroy();
  });
  t.teardown(() => listener.close());
  listener.setPeerTtlSecurity('127.0.0.1', 1);
  const client = createConnection({ host: '127.0.0.1', port: listener.port });
  client.on('error', () => undefined);
  await withTimeout(new Promise((resolve) => client.once('close', resolve)), 'client closed by the listener');
  t.equal(handedOver, 0);
  t.equal(rejected.length, 1);
  t.match(rejected[0] ?? '', /could not be applied/);

  setNativeSocketOptionsForTesting(null);
  const client2 = createConnection({ host: '127.0.0.1', port: listener.port });
  client2.on('error', () => undefined);
  await withTimeout(new Promise((resolve) => client2.once('close', resolve)), 'second client closed');
  t.match(rejected[1] ?? '', /native addon is unavailable/, 'fails closed when the addon disappears');
  t.equal(handedOver, 0);
});

t.test('listener errors after listening are reported, not thrown', async (t) => {
  const errors: Error[] = [];
  const server = await listening(t, '127.0.0.1');
  const listener = new TcpListener({ server, onConnection: () => undefined, endTimeoutMs: 1000, ttlSecurityHops: undefined, onError: (e) => errors.push(e) });
  t.equal(listener.port, portOf(server));
  t.equal(listener.address, '127.0.0.1');
  // what node:net emits when accept() fails (EMFILE and the like)
  server.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }));
  t.equal(errors.length, 1);
  const quiet = new TcpListener({ server, onConnection: () => undefined, endTimeoutMs: 1000, ttlSecurityHops: undefined });
  server.emit('error', new Error('nobody listens'));
  t.pass('without onError the error is dropped instead of crashing the process');
  await quiet.close();
  await withTimeout(listener.close(), 'close of a listener whose server is already closed');
});

t.test('accept edge cases: a peer already gone, a throwing onConnection', async (t) => {
  const rejected: string[] = [];
  const server = createServer({ pauseOnConnect: true });
  const boom = new Error('owner bug');
  const listener = new TcpListener({
    server,
    onConnection: () => {
      throw boom;
    },
    endTimeoutMs: 1000,
    ttlSecurityHops: undefined,
    onRejectedConnection: (r) => rejected.push(r.reason),
  });
  t.equal(listener.address, '', 'not listening yet: no address');
  t.equal(listener.port, 0);
  // node:net hands over a socket whose peer reset it before the event: no remote address
  const gone = new Socket();
  server.emit('connection', gone);
  t.ok(gone.destroyed, 'destroyed');
  t.match(rejected, [/gone/]);

  // a real accepted socket, handed to an onConnection that throws: destroyed, error propagates
  const other = await listening(t, '127.0.0.1');
  const accepted = nextAccepted(other);
  const client = createConnection({ host: '127.0.0.1', port: portOf(other) });
  client.on('error', () => undefined);
  t.teardown(() => client.destroy());
  const socket = await accepted;
  t.throws(() => server.emit('connection', socket), boom);
  t.ok(socket.destroyed, 'the connection was destroyed');
});

t.test('listen() rejects when listener-wide GTSM cannot be applied', async (t) => {
  setNativeSocketOptionsForTesting(failingNative());
  t.teardown(() => setNativeSocketOptionsForTesting(undefined));
  const transport = new TcpTransport();
  const e = await transport.listen({ address: '127.0.0.1', port: 0, ttlSecurityHops: 1 }, () => undefined).catch((x: unknown) => x);
  t.match(e, { code: 'ERR_BGP_SOCKET_OPTION', option: 'IP_MINTTL' });
});

t.test('finding and loading the addon file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbgp-load-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.equal(findPackageRoot(join(ROOT, 'src', 'bgp', 'transport')), ROOT.replace(/\/$/, ''), 'from src/bgp/transport');
  t.equal(findPackageRoot(join(ROOT, 'dist', 'bgp', 'transport')), ROOT.replace(/\/$/, ''), 'from dist/bgp/transport');
  writeFileSync(join(dir, 'package.json'), '{ not json');
  mkdirSync(join(dir, 'a', 'b'), { recursive: true });
  t.equal(findPackageRoot(join(dir, 'a', 'b')) === dir, false, 'a broken package.json is not ours');

  t.match(loadAddonFile(join(dir, 'missing.node')), { native: undefined, reason: /is not built/ });
  writeFileSync(join(dir, 'garbage.node'), 'not an ELF file');
  t.match(loadAddonFile(join(dir, 'garbage.node')), { native: undefined, reason: /cannot be loaded/ });
  writeFileSync(join(dir, 'partial.cjs'), 'module.exports = { createSocket() {} };');
  t.match(loadAddonFile(join(dir, 'partial.cjs')), { native: undefined, reason: /lacks closeSocket, setTcpMd5/ });
  if (realNative) {
    t.equal(loadAddonFile(join(ROOT, 'native', 'build', 'Release', 'tsbgp_sockopt.node')).native, realNative, 'the built addon');
  }
  t.end();
});

t.test('TCP-MD5 password length is counted in bytes', (t) => {
  checkTcpMd5Password('x'.repeat(80));
  expectBgpError(t, () => checkTcpMd5Password('x'.repeat(81)), 'ERR_BGP_VALUE_OUT_OF_RANGE');
  expectBgpError(t, () => checkTcpMd5Password('é'.repeat(41)), 'ERR_BGP_VALUE_OUT_OF_RANGE', '82 UTF-8 bytes');
  expectBgpError(t, () => checkTcpMd5Password(42 as unknown as string), 'ERR_BGP_BAD_VALUE');
  t.end();
});

t.test('option plan and TTL policy', (t) => {
  t.equal(gtsmMinTtl(1), 255);
  t.equal(gtsmMinTtl(254), 2);
  const procTtl = Number(spawnSync('cat', ['/proc/sys/net/ipv4/ip_default_ttl'], { encoding: 'utf8' }).stdout.trim()) || FALLBACK_DEFAULT_TTL;
  t.equal(kernelDefaultTtl(4), procTtl, 'the kernel default is read from /proc');
  t.ok(kernelDefaultTtl(6) >= 1 && kernelDefaultTtl(6) <= 255);
  t.same(planSocketOptions({ md5Password: '' }, 4).md5Password, undefined, "'' means no password");

  setNativeSocketOptionsForTesting(failingNative()); // only its presence matters to the plan
  t.teardown(() => setNativeSocketOptionsForTesting(undefined));
  t.same(planSocketOptions({ ttl: 1 }, 4), { md5Password: undefined, ttl: 1, minTtl: undefined, nativeFeature: 'ttl' }, 'with the addon the TTL is set exactly');
  t.same(planSocketOptions({ ttlSecurityHops: 1 }, 6), { md5Password: undefined, ttl: 255, minTtl: 255, nativeFeature: 'ttl-security' });
  t.same(planSocketOptions({ ttlSecurityHops: 3, ttl: 255, md5Password: SECRET }, 6), { md5Password: SECRET, ttl: 255, minTtl: 253, nativeFeature: 'tcp-md5' });
  t.same(planSocketOptions({ md5Password: SECRET }, 4), { md5Password: SECRET, ttl: undefined, minTtl: undefined, nativeFeature: 'tcp-md5' });

  setNativeSocketOptionsForTesting(null);
  t.same(planSocketOptions({ ttl: 1 }, 4), { md5Password: undefined, ttl: undefined, minTtl: undefined, nativeFeature: undefined }, 'without: the kernel default reaches further');
  t.end();
});

t.test('transport addresses', (t) => {
  t.same(parseTransportAddress('192.0.2.1', 'x'), { address: '192.0.2.1', family: 4, zone: undefined, socketText: '192.0.2.1' });
  t.same(parseTransportAddress('2001:DB8:0:0::1', 'x'), { address: '2001:db8::1', family: 6, zone: undefined, socketText: '2001:db8::1' });
  t.same(parseTransportAddress('::ffff:192.0.2.7', 'x'), { address: '192.0.2.7', family: 4, zone: undefined, socketText: '192.0.2.7' });
  t.same(parseTransportAddress('fe80::1%eth0', 'x'), { address: 'fe80::1', family: 6, zone: 'eth0', socketText: 'fe80::1%eth0' });
  t.equal(canonicalAddress('::ffff:127.0.0.1'), '127.0.0.1');
  t.equal(canonicalAddress('1::ffff:7f00:1'), '1::ffff:7f00:1', 'not IPv4-mapped');
  t.equal(canonicalAddress('::1:ffff:7f00:1'), '::1:ffff:7f00:1', 'not IPv4-mapped either');
  t.equal(canonicalAddress(undefined), '');
  t.equal(canonicalAddress('garbage'), '');
  const e = expectBgpError(t, () => parseTransportAddress('example.com', 'peerAddress'), 'ERR_BGP_BAD_ADDRESS');
  t.match(e?.message ?? '', /peerAddress/);
  expectBgpError(t, () => parseTransportAddress(undefined as unknown as string, 'peerAddress'), 'ERR_BGP_BAD_ADDRESS');
  t.end();
});

t.test('nodeSocketFd', async (t) => {
  t.equal(nodeSocketFd(new Socket()), undefined, 'no fd before connect');
  const server = await listening(t, '127.0.0.1');
  const fd = nodeSocketFd(server);
  t.ok(typeof fd === 'number' && fd > 2, 'a listening server has an fd');
});

t.test('the addon itself', { skip: unavailable }, async (t) => {
  const native = realNative!;
  // argument checks in C
  t.throws(() => native.createSocket(5 as 4), { code: 'ERR_OUT_OF_RANGE' });
  t.throws(() => native.setTtl(0, 0), { code: 'ERR_OUT_OF_RANGE' });
  t.throws(() => native.setMinTtl(-1, 1), { code: 'ERR_OUT_OF_RANGE' });
  t.throws(() => native.setTcpMd5('3' as unknown as number, '127.0.0.1'), { code: 'ERR_INVALID_ARG_TYPE' });
  t.throws(() => native.setTcpMd5(0, 5 as unknown as string), { code: 'ERR_INVALID_ARG_TYPE' });
  t.throws(() => native.setTcpMd5(0, 'x'.repeat(200)), { code: 'ERR_OUT_OF_RANGE' });
  t.throws(() => native.setTcpMd5(0, '127.0.0.1', 'key' as unknown as Uint8Array), { code: 'ERR_INVALID_ARG_TYPE' });
  t.throws(() => native.setTcpMd5(0, '127.0.0.1', new Uint16Array(2) as unknown as Uint8Array), { code: 'ERR_INVALID_ARG_TYPE' });
  t.throws(() => native.setSaveSyn(0, 'yes' as unknown as boolean), { code: 'ERR_INVALID_ARG_TYPE' });

  // a file is not a socket: the errno comes through
  const file = openSync('/dev/null', 'r');
  try {
    const e = t.throws(() => native.setTcpMd5(file, '127.0.0.1', Buffer.from(SECRET))) as unknown as { code: string; errno: number; syscall: string; option: string; message: string };
    t.match(e, { code: 'ENOTSOCK', syscall: 'getsockopt', option: 'SO_DOMAIN' });
    t.ok(e.errno > 0);
    t.notOk(shown(e).includes(SECRET));
    expectBgpError(t, () => setSocketTtl(file, 64), 'ERR_BGP_SOCKET_OPTION');
  } finally {
    closeSync(file);
  }

  // a fresh socket: TTL and minimum TTL round trips, both families
  for (const family of [4, 6] as const) {
    const fd = createSocketFd(family, 'ttl');
    try {
      setSocketTtl(fd, 17);
      setSocketMinTtl(fd, 200);
      const ttl = readSocketTtl(fd);
      const min = readSocketMinTtl(fd);
      if (family === 4) {
        t.same(ttl, { ipv4: 17 });
        t.same(min, { ipv4: 200 });
      } else {
        t.same(ttl, { ipv4: 17, ipv6: 17 }, 'an unconnected IPv6 socket is dual stack: both set');
        t.same(min, { ipv4: 200, ipv6: 200 });
      }
      setSocketTtl(fd, 'default');
      t.equal(readSocketTtl(fd).ipv4, kernelDefaultTtl(4), 'back to the kernel default');
      setTcpMd5Key(fd, family === 4 ? '192.0.2.1' : '2001:db8::1', SECRET);
      setTcpMd5Key(fd, family === 4 ? '192.0.2.1' : '2001:db8::1', undefined);
      setTcpMd5Key(fd, family === 4 ? '192.0.2.1' : '2001:db8::1', undefined);
      t.pass(`IPv${family}: key set, removed, removed again`);
      native.setTcpMd5(fd, '::ffff:192.0.2.9', Buffer.alloc(80, 1));
      t.throws(() => native.setTcpMd5(fd, '192.0.2.9', Buffer.alloc(81, 1)), { code: 'ERR_OUT_OF_RANGE' });
    } finally {
      native.closeSocket(fd);
    }
  }
  t.throws(() => native.closeSocket(1 << 30), { code: 'EBADF' });
});

t.test('kernel behaviour the listener relies on (Linux)', { skip: unavailable }, async (t) => {
  // 1. IP_MINTTL / IP_TTL set on a listener are inherited by the sockets it accepts
  for (const [host, peer] of [
    ['::', '127.0.0.1'],
    ['::1', '::1'],
  ] as const) {
    const server = await listening(t, host);
    const lfd = nodeSocketFd(server)!;
    setSocketMinTtl(lfd, 2);
    setSocketTtl(lfd, 255);
    setListenerSaveSyn(lfd, true);
    const accepted = nextAccepted(server);
    const clientFd = createSocketFd(peer.includes(':') ? 6 : 4, 'ttl');
    setSocketTtl(clientFd, 99);
    const client = new Socket({ fd: clientFd, manualStart: true } as never);
    client.on('error', () => undefined);
    client.connect({ host: peer, port: portOf(server) });
    const socket = await accepted;
    const fd = nodeSocketFd(socket)!;
    const min = readSocketMinTtl(fd);
    const ttl = readSocketTtl(fd);
    if (peer === '::1') {
      t.equal(min.ipv6, 2, 'IPv6: minimum hop count inherited');
      t.equal(ttl.ipv6, 255, 'IPv6: hop limit inherited');
    } else {
      t.equal(min.ipv4, 2, 'IPv4 via dual stack: minimum TTL inherited');
      t.equal(ttl.ipv4, 255, 'IPv4 via dual stack: TTL inherited');
    }
    t.equal(readSavedSynTtl(fd), 99, 'the saved SYN shows the TTL the client sent');
    t.equal(readSavedSynTtl(fd), undefined, 'and is consumed by reading it');
    socket.destroy();
    client.destroy();
  }
});

/** Copies the build script and the addon sources into a scratch package. */
function scratchPackage(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsbgp-native-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'scripts'));
  mkdirSync(join(dir, 'native'));
  copyFileSync(join(ROOT, 'scripts', 'build-native.mjs'), join(dir, 'scripts', 'build-native.mjs'));
  copyFileSync(join(ROOT, 'native', 'binding.gyp'), join(dir, 'native', 'binding.gyp'));
  copyFileSync(join(ROOT, 'native', 'sockopt.c'), join(dir, 'native', 'sockopt.c'));
  return dir;
}

function runBuild(dir: string, env: Record<string, string>): { status: number | null; stdout: string } {
  const run = spawnSync(process.execPath, [join(dir, 'scripts', 'build-native.mjs')], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  return { status: run.status, stdout: `${run.stdout}${run.stderr}` };
}

t.test('build-native.mjs never fails the install', (t) => {
  const dir = scratchPackage(t);
  const addon = join(dir, 'native', 'build', 'Release', 'tsbgp_sockopt.node');

  const skipped = runBuild(dir, { TSBGP_SKIP_NATIVE: '1' });
  t.equal(skipped.status, 0, 'skip: exit 0');
  t.match(skipped.stdout, /unavailable \(skipped: TSBGP_SKIP_NATIVE=1\): TCP-MD5 .* unavailable/);
  t.equal(skipped.stdout.trim().split('\n').length, 1, 'one line');

  const gyp = join(dir, 'failing-node-gyp.js');
  writeFileSync(gyp, 'process.stderr.write("gyp ERR! simulated failure\\n"); process.exit(1);\n');
  const failed = runBuild(dir, { npm_config_node_gyp: gyp });
  t.equal(failed.status, 0, 'build failure: exit 0');
  t.match(failed.stdout, /addon unavailable \(build failed: node-gyp exited with 1; see .*build-native\.log\): TCP-MD5/);
  t.equal(failed.stdout.trim().split('\n').length, 1, 'one line');
  t.notOk(existsSync(addon));
  t.end();
});

t.test('build-native.mjs builds the addon from the sources alone', { skip: process.platform !== 'linux' ? 'Linux only' : false }, (t) => {
  const dir = scratchPackage(t);
  const built = runBuild(dir, {});
  t.equal(built.status, 0);
  t.match(built.stdout, /addon built: TCP-MD5, TTL security \(GTSM\) and the BFD TTL check are available/);
  const addon = join(dir, 'native', 'build', 'Release', 'tsbgp_sockopt.node');
  t.ok(existsSync(addon), 'native/build/Release/tsbgp_sockopt.node exists');
  const load = spawnSync(process.execPath, ['-e', `console.log(Object.keys(require(${JSON.stringify(addon)})).join(','))`], { encoding: 'utf8', timeout: 30_000 });
  t.match(load.stdout, /createSocket,closeSocket,setTcpMd5/);
  t.end();
});
