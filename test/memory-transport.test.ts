/**
 * The in-memory network used by the session scenarios: connect / refuse, ordered delivery through
 * the explicit task queue, the high-water mark and drain, frozen receivers, pause / resume,
 * end / destroy / reset, listeners.
 */
import t from 'tap';
import type { BgpConnection, ConnectionHandlers } from '../src/bgp/transport/connection.js';
import { MemoryConnection, MemoryNetwork } from '../src/testing/memory-transport.js';

interface Side {
  data: number[];
  drains: number;
  closes: (Error | undefined)[];
  connected: boolean;
}
const side = (): Side => ({ data: [], drains: 0, closes: [], connected: false });
const handlers = (s: Side): ConnectionHandlers => ({
  onConnect: () => {
    s.connected = true;
  },
  onData: (c) => s.data.push(...c),
  onDrain: () => s.drains++,
  onClose: (e) => s.closes.push(e),
});

async function pair(net = new MemoryNetwork()): Promise<{ net: MemoryNetwork; client: MemoryConnection; server: MemoryConnection; c: Side; s: Side }> {
  const c = side();
  const s = side();
  let server: MemoryConnection | undefined;
  await net.listen({ address: '10.0.0.2', port: 179 }, (conn: BgpConnection) => {
    server = conn as MemoryConnection;
    conn.setHandlers(handlers(s));
  });
  const client = net.connector('10.0.0.1').connect({ peerAddress: '10.0.0.2' }, handlers(c)) as MemoryConnection;
  net.run();
  return { net, client, server: server!, c, s };
}

t.test('connect: addresses, ports, both directions in order', async (t) => {
  const { net, client, server, c, s } = await pair();
  t.ok(c.connected, 'onConnect');
  t.equal(client.direction, 'outbound');
  t.equal(server.direction, 'inbound');
  t.same([client.localAddress, client.remoteAddress, client.remotePort], ['10.0.0.1', '10.0.0.2', 179]);
  t.same([server.localAddress, server.localPort, server.remoteAddress, server.remotePort], ['10.0.0.2', 179, '10.0.0.1', client.localPort]);
  client.write(Uint8Array.of(1, 2));
  client.write(Uint8Array.of(3));
  server.write(Uint8Array.of(9));
  t.same(s.data, [], 'nothing moves until the network runs');
  t.ok(net.run() > 0);
  t.same(s.data, [1, 2, 3]);
  t.same(c.data, [9]);
  t.equal(client.written.length, 2, 'writes are recorded');
  const buf = Uint8Array.of(7);
  client.write(buf);
  buf[0] = 8;
  net.run();
  t.equal(s.data[3], 7, 'write copies the bytes');
});

t.test('connect to an address nobody listens on: ECONNREFUSED', async (t) => {
  const net = new MemoryNetwork();
  const c = side();
  const conn = net.connector('10.0.0.1').connect({ peerAddress: '10.0.0.9', peerPort: 1179 }, handlers(c));
  net.run();
  t.notOk(c.connected);
  t.equal(c.closes.length, 1);
  t.match(c.closes[0]?.message, /ECONNREFUSED 10\.0\.0\.9:1179/);
  t.equal((conn as MemoryConnection).closed, true);
  t.equal(conn.write(Uint8Array.of(1)), false, 'writes to a closed connection fail');
});

t.test('high-water mark: write returns false above it; onDrain once below half', async (t) => {
  const { net, client, c, s } = await pair(new MemoryNetwork({ highWaterMark: 100 }));
  t.equal(client.write(new Uint8Array(60)), true);
  t.equal(client.bufferedBytes, 60);
  t.equal(client.write(new Uint8Array(60)), false, '120 > 100');
  t.equal(client.write(new Uint8Array(1)), false, 'stays blocked');
  net.run();
  t.equal(client.bufferedBytes, 0);
  t.equal(c.drains, 1, 'one onDrain');
  t.equal(s.data.length, 121);
  t.equal(client.write(new Uint8Array(10)), true);
});

t.test('a frozen receiver stalls delivery until thaw(); the sender stays blocked', async (t) => {
  const { net, client, server, c, s } = await pair(new MemoryNetwork({ highWaterMark: 50 }));
  server.frozen = true;
  client.write(new Uint8Array(40));
  t.equal(client.write(new Uint8Array(40)), false);
  net.run();
  t.equal(s.data.length, 0, 'nothing read');
  t.equal(client.bufferedBytes, 80);
  t.equal(net.stalled.length, 2);
  t.equal(c.drains, 0);
  server.write(Uint8Array.of(5));
  net.run();
  t.same(c.data, [5], 'the other direction still flows');
  net.thaw();
  net.run();
  t.equal(s.data.length, 80);
  t.equal(c.drains, 1);
  t.equal(server.frozen, false);
});

t.test('pause / resume hold data back without losing it', async (t) => {
  const { net, client, server, s } = await pair();
  server.pause();
  client.write(Uint8Array.of(1));
  net.run();
  t.same(s.data, []);
  server.resume();
  net.run();
  t.same(s.data, [1]);
});

t.test('end() delivers what was written, then closes both ends once', async (t) => {
  const { net, client, server, c, s } = await pair();
  client.write(Uint8Array.of(1, 2, 3));
  client.end();
  client.end();
  net.run();
  t.same(s.data, [1, 2, 3], 'data before FIN');
  t.same(c.closes, [undefined]);
  t.same(s.closes, [undefined]);
  t.ok(client.closed && server.closed);
  t.equal(server.write(Uint8Array.of(1)), false);
});

t.test('destroy() closes at once; reset() reports an error on both ends', async (t) => {
  const a = await pair();
  a.client.write(Uint8Array.of(1));
  a.client.destroy();
  a.net.run();
  t.same(a.s.data, [], 'pending data is dropped');
  t.same([a.c.closes.length, a.s.closes.length], [1, 1]);
  const b = await pair();
  b.server.reset();
  b.net.run();
  t.match(b.c.closes, [{ message: 'ECONNRESET' }]);
  t.match(b.s.closes, [{ message: 'ECONNRESET' }]);
  b.client.reset('again');
  b.net.run();
  t.equal(b.c.closes.length, 1, 'closed once');
});

t.test('listeners: EADDRINUSE, wildcard address, close, port 0', async (t) => {
  const net = new MemoryNetwork();
  const l = await net.listen({ address: '10.0.0.2', port: 179 }, () => {});
  await t.rejects(net.listen({ address: '10.0.0.2', port: 179 }, () => {}), /EADDRINUSE/);
  t.equal(l.port, 179);
  l.setPeerPassword('10.0.0.1', 'x');
  l.setPeerTtlSecurity('10.0.0.1', 1);
  await l.close();
  await t.resolves(net.listen({ address: '10.0.0.2', port: 179 }, () => {}), 'free again after close');
  let got = 0;
  const any = await net.listen({ port: 1790 }, (conn) => {
    got++;
    conn.setHandlers(handlers(side()));
  });
  t.equal(any.address, '::');
  net.connector('10.0.0.1').connect({ peerAddress: '10.9.9.9', peerPort: 1790 }, handlers(side()));
  net.run();
  t.equal(got, 1, "'::' accepts for any address");
  const eph = await net.listen({ port: 0 }, () => {});
  t.ok(eph.port >= 40000, 'port 0 picks one');
});

t.test('run() is bounded', async (t) => {
  const net = new MemoryNetwork();
  const loop = (): void => net.schedule(loop);
  net.schedule(loop);
  t.throws(() => net.run(100), /more than 100 tasks/);
});
