/**
 * `tsbgp session`: flag errors (one line naming the flag, exit 2), and two CLI sessions talking
 * over loopback in-process: events as JSON lines, stdin commands (announce, withdraw, dump,
 * routeRefresh, shutdown, bad commands), the signal path (Cease with the message, exit 0).
 */
import t from 'tap';
import { PassThrough, Readable } from 'node:stream';
import { main } from '../src/cli/main.js';
import { parseSessionFlags } from '../src/cli/session-flags.js';

const BASE = ['--local-as', '65001', '--peer', '127.0.0.1', '--peer-as', '65000', '--router-id', '192.0.2.2'];

async function runFlags(argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await main(['session', ...argv], { stdin: Readable.from(['']), stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } });
  return { code, err };
}

t.test('bad flags: exit 2 and one line naming the flag', async (t) => {
  const cases: [string[], string][] = [
    [['--peer', '127.0.0.1', '--peer-as', '65000'], '--local-as'],
    [[...BASE, '--hold-time', '2'], '--hold-time'],
    [[...BASE, '--hold-time', 'x'], '--hold-time'],
    [[...BASE, '--mrai', '601'], '--mrai'],
    [[...BASE, '--add-path', 'sideways'], '--add-path'],
    [[...BASE, '--announce', '203.0.113.300/32'], '--announce'],
    [[...BASE, '--announce', '203.0.113.1/24'], '--announce'],
    [[...BASE, '--community', '70000:1'], '--community'],
    [[...BASE, '--large-community', '1:2'], '--large-community'],
    [[...BASE, '--bogus'], '--bogus'],
    [[...BASE, '--events', 'xml'], '--events'],
    [[...BASE, '--ttl', '64', '--ttl-security'], '--ttl'],
    [['--local-as', '65001', '--peer', 'nowhere', '--peer-as', '1', '--router-id', '1.1.1.1'], '--peer'],
    [['--local-as', '65001', '--peer', '::1', '--peer-as', '1'], '--router-id'],
    [[...BASE, '--local-as', '65002'], '--local-as'],
    [[...BASE, '--password', 'x'.repeat(81)], '--password'],
    [[...BASE, '--passive=yes'], '--passive'],
    [[...BASE, '--bfd'], '--bfd'],
    [[...BASE, '--bfd-rx', '300'], '--bfd-rx'],
    [[...BASE, '--local-address', '127.0.0.1', '--bfd-rx', '5'], '--bfd-rx'],
    [[...BASE, '--local-address', '127.0.0.1', '--bfd-multiplier', '1'], '--bfd-multiplier'],
    [[...BASE, '--local-address', '127.0.0.1', '--bfd', '--bfd-port', '0'], '--bfd-port'],
  ];
  for (const [argv, flag] of cases) {
    const r = await runFlags(argv);
    t.equal(r.code, 2, `${argv.join(' ')}: exit 2`);
    t.equal(r.err.trim().split('\n').length, 1, `${flag}: one line`);
    t.match(r.err, `tsbgp session: ${flag}`, `${flag}: named`);
  }
});

t.test('flags map onto the peer configuration', async (t) => {
  const f = parseSessionFlags([...BASE, '--passive', '--port', '1179', '--hold-time', '9', '--keepalive', '3', '--mrai', '5', '--graceful-restart', '60', '--add-path', 'both', '--family', 'ipv4', '--announce', '203.0.113.5/32', '--next-hop', '192.0.2.9', '--community', '65000:100', '--med', '5', '--prepend', '2', '--local-pref', '200', '--events', 'json']);
  t.equal(f.asn, 65001);
  t.equal(f.peer.passive, true);
  t.equal(f.peer.peerPort, 1179);
  t.same(f.listen, { address: '::', port: 1179 });
  t.equal(f.peer.holdTimeSec, 9);
  t.equal(f.peer.minRouteAdvertisementIntervalSec, 5);
  t.same(f.peer.gracefulRestart, { restartTimeSec: 60, forwardingState: true });
  t.same(f.peer.addPath, { 'ipv4-unicast': 'both' });
  t.same(f.peer.families, ['ipv4-unicast']);
  t.equal(f.announce.length, 1);
  t.equal(f.announce[0]!.nextHop, '192.0.2.9');
  t.same(f.announce[0]!.asPathPrepend, { count: 2 });
  t.equal(f.announce[0]!.localPref, 200);
  t.equal(f.events, 'json');
  t.equal(parseSessionFlags([...BASE, '--listen-port', '0']).listen, false);
});

