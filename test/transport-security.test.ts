/**
 * TCP-MD5 (RFC 2385), GTSM (RFC 5082) and TTL through the native addon, on loopback
 * (127.0.0.1, 127.0.0.2, ::1). A dropped SYN shows as ERR_BGP_CONNECT_TIMEOUT with a short
 * connectTimeoutMs. Skips with a message when the addon is not built. Every wait is bounded;
 * touches only sockets it creates.
 */
import t, { type Test } from 'tap';
import { inspect } from 'node:util';
import type { BgpConnection, BgpListener, ConnectOptions } from '../src/bgp/transport/connection.js';
import { BgpError } from '../src/bgp/errors.js';
import { nativeSocketOptions, nativeSocketOptionsUnavailableReason } from '../src/bgp/transport/socket-options.js';
import type { RejectedConnection } from '../src/bgp/transport/tcp-listener.js';
import { TcpTransport } from '../src/bgp/transport/tcp-transport.js';
import { Recorder, WAIT_MS } from './helpers/recorder.js';

/** connectTimeoutMs where the SYN is expected to be dropped. */
const DROP_MS = 400;
const SECRET = 'Tr0ub4dor&3-md5-key';

const unavailable = nativeSocketOptions() === undefined ? `native addon not built: ${nativeSocketOptionsUnavailableReason()}` : false;


interface Harness {
  readonly transport: TcpTransport;
  readonly listener: BgpListener;
  readonly accepted: BgpConnection[];
  readonly rejected: RejectedConnection[];
}

/** A listener whose accepted connections echo "ok:" + what they receive. */
async function echoListener(t: Test, address: string, ttlSecurityHops?: number): Promise<Harness> {
  const rejected: RejectedConnection[] = [];
  const accepted: BgpConnection[] = [];
  const transport = new TcpTransport({ onRejectedConnection: (r) => rejected.push(r) });
  const listener = await transport.listen({ address, port: 0, ttlSecurityHops }, (c) => {
    accepted.push(c);
    t.teardown(() => c.destroy());
    c.setHandlers({
      onData: (chunk) => void c.write(Buffer.concat([Buffer.from('ok:'), chunk])),
      onDrain: () => undefined,
      onClose: () => undefined,
    });
  });
  t.teardown(() => listener.close());
  return { transport, listener, accepted, rejected };
}

/** Connects and expects the echo to work: the session would come up. */
async function expectWorks(t: Test, h: Harness, options: Omit<ConnectOptions, 'peerPort'>, what: string): Promise<void> {
  const client = new Recorder();
  const c = h.transport.connect({ connectTimeoutMs: WAIT_MS, ...options, peerPort: h.listener.port }, client);
  await client.until(() => client.connects === 1 || client.closes > 0, `${what}: connect`);
  c.write(Buffer.from('ping'));
  await client.until(() => client.text() === 'ok:ping' || client.closes > 0, `${what}: echo`);
  t.equal(client.text(), 'ok:ping', `${what}: data flows both ways`);
  c.destroy();
  await client.until(() => client.closes === 1, `${what}: close`);
}

/** Connects and expects the SYN (or SYN-ACK) to be dropped: a connect timeout. */
async function expectDropped(t: Test, h: Harness, options: Omit<ConnectOptions, 'peerPort'>, what: string): Promise<void> {
  const client = new Recorder();
  h.transport.connect({ ...options, peerPort: h.listener.port, connectTimeoutMs: DROP_MS }, client);
  await client.until(() => client.closes === 1, `${what}: onClose`);
  t.equal(client.connects, 0, `${what}: never connected`);
  t.ok(client.closeError instanceof BgpError, `${what}: typed error`);
  t.equal((client.closeError as BgpError).code, 'ERR_BGP_CONNECT_TIMEOUT', `${what}: connect timeout`);
}

