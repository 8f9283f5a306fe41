/**
 * Embedding a BGP session: a "node" speaker announces a service IP to a "router" speaker on
 * loopback (no root, no external daemon), the router prints what it learned, then the node shuts
 * down with an RFC 9003 message. Run: npm run build && node --import tsx examples/embed-session.ts
 */
import { BgpSpeaker, decodeShutdownCommunication, type UpdateEvent } from 'tsbgp';

const PORT = Number(process.env.EXAMPLE_PORT ?? 10179);

// The router: AS 65000 on 127.0.0.1, waits for the node (passive).
const router = new BgpSpeaker({ asn: 65000, routerId: '192.0.2.1', listen: { address: '127.0.0.1', port: PORT } });
router.addPeer({ peerAddress: '127.0.0.2', peerAsn: 65001, passive: true, holdTimeSec: 9 });

// The node: AS 65001 on 127.0.0.2, connects to the router and announces 203.0.113.5/32.
const node = new BgpSpeaker({ asn: 65001, routerId: '192.0.2.2', listen: false });
const toRouter = node.addPeer({ peerAddress: '127.0.0.1', peerPort: PORT, localAddress: '127.0.0.2', peerAsn: 65000, holdTimeSec: 9 });
// Next-hop self would be 127.0.0.2, which a router rejects as a next hop (RFC 7606 treat-as-withdraw),
// so this loopback example names a routable next hop explicitly.
toRouter.announce({ prefix: '203.0.113.5/32', nextHop: '192.0.2.2', communities: ['65000:100'], largeCommunities: ['65001:1:1'] });

for (const [name, speaker] of [['node', node], ['router', router]] as const) {
  speaker.on('stateChange', (e) => console.log(`${name}: ${e.peer} ${e.from} -> ${e.to} (${e.reason})`));
}
toRouter.on('established', (e) => console.log(`node: established, hold time ${e.negotiated.holdTimeSec} s, families ${e.negotiated.families.map((f) => f.name).join(', ')}`));
router.on('notificationReceived', (e) => {
  const c = decodeShutdownCommunication(e.notification.data);
  console.log(`router: NOTIFICATION ${e.notification.code}/${e.notification.subcode} from ${e.peer}: ${'message' in c ? JSON.stringify(c.message) : c.error}`);
});

const learned = new Promise<UpdateEvent>((resolve) => router.on('update', resolve));
await Promise.all([router.start(), node.start()]);

const { update, peer } = await learned;
console.log(`router: learned ${update.nlri.toStrings().join(', ')} from ${peer}`);
for (const r of router.peer('127.0.0.2')!.adjRibIn.routes()) {
  const types = r.attributes.map((a) => a.type).join(' ');
  console.log(`router: Adj-RIB-In ${r.prefix} next hop ${r.nextHop.join(',')} attributes ${types}`);
}

const ceased = new Promise<void>((resolve) => router.on('notificationReceived', () => resolve()));
await node.stop({ message: 'node drained for maintenance' });
await ceased;
await router.stop();
console.log('done');
