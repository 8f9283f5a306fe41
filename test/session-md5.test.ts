/**
 * TCP-MD5 and GTSM at the session level over loopback: two speakers with matching passwords
 * establish through the native addon; without the addon every entry point (BgpSession.start,
 * BgpSpeaker.start, the CLI) fails with the typed error and never leaks the secret.
 */
import t from 'tap';
import { Readable } from 'node:stream';
import { BgpSpeaker } from '../src/bgp/session/bgp-speaker.js';
import { BgpSession } from '../src/bgp/session/bgp-session.js';
import { BgpError } from '../src/bgp/errors.js';
import { nativeSocketOptions, setNativeSocketOptionsForTesting } from '../src/bgp/transport/socket-options.js';
import { main } from '../src/cli/main.js';

const SECRET = 'sw0rdfish-md5';

function established(s: BgpSession, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not established within ${ms} ms (state ${s.state}, ${s.snapshot().lastError})`)), ms);
    s.once('established', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

t.test('a TCP-MD5 session between two speakers on loopback', { skip: nativeSocketOptions() === undefined ? 'native addon not built' : false }, async (t) => {
  const port = 22000 + (process.pid % 20000);
  const router = new BgpSpeaker({ asn: 65000, routerId: '192.0.2.1', listen: { address: '127.0.0.1', port } });
  const r = router.addPeer({ peerAddress: '127.0.0.2', peerAsn: 65001, passive: true, password: SECRET, holdTimeSec: 9 });
  const node = new BgpSpeaker({ asn: 65001, routerId: '192.0.2.2', listen: false });
  const n = node.addPeer({ peerAddress: '127.0.0.1', peerPort: port, localAddress: '127.0.0.2', peerAsn: 65000, password: SECRET, holdTimeSec: 9 });
  const both = Promise.all([established(r, 10_000), established(n, 10_000)]);
  await router.start();
  await node.start();
  await both;
  t.equal(n.state, 'Established');
  t.notMatch(JSON.stringify(node.snapshot()), SECRET, 'snapshot has no secret');
  await node.stop({ message: 'done' });
  await router.stop();
});

t.test('a wrong password never gets past TCP', { skip: nativeSocketOptions() === undefined ? 'native addon not built' : false }, async (t) => {
  const port = 23000 + (process.pid % 20000);
  const router = new BgpSpeaker({ asn: 65000, routerId: '192.0.2.1', listen: { address: '127.0.0.1', port } });
  const r = router.addPeer({ peerAddress: '127.0.0.2', peerAsn: 65001, passive: true, password: SECRET });
  const node = new BgpSpeaker({ asn: 65001, routerId: '192.0.2.2', listen: false });
  const n = node.addPeer({ peerAddress: '127.0.0.1', peerPort: port, localAddress: '127.0.0.2', peerAsn: 65000, password: 'not-the-secret', connectRetryTimeSec: 2 });
  await router.start();
  await node.start();
  // The router's kernel drops the SYNs: the node keeps retrying (ConnectRetryTimer, 1.5-2 s with
  // jitter) and never gets a TCP connection; the router's session never leaves Active.
  const states: string[] = [];
  n.on('stateChange', (e) => states.push(e.to));
  await new Promise((resolve) => setTimeout(resolve, 4500));
  t.notOk(states.includes('OpenSent'), 'the node never got a connection');
  t.ok(n.state === 'Connect' || n.state === 'Active', `node state ${n.state}`);
  t.equal(r.state, 'Active', 'the router never saw a connection');
  await node.stop();
  await router.stop();
});

t.test('without the addon: typed errors at start, secret never shown', async (t) => {
  setNativeSocketOptionsForTesting(null);
  t.teardown(() => setNativeSocketOptionsForTesting(undefined));

  const s = new BgpSession({ localAsn: 65001, peerAsn: 65000, routerId: '192.0.2.2', peerAddress: '127.0.0.1', password: SECRET });
  const e1 = await s.start().then(() => undefined, (e: unknown) => e);
  t.ok(e1 instanceof BgpError);
  t.equal((e1 as BgpError).code, 'ERR_BGP_TCP_MD5_UNSUPPORTED');
  t.notMatch((e1 as BgpError).message, SECRET);
  t.equal(s.state, 'Idle');

  const g = new BgpSession({ localAsn: 65001, peerAsn: 65000, routerId: '192.0.2.2', peerAddress: '127.0.0.1', passive: true, ttlSecurityHops: 1 });
  const e2 = await g.start().then(() => undefined, (e: unknown) => e);
  t.equal((e2 as BgpError).code, 'ERR_BGP_TTL_SECURITY_UNSUPPORTED');

  const sp = new BgpSpeaker({ asn: 65000, routerId: '192.0.2.1', listen: { address: '127.0.0.1', port: 0 } });
  sp.addPeer({ peerAddress: '127.0.0.2', peerAsn: 65001, passive: true, password: SECRET });
  const e3 = await sp.start().then(() => undefined, (e: unknown) => e);
  t.equal((e3 as BgpError).code, 'ERR_BGP_TCP_MD5_UNSUPPORTED');
  t.notMatch(String((e3 as BgpError).message), SECRET);
  await sp.stop();

  let out = '';
  let err = '';
  const code = await main(['session', '--local-as', '65001', '--peer', '127.0.0.1', '--peer-as', '65000', '--router-id', '192.0.2.2', '--listen-port', '0', '--password', SECRET, '--events', 'json'], {
    stdin: Readable.from(['']),
    stdout: { write: (x: string) => (out += x) },
    stderr: { write: (x: string) => (err += x) },
  });
  t.equal(code, 1);
  t.match(err, 'ERR_BGP_TCP_MD5_UNSUPPORTED');
  t.notMatch(out + err, SECRET);
});