/** Checks that nothing a thrown or reported error shows contains the password. */
function noSecret(t: Test, e: unknown, what: string): void {
  const shown = [String(e), inspect(e, { depth: 5 }), JSON.stringify(e), (e as Error).stack ?? ''].join('\n');
  t.notOk(shown.includes(SECRET), `${what}: the password appears nowhere`);
}

t.test('TCP-MD5 outbound and inbound (IPv4 on a dual-stack listener, IPv6)', { skip: unavailable }, async (t) => {
  for (const [listenAddress, peer] of [
    ['::', '127.0.0.1'],
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
  ] as const) {
    const h = await echoListener(t, listenAddress);
    h.listener.setPeerPassword(peer, SECRET);
    await expectWorks(t, h, { peerAddress: peer, md5Password: SECRET }, `${peer} with the matching key`);
    await expectDropped(t, h, { peerAddress: peer }, `${peer} without a key`);
    await expectDropped(t, h, { peerAddress: peer, md5Password: 'not-the-key' }, `${peer} with a wrong key`);
    h.listener.setPeerPassword(peer, undefined);
    h.listener.setPeerPassword(peer, ''); // removing twice is fine
    await expectWorks(t, h, { peerAddress: peer }, `${peer} without a key once the listener's key is removed`);
    await expectDropped(t, h, { peerAddress: peer, md5Password: SECRET }, `${peer} with a key the listener does not expect`);
  }
});

t.test('TCP-MD5 keys are per peer address', { skip: unavailable }, async (t) => {
  const h = await echoListener(t, '127.0.0.1');
  h.listener.setPeerPassword('127.0.0.2', SECRET);
  await expectWorks(t, h, { peerAddress: '127.0.0.1', localAddress: '127.0.0.2', md5Password: SECRET }, 'from 127.0.0.2 with its key');
  await expectWorks(t, h, { peerAddress: '127.0.0.1', localAddress: '127.0.0.1' }, 'from 127.0.0.1 without a key');
  await expectDropped(t, h, { peerAddress: '127.0.0.1', localAddress: '127.0.0.2' }, 'from 127.0.0.2 without its key');
});

t.test('TCP-MD5 argument errors never show the password', { skip: unavailable }, async (t) => {
  const h = await echoListener(t, '127.0.0.1');
  const e1 = t.throws(() => h.listener.setPeerPassword('not-an-address', SECRET), { code: 'ERR_BGP_BAD_ADDRESS' });
  noSecret(t, e1, 'bad peer address');
  const long = SECRET.repeat(6);
  const e2 = t.throws(() => h.listener.setPeerPassword('127.0.0.1', long), { code: 'ERR_BGP_VALUE_OUT_OF_RANGE' });
  noSecret(t, e2, 'too long');
  // an IPv6 peer on an IPv4 listener: the kernel refuses, the error names the peer, not the key
  const e3 = t.throws(() => h.listener.setPeerPassword('2001:db8::1', SECRET), { code: 'ERR_BGP_SOCKET_OPTION' }) as unknown as BgpError;
  t.match(e3.message, /2001:db8::1/);
  t.equal((e3 as unknown as { systemCode: string }).systemCode, 'EAFNOSUPPORT');
  noSecret(t, e3, 'kernel refusal');
});

t.test('GTSM on the whole listener: low-TTL SYNs are dropped', { skip: unavailable }, async (t) => {
  for (const [address, peer] of [
    ['::', '127.0.0.1'],
    ['::1', '::1'],
  ] as const) {
    const h = await echoListener(t, address, 2); // minimum TTL 254
    await expectDropped(t, h, { peerAddress: peer }, `${peer} sending TTL 64`);
    await expectDropped(t, h, { peerAddress: peer, ttl: 253 }, `${peer} sending TTL 253`);
    await expectWorks(t, h, { peerAddress: peer, ttl: 254 }, `${peer} sending TTL 254`);
    await expectWorks(t, h, { peerAddress: peer, ttlSecurityHops: 1 }, `${peer} with GTSM (TTL 255, needs a TTL 255 SYN-ACK)`);
    t.same(h.rejected, [], 'the dropped ones never got as far as accept');
    t.equal(h.accepted.length, 2);
  }
});

