/**
 * Connection collisions (RFC 4271 s6.8) between two BgpSessions on the in-memory network: both
 * sides active, each listener routing inbound connections to acceptConnection. The connection
 * opened by the speaker with the higher BGP Identifier survives; the other one is closed with
 * Cease / Connection Collision Resolution (6/7, RFC 4486). Also: a connection arriving while
 * Established is refused with 6/7.
 */
import t from 'tap';
import { decodeMessage } from '../src/bgp/codec/message.js';
import type { MemoryConnection } from '../src/testing/memory-transport.js';
import { RawPeer } from './helpers/raw-peer.js';
import { A_ADDR, B_ADDR, type LoggedEvent, connectionOf, sessionPair } from './helpers/session-pair.js';

const ceases = (c: MemoryConnection): string[] =>
  c.written
    .map((b) => decodeMessage(b))
    .filter((m) => m.type === 'NOTIFICATION')
    .map((m) => (m.type === 'NOTIFICATION' ? `${m.code}/${m.subcode}` : ''));
const count = (log: readonly LoggedEvent[], name: string): number => log.filter((e) => e.name === name).length;

for (const c of [
  { name: 'a has the higher BGP Identifier: a\'s connection survives', bId: '198.18.0.1', winner: 'a' as const },
  { name: 'b has the higher BGP Identifier: b\'s connection survives', bId: '198.18.0.200', winner: 'b' as const },
]) {
  t.test(`collision, ${c.name}`, async (t) => {
    const p = await sessionPair({ b: { passive: false, routerId: c.bId }, noStart: true });
    await p.a.start();
    await p.b.start();
    p.advance(2000);
    t.equal(p.a.state, 'Established');
    t.equal(p.b.state, 'Established');
    t.equal(p.net.connections.filter((x) => x.direction === 'outbound').length, 2, 'both sides connected: a real collision');
    const aDir = p.a.snapshot().connection?.direction;
    const bDir = p.b.snapshot().connection?.direction;
    t.equal(aDir, c.winner === 'a' ? 'outbound' : 'inbound', `a runs on the connection ${c.winner} opened`);
    t.equal(bDir, c.winner === 'b' ? 'outbound' : 'inbound', `b runs on the connection ${c.winner} opened`);
    const winnerAddr = c.winner === 'a' ? A_ADDR : B_ADDR;
    const survivor = p.net.connections.filter((x) => !x.closed);
    t.equal(survivor.length, 2, 'one connection (two ends) left');
    t.ok(
      survivor.every((x) => (x.direction === 'outbound' ? x.localAddress : x.remoteAddress) === winnerAddr),
      'opened by the higher BGP Identifier',
    );
    const loser = p.net.connections.filter((x) => x.closed);
    t.equal(loser.length, 2, 'the other connection (both ends) closed');
    const sent = loser.flatMap((x) => ceases(x));
    t.ok(sent.length >= 1 && sent.every((x) => x === '6/7'), `the losing connection carried Cease / Connection Collision Resolution (${sent.join(', ')})`);
    t.same(ceases(survivor[0]!).concat(ceases(survivor[1]!)), [], 'no NOTIFICATION on the survivor');
    t.ok(p.logA.concat(p.logB).some((e) => e.name === 'notificationSent' && e.payload.notification.code === 6 && e.payload.notification.subcode === 7), 'notificationSent 6/7 reported');
    t.equal(count(p.logA, 'established'), 1, 'a established once');
    t.equal(count(p.logB, 'established'), 1, 'b established once');
    t.notOk(
      p.logA.concat(p.logB).some((e) => e.name === 'stateChange' && e.payload.to === 'Idle'),
      'the session itself never dropped',
    );
    t.equal(p.a.snapshot().connectRetryCounter, 0);
    // the survivor carries routes both ways and stays up
    p.a.announce({ prefix: '203.0.113.0/24' });
    p.b.announce({ prefix: '198.51.100.0/24' });
    p.advance(5 * 60_000, 1000);
    t.equal(p.a.state, 'Established');
    t.equal(p.b.state, 'Established');
    t.equal(p.b.adjRibIn.size, 1);
    t.equal(p.a.adjRibIn.size, 1);
    t.equal(connectionOf(p.net, p.a)?.direction, c.winner === 'a' ? 'outbound' : 'inbound');
  });
}

t.test('a connection arriving while Established is closed with 6/7; the session stays', async (t) => {
  const p = await sessionPair();
  p.advance(1000);
  t.equal(p.b.state, 'Established');
  const raw = new RawPeer(p.net, A_ADDR, B_ADDR);
  p.run();
  t.ok(raw.connected);
  t.same(
    raw.notifications.map((n) => `${n.code}/${n.subcode}`),
    ['6/7'],
    'Cease / Connection Collision Resolution',
  );
  t.equal(raw.opens.length, 0, 'no OPEN on the refused connection');
  t.ok(raw.closed, 'closed');
  t.equal(p.b.state, 'Established');
  t.match(p.logB.filter((e) => e.name === 'notificationSent'), [{ payload: { notification: { code: 6, subcode: 7 } } }]);
  p.advance(60_000);
  t.equal(p.b.state, 'Established');
  t.equal(p.a.state, 'Established');
});

t.test('a session refuses inbound connections while Idle and when activeOnly', async (t) => {
  const p = await sessionPair({ noStart: true, b: { passive: false, activeOnly: true } });
  const raw1 = new RawPeer(p.net, A_ADDR, B_ADDR);
  p.run();
  t.ok(raw1.closed, 'Idle: refused');
  t.equal(raw1.received.length, 0);
  await p.b.start();
  p.run();
  const raw2 = new RawPeer(p.net, A_ADDR, B_ADDR);
  p.run();
  t.ok(raw2.closed, 'activeOnly: refused');
  t.equal(raw2.received.length, 0);
});