interface Proc {
  stdin: PassThrough;
  events: Record<string, any>[];
  done: Promise<number>;
  signal(): void;
  waitFor(pred: (e: Record<string, any>) => boolean, what: string): Promise<Record<string, any>>;
}

function spawnSession(argv: string[]): Proc {
  const stdin = new PassThrough();
  const events: Record<string, any>[] = [];
  let buf = '';
  let sig: ((s: string) => void) | undefined;
  const waiters: { pred: (e: Record<string, any>) => boolean; resolve: (e: Record<string, any>) => void }[] = [];
  const done = main(['session', ...argv, '--events', 'json'], {
    stdin,
    stdout: {
      write: (s: string) => {
        buf += s;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const e = JSON.parse(buf.slice(0, i)) as Record<string, any>;
          buf = buf.slice(i + 1);
          events.push(e);
          for (const w of [...waiters]) if (w.pred(e)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(e);
          }
        }
        return true;
      },
    },
    stderr: { write: () => true },
    onSignal: (h) => {
      sig = h;
      return () => (sig = undefined);
    },
  });
  return {
    stdin,
    events,
    done,
    signal: () => sig?.('SIGTERM'),
    waitFor: (pred, what) => {
      const found = events.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 15_000);
        waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
  };
}

t.test('two CLI sessions over loopback', async (t) => {
  const port = String(21000 + (process.pid % 20000));
  const router = spawnSession(['--local-address', '127.0.0.1', '--router-id', '192.0.2.1', '--local-as', '65000', '--peer', '127.0.0.2', '--peer-as', '65001', '--passive', '--port', port, '--hold-time', '9']);
  await router.waitFor((e) => e.event === 'started', 'router started');
  const node = spawnSession([
    '--local-address', '127.0.0.2', '--router-id', '192.0.2.2', '--local-as', '65001', '--peer', '127.0.0.1', '--peer-as', '65000',
    '--port', port, '--listen-port', '0', '--hold-time', '9',
    '--announce', '203.0.113.5/32', '--next-hop', '192.0.2.2', '--community', '65000:100', '--large-community', '65001:1:1', '--med', '7',
  ]);
  const est = await node.waitFor((e) => e.event === 'established', 'node established');
  t.equal(est.negotiated.holdTimeSec, 9);
  t.same(est.negotiated.families, ['ipv4-unicast', 'ipv6-unicast']);
  const upd = await router.waitFor((e) => e.event === 'update' && e.update.nlri.length > 0, 'router update');
  t.same(upd.update.nlri, ['203.0.113.5/32']);
  const types = upd.update.attributes.map((a: any) => a.type);
  t.same(types, ['ORIGIN', 'AS_PATH', 'NEXT_HOP', 'MULTI_EXIT_DISC', 'COMMUNITIES', 'LARGE_COMMUNITY']);
  await router.waitFor((e) => e.event === 'endOfRib' && e.afi === 'ipv6', 'router endOfRib ipv6');

  // IPv6 announce and a withdraw through stdin
  node.stdin.write(`${JSON.stringify({ announce: { prefixes: ['2001:db8:5::/64'], nextHop: '2001:db8::2', largeCommunities: ['65001:2:2'] } })}\n`);
  const v6 = await router.waitFor((e) => e.event === 'update' && JSON.stringify(e.update).includes('2001:db8:5::/64'), 'router ipv6 update');
  t.match(JSON.stringify(v6.update), /"nextHop":\["2001:db8::2"\]/);
  node.stdin.write(`${JSON.stringify({ withdraw: { prefixes: ['203.0.113.5/32'] } })}\n`);
  const wd = await router.waitFor((e) => e.event === 'update' && e.update.withdrawn.length > 0, 'router withdraw');
  t.same(wd.update.withdrawn, ['203.0.113.5/32']);

  // bad commands are reported and the session keeps running
  node.stdin.write('not json\n{"announce": {"prefixes": ["bad"]}}\n{"frobnicate": {}}\n');
  await node.waitFor((e) => e.event === 'error' && e.code === 'ERR_CLI_BAD_COMMAND' && /frobnicate/.test(e.message), 'unknown command error');
  t.ok(node.events.some((e) => e.event === 'error' && e.code === 'ERR_BGP_BAD_PREFIX'), 'bad prefix reported with its code');

  // route refresh from the router: the node answers (BoRR/EoRR: enhanced route refresh is on)
  router.stdin.write(`${JSON.stringify({ routeRefresh: { afi: 'ipv6' } })}\n`);
  const rr = await node.waitFor((e) => e.event === 'routeRefresh', 'node routeRefresh');
  t.equal(rr.afi, 'ipv6');
  await router.waitFor((e) => e.event === 'routeRefresh' && e.subtype === 'EoRR', 'router sees EoRR');

  router.stdin.write(`${JSON.stringify({ dump: 'adj-rib-in' })}\n`);
  const dump = await router.waitFor((e) => e.event === 'adjRibIn', 'dump');
  t.same(dump.routes.map((r: any) => r.prefix), ['2001:db8:5::/64']);
  t.same(dump.routes[0].nextHop, ['2001:db8::2']);
  router.stdin.write(`${JSON.stringify({ dump: 'snapshot' })}\n`);
  const snap = await router.waitFor((e) => e.event === 'snapshot', 'snapshot');
  t.equal(snap.peers[0].state, 'Established');

  // SIGTERM on the node: Cease / Administrative Shutdown with the message, exit 0
  node.signal();
  t.equal(await node.done, 0, 'node exits 0');
  const n = await router.waitFor((e) => e.event === 'notificationReceived', 'router notification');
  t.equal(n.notification.code, 6);
  t.equal(n.notification.subcode, 2);
  t.equal(n.notification.shutdownCommunication, 'tsbgp session stopped (SIGTERM)');
  router.stdin.write(`${JSON.stringify({ shutdown: { message: 'test over' } })}\n`);
  t.equal(await router.done, 0, 'router exits 0 on the shutdown command');
});