t.test('GTSM per peer on a shared listener', { skip: unavailable }, async (t) => {
  const h = await echoListener(t, '::');
  h.listener.setPeerTtlSecurity('127.0.0.2', 1); // minimum TTL 255 for 127.0.0.2 only
  await expectWorks(t, h, { peerAddress: '127.0.0.1', localAddress: '127.0.0.1' }, 'a peer without GTSM');
  await expectWorks(t, h, { peerAddress: '127.0.0.1', localAddress: '127.0.0.2', ttlSecurityHops: 1 }, 'the GTSM peer with TTL 255');

  // the GTSM peer sending a lower TTL: handshake, then a reset; never handed over
  const before = h.accepted.length;
  const client = new Recorder();
  h.transport.connect({ peerAddress: '127.0.0.1', peerPort: h.listener.port, localAddress: '127.0.0.2', ttl: 7 }, client);
  await client.until(() => client.closes === 1, 'rejected client closes');
  t.equal(h.accepted.length, before, 'not handed over');
  t.equal(h.rejected.length, 1, 'reported');
  t.equal(h.rejected[0]?.remoteAddress, '127.0.0.2');
  t.match(h.rejected[0]?.reason ?? '', /TTL 7\b/, 'the reason shows the TTL the client sent (so ttl was applied)');
  t.match(h.rejected[0]?.reason ?? '', /minimum 255/);

  h.listener.setPeerTtlSecurity('127.0.0.2', undefined);
  await expectWorks(t, h, { peerAddress: '127.0.0.1', localAddress: '127.0.0.2', ttl: 7 }, 'after removing GTSM for that peer');
  t.throws(() => h.listener.setPeerTtlSecurity('127.0.0.2', 0), { code: 'ERR_BGP_VALUE_OUT_OF_RANGE' });
  t.throws(() => h.listener.setPeerTtlSecurity('nope', 1), { code: 'ERR_BGP_BAD_ADDRESS' });
});

t.test('GTSM per peer over IPv6', { skip: unavailable }, async (t) => {
  const h = await echoListener(t, '::1');
  h.listener.setPeerTtlSecurity('::1', 3); // minimum 253
  await expectWorks(t, h, { peerAddress: '::1', ttl: 253 }, 'hop limit 253');
  const client = new Recorder();
  h.transport.connect({ peerAddress: '::1', peerPort: h.listener.port, ttl: 252 }, client);
  await client.until(() => client.closes === 1, 'rejected');
  t.match(h.rejected[0]?.reason ?? '', /TTL 252\b/);
});

t.test('an outbound GTSM session drops a peer that does not send TTL 255', { skip: unavailable }, async (t) => {
  const h = await echoListener(t, '127.0.0.1'); // plain listener: SYN-ACK with TTL 64
  await expectDropped(t, h, { peerAddress: '127.0.0.1', ttlSecurityHops: 1 }, 'SYN-ACK with TTL 64');
  await expectDropped(t, h, { peerAddress: '127.0.0.1', ttlSecurityHops: 190 }, 'TTL 64 is below 256 - 190 = 66');
  await expectWorks(t, h, { peerAddress: '127.0.0.1', ttlSecurityHops: 192 }, 'TTL 64 is enough for 192 hops (min 64)');
});

t.test('TCP-MD5 and GTSM together', { skip: unavailable }, async (t) => {
  const h = await echoListener(t, '::1', 1);
  h.listener.setPeerPassword('::1', SECRET);
  await expectWorks(t, h, { peerAddress: '::1', md5Password: SECRET, ttlSecurityHops: 1, ttl: 255 }, 'both');
  await expectDropped(t, h, { peerAddress: '::1', md5Password: SECRET }, 'key but TTL 64');
  await expectDropped(t, h, { peerAddress: '::1', ttlSecurityHops: 1 }, 'TTL 255 but no key');
});
