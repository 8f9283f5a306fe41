/**
 * BgpSpeaker on the in-memory network: inbound connections go to the configured peer's session;
 * unknown addresses are closed (connectionRejected); dynamic neighbors (a prefix and an AS range)
 * get a session created on the fly and removed when it drops; per-peer local-AS override;
 * duplicate peers refused; events re-emitted with their peer; snapshot.
 */
import t from 'tap';
import { BgpSpeaker } from '../src/bgp/session/bgp-speaker.js';
import { BgpSession } from '../src/bgp/session/bgp-session.js';
import { BgpError } from '../src/bgp/errors.js';
import { ManualClock } from '../src/testing/manual-clock.js';
import { MemoryNetwork } from '../src/testing/memory-transport.js';
import { mulberry32 } from '../src/testing/random-updates.js';

const ROUTER = '198.18.1.1';

async function setup(): Promise<{ clock: ManualClock; net: MemoryNetwork; speaker: BgpSpeaker; run(ms?: number): Promise<void> }> {
  const clock = new ManualClock(0);
  const net = new MemoryNetwork();
  const speaker = new BgpSpeaker({
    asn: 65000,
    routerId: '198.18.0.1',
    listen: { address: ROUTER, port: 179 },
    clock,
    random: mulberry32(1),
    defer: net.schedule,
    acceptor: net,
    connector: net.connector(ROUTER),
  });
  const run = async (ms = 0): Promise<void> => {
    for (let i = 0; i < 20; i++) {
      net.run();
      clock.advance(ms / 20);
      net.run();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { clock, net, speaker, run };
}

function node(clock: ManualClock, net: MemoryNetwork, addr: string, asn: number, extra: Record<string, unknown> = {}): BgpSession {
  return new BgpSession({ localAsn: asn, peerAsn: 65000, routerId: addr.replace('198.18.1.', '198.18.0.'), peerAddress: ROUTER, localAddress: addr, clock, random: mulberry32(2), defer: net.schedule, connector: net.connector(addr), ...extra });
}

t.test('a configured peer is accepted; an unknown address is closed', async (t) => {
  const { clock, net, speaker, run } = await setup();
  const rejected: string[] = [];
  speaker.on('connectionRejected', (e) => rejected.push(`${e.remoteAddress}: ${e.reason}`));
  const established: string[] = [];
  speaker.on('established', (e) => established.push(e.peer));
  const s = speaker.addPeer({ peerAddress: '198.18.1.11', peerAsn: 65001, passive: true });
  await speaker.start();
  const n1 = node(clock, net, '198.18.1.11', 65001);
  const stranger = node(clock, net, '198.18.1.99', 65099, { connectRetryTimeSec: 5 });
  await n1.start();
  await stranger.start();
  await run(1000);
  t.equal(s.state, 'Established');
  t.same(established, ['198.18.1.11'], 'event re-emitted by the speaker with its peer');
  t.equal(stranger.state, 'Active', 'the stranger never got an OPEN exchange');
  t.match(rejected, ['198.18.1.99: not a configured peer']);
  t.equal(speaker.snapshot().peers.length, 1);
  t.same(speaker.snapshot().listening, { address: ROUTER, port: 179 });
  t.throws(() => speaker.addPeer({ peerAddress: '198.18.1.11', peerAsn: 65001 }), { code: 'ERR_CONFIG_DUPLICATE_PEER' });
  t.throws(() => speaker.addPeer({ peerAddress: 'not-an-address', peerAsn: 65001 }), BgpError);
  await Promise.all([speaker.stop({ message: 'bye' }), run(100)]);
  await run(100);
  t.equal(n1.state === 'Idle' || n1.state === 'Active' || n1.state === 'Connect', true, `node dropped (${n1.state})`);
});

t.test('dynamic neighbors: a session per peer in the prefix and AS range, removed when it drops', async (t) => {
  const { clock, net, speaker, run } = await setup();
  speaker.addDynamicNeighbors({ prefix: '198.18.1.0/24', peerAsnRange: [65100, 65199], template: { holdTimeSec: 9 } });
  const added: string[] = [];
  const removed: string[] = [];
  speaker.on('peerAdded', (e) => added.push(e.peer));
  speaker.on('peerRemoved', (e) => removed.push(e.peer));
  await speaker.start();
  const n2 = node(clock, net, '198.18.1.12', 65102);
  const badAs = node(clock, net, '198.18.1.13', 65300, { connectRetryTimeSec: 30 });
  const outside = node(clock, net, '198.18.2.14', 65104, { connectRetryTimeSec: 30 });
  const notifications: string[] = [];
  badAs.on('notificationReceived', (e) => notifications.push(`${e.notification.code}/${e.notification.subcode}`));
  await Promise.all([n2.start(), badAs.start(), outside.start()]);
  await run(2000);
  t.equal(n2.state, 'Established', 'a peer in the range comes up');
  t.equal(n2.negotiated?.holdTimeSec, 9, 'with the template');
  t.equal(speaker.peer('198.18.1.12')?.state, 'Established');
  t.ok(notifications.includes('2/2'), 'an AS outside the range gets Bad Peer AS');
  t.notOk(added.includes('198.18.2.14'), 'an address outside the prefix gets no session');
  await Promise.all([n2.stop({ message: 'leaving' }), run(500)]);
  await run(500);
  t.ok(removed.includes('198.18.1.12'), 'the dynamic session is removed once it drops');
  t.equal(speaker.peer('198.18.1.12'), undefined);
  await Promise.all([speaker.stop(), badAs.stop(), outside.stop(), run(100)]);
});

t.test('local-AS override per peer', async (t) => {
  const { clock, net, speaker, run } = await setup();
  const s = speaker.addPeer({ peerAddress: '198.18.1.11', peerAsn: 65001, localAsn: 64512, passive: true });
  await speaker.start();
  const n1 = new BgpSession({ localAsn: 65001, peerAsn: 64512, routerId: '198.18.0.11', peerAddress: ROUTER, localAddress: '198.18.1.11', clock, random: mulberry32(3), defer: net.schedule, connector: net.connector('198.18.1.11') });
  await n1.start();
  await run(1000);
  t.equal(s.state, 'Established');
  t.equal(n1.negotiated?.peerAsn, 64512, 'the peer sees the overriding AS');
  t.equal(s.negotiated?.localAsn, 64512);
  await Promise.all([speaker.stop(), n1.stop(), run(100)]);
});