t.test('two CLI sessions with --bfd: BGP waits for BFD Up; a stop is AdminDown, not a BFD failure', async (t) => {
  const port = String(22000 + (process.pid % 20000));
  const bfdPort = String(41000 + (process.pid % 8000));
  const common = ['--port', port, '--hold-time', '90', '--bfd', '--bfd-rx', '100', '--bfd-tx', '100', '--bfd-port', bfdPort];
  const router = spawnSession(['--local-address', '127.0.0.1', '--router-id', '192.0.2.1', '--local-as', '65000', '--peer', '127.0.0.3', '--peer-as', '65001', '--passive', ...common]);
  const started = await router.waitFor((e) => e.event === 'started', 'router started');
  t.ok(started.bfd.localDiscriminator > 0, 'started names the BFD discriminator');
  t.ok(started.bfd.sourcePort >= 49152, 'and its source port');
  const node = spawnSession(['--local-address', '127.0.0.3', '--router-id', '192.0.2.3', '--local-as', '65001', '--peer', '127.0.0.1', '--peer-as', '65000', '--listen-port', '0', '--bfd-wait', ...common]);
  await node.waitFor((e) => e.event === 'established', 'node established');
  const up = node.events.findIndex((e) => e.event === 'bfdStateChange' && e.to === 'Up');
  const connect = node.events.findIndex((e) => e.event === 'stateChange' && e.to === 'Connect');
  t.ok(up >= 0, 'node BFD Up');
  t.ok(connect > up, '--bfd-wait: BGP left Idle only after BFD was Up');
  await router.waitFor((e) => e.event === 'bfdStateChange' && e.to === 'Up', 'router BFD Up');
  node.stdin.write(`${JSON.stringify({ dump: 'snapshot' })}\n`);
  const snap = await node.waitFor((e) => e.event === 'snapshot', 'snapshot');
  t.equal(snap.bfd.sessions[0].state, 'Up');
  t.match(snap.bfdCoupling, { waitForBfdUp: true, teardowns: 0 });

  node.signal();
  t.equal(await node.done, 0, 'node exits 0');
  const n = await router.waitFor((e) => e.event === 'notificationReceived', 'router notification');
  t.equal(n.notification.subcode, 2, 'the BGP stop is an Administrative Shutdown');
  const down = await router.waitFor((e) => e.event === 'bfdStateChange' && e.from === 'Up', 'router BFD down');
  t.equal(down.remoteState, 'AdminDown', 'the peer was told AdminDown');
  t.notOk(router.events.some((e) => e.event === 'bfdTeardown'), 'no BFD teardown for an administrative stop');
  router.signal();
  t.equal(await router.done, 0);
});
