/**
 * The session interop suite, shared by test/interop/session-<daemon>.test.ts: tsbgp (`tsbgp
 * session` in a node namespace) against one real daemon in rtr, checked in the daemon's own
 * JSON/CLI output and in tsbgp's events.
 *
 * Owns: the test cases and what each daemon is expected to support (`DaemonTraits`); nothing
 * about how daemons are configured or queried (lab-daemons.ts) or how tsbgp runs (lab-tsbgp.ts).
 *
 * Cases, in order (one lab and one daemon start per file; each case waits until the daemon is
 * ready for a new session first, and ends tsbgp before it returns):
 *   1. Established with tsbgp active; SIGTERM -> Cease/Administrative Shutdown, exit 0
 *   2. Established with tsbgp passive (the daemon connects to n1:179)
 *   3. eBGP routes both ways, IPv4 + IPv6 (MP-BGP over the IPv4 session): communities, large
 *      communities, MED, AS_PATH with prepend, next hops; withdrawals; clean RFC 7606 decoding
 *   4. iBGP: LOCAL_PREF both ways, empty AS_PATH
 *   5. tsbgp's shutdown communication (stdin `shutdown`) as the daemon shows it
 *   6. the daemon's shutdown communication as tsbgp reports it
 *   7. ROUTE-REFRESH: daemon -> tsbgp (soft-in refresh) and tsbgp -> daemon
 *   8. hold timer: daemon frozen (SIGSTOP), tsbgp sends Hold Timer Expired (4/0) after 3 s
 *   9. graceful restart: tsbgp SIGKILLed and restarted; stale routes kept, then cleaned up
 *  10. TCP-MD5 (where the daemon config has it: FRR)
 */
import type { Test } from 'tap';
import { Lab, daemonAvailable, labAvailable, requireOrSkip, sleep, waitFor } from './lab.js';
import {
  type Afi,
  type BirdDaemon,
  type DaemonKind,
  type ExabgpDaemon,
  type FrrDaemon,
  type TsbgpPeer,
  DAEMON,
  DAEMON_ASN,
  DAEMON_ROUTES,
  PEERS,
  createDaemon,
  learned,
  packageVersion,
  waitEstablished,
  waitLearned,
  waitNotEstablished,
  waitNotLearned,
  waitReady,
} from './lab-daemons.js';
import {
  type TsbgpEvent,
  type TsbgpRibRoute,
  type TsbgpSessionOptions,
  TsbgpProcess,
  announcedIn,
  asPathOf,
  communicationOf,
  communitiesOf,
  nextHopOf,
  notificationOf,
  numberAttr,
  tsbgpSessionAvailable,
} from './lab-tsbgp.js';

/** What the suite expects of a daemon (facts found in the lab, see scripts/lab/README.md). */
export interface DaemonTraits {
  kind: DaemonKind;
  /**
   * Answers a ROUTE-REFRESH from tsbgp by re-sending its routes: true, or why not (then tsbgp
   * sends none, or its effect is not checked).
   */
  answersRouteRefresh: true | string;
  /** Keeps a restarting peer's routes as stale (RFC 4724 helper): FRR, BIRD, GoBGP. */
  gracefulRestartHelper: boolean;
  /**
   * How the daemon handles a received shutdown communication: 'shows' (it displays the text),
   * 'exabgp-decode-error' (ExaBGP 4.2.21 fails to decode the NOTIFICATION and answers 1/0).
   */
  shutdownCommunication: 'shows' | 'exabgp-decode-error';
  /** The daemon config has the md5 peer (n4) with a password. */
  md5: boolean;
}

/** tsbgp options for a role of the peering plan (tsbgp offers the same timers as the daemon). */
function tsbgpFor(p: TsbgpPeer, extra: Partial<TsbgpSessionOptions> = {}): TsbgpSessionOptions {
  return {
    localAddress: p.address,
    localAs: p.asn,
    routerId: p.routerId,
    peer: DAEMON.v4,
    peerAs: DAEMON_ASN,
    holdTime: p.holdTime,
    keepalive: p.keepalive,
    // the RFC default (120 s) would stall a test whenever a first connection attempt is refused
    connectRetry: 1,
    ...extra,
  };
}

/** What tsbgp announces in the route tests (the eBGP peer). */
const TSBGP_V4 = {
  prefixes: ['203.0.113.5/32', '203.0.113.6/32'],
  communities: ['65001:5'],
  largeCommunities: ['65001:5:5'],
  med: 15,
  prepend: 2,
  /** eBGP: tsbgp's own AS once, plus `prepend` copies. */
  asPath: [65001, 65001, 65001],
} as const;
const TSBGP_V6 = {
  prefix: '2001:db8:200::/48',
  nextHop: PEERS.ebgp.address6,
  communities: ['65001:6'],
  largeCommunities: ['65001:6:6'],
  med: 16,
} as const;

const SHUTDOWN_TEXT = 'tsbgp interop: planned maintenance';

/** Polls tsbgp's Adj-RIB-In (stdin `dump`) until `prefix` is there; returns that route. */
async function waitTsbgpRoute(p: TsbgpProcess, prefix: string, timeoutMs = 10_000): Promise<TsbgpRibRoute> {
  return waitFor(`tsbgp Adj-RIB-In has ${prefix}`, async () => (await p.adjRibIn()).find((r) => r.prefix === prefix), { timeoutMs, intervalMs: 300 });
}

/** Fails the test for every `update` event with RFC 7606 diagnostics and every `error` event. */
function checkCleanEvents(t: Test, p: TsbgpProcess, label: string): void {
  const diag = p.eventsOf('update').filter((e) => Array.isArray(e['diagnostics']) && (e['diagnostics'] as unknown[]).length > 0);
  t.same(diag.map((e) => e['diagnostics']), [], `${label}: every UPDATE decoded without RFC 7606 diagnostics`);
  t.same(p.eventsOf('error').map((e) => `${String(e['code'])}: ${String(e['message'])}`), [], `${label}: no error events`);
}

const isNotification = (kind: 'notificationSent' | 'notificationReceived', code: number, subcode?: number) => (e: TsbgpEvent): boolean => {
  if (e.event !== kind) return false;
  const n = notificationOf(e);
  return n?.code === code && (subcode === undefined || n.subcode === subcode);
};

/**
 * Registers the whole suite for one daemon on `t` (a test file's root). Skips with a reason when
 * the lab, the daemon or the tsbgp CLI is not available (fails instead on CI, except for the CLI,
 * which is legitimately absent until the session layer lands).
 */
export async function runSessionSuite(t: Test, traits: DaemonTraits): Promise<void> {
  const { kind } = traits;
  if (!requireOrSkip(t, `tsbgp session interop with ${kind}`, labAvailable() ?? daemonAvailable(kind))) return;
  const cli = tsbgpSessionAvailable();
  if (cli !== undefined) {
    t.test(`tsbgp session interop with ${kind}`, { skip: cli }, async () => {});
    return;
  }

  const lab = await Lab.open(t, kind);
  const d = createDaemon(kind, lab);
  t.comment(`${d.label} ${await packageVersion(d.packageName)} in ${lab.ns('rtr')}; run dir ${lab.runDir}`);
  await d.start();
  t.teardown(async () => {
    d.thaw();
    await d.stop();
  });

  /** Starts tsbgp for a role once the daemon is ready for it; fails the test with context on error. */
  const start = async (t: Test, p: TsbgpPeer, extra: Partial<TsbgpSessionOptions> = {}): Promise<TsbgpProcess> => {
    await waitReady(d, p.address);
    return TsbgpProcess.start(t, lab, p.node, tsbgpFor(p, extra));
  };
  /** Waits for Established on both sides. */
  const established = async (t: Test, proc: TsbgpProcess, p: TsbgpPeer, timeoutMs = 20_000): Promise<TsbgpEvent> => {
    const ev = await proc.waitEstablished(timeoutMs);
    await waitEstablished(d, p.address, 10_000);
    t.pass(`Established: tsbgp ${p.address} (AS ${p.asn}) <-> ${d.label} ${DAEMON.v4} (AS ${DAEMON_ASN})`);
    return ev;
  };
  /** Ends tsbgp with SIGTERM and checks the contract: exit 0 after a Cease. */
  const stopGracefully = async (t: Test, proc: TsbgpProcess, p: TsbgpPeer): Promise<void> => {
    const since = proc.mark();
    proc.signal('SIGTERM');
    const exit = await proc.waitExit(10_000);
    t.same(exit, { code: 0, signal: null }, 'SIGTERM: tsbgp exits 0');
    t.ok(proc.events.slice(since).some(isNotification('notificationSent', 6, 2)), 'SIGTERM: tsbgp sent Cease/Administrative Shutdown');
    await waitNotEstablished(d, p.address, 10_000);
  };

  // 1 ---------------------------------------------------------------------------------------------
  await t.test('Established with tsbgp active; SIGTERM ends it with a Cease', async (t) => {
    const p = PEERS.ebgp;
    // not listening (`--listen-port 0`, a flag of the CLI beyond the brief's contract): the session
    // can only be the one tsbgp opened, not the daemon's own connection attempt
    const proc = await start(t, p, { extraArgs: ['--listen-port', '0'] });
    const ev = await established(t, proc, p);
    t.comment(`negotiated: ${JSON.stringify(ev['negotiated'])}`);
    await stopGracefully(t, proc, p);
    checkCleanEvents(t, proc, 'active');
  });

  // 2 ---------------------------------------------------------------------------------------------
  await t.test('Established with tsbgp passive (the daemon connects)', async (t) => {
    const p = PEERS.ebgp;
    const proc = await start(t, p, { passive: true });
    await established(t, proc, p, 30_000);
    const n = await d.neighbor(p.address);
    t.ok(n.established, `${d.label}: ${n.state}`);
    await stopGracefully(t, proc, p);
  });

  // 3 ---------------------------------------------------------------------------------------------
  await t.test('eBGP routes both ways, IPv4 and IPv6 over one IPv4 session', async (t) => {
    const p = PEERS.ebgp;
    const proc = await start(t, p, {
      announce: TSBGP_V4.prefixes,
      communities: TSBGP_V4.communities,
      largeCommunities: TSBGP_V4.largeCommunities,
      med: TSBGP_V4.med,
      prepend: TSBGP_V4.prepend,
    });
    await established(t, proc, p);
    proc.send({ announce: { prefixes: [TSBGP_V6.prefix], nextHop: TSBGP_V6.nextHop, communities: TSBGP_V6.communities, largeCommunities: TSBGP_V6.largeCommunities, med: TSBGP_V6.med } });

    // tsbgp -> daemon, in the daemon's own output
    for (const prefix of TSBGP_V4.prefixes) {
      const r = await waitLearned(d, 'ipv4', prefix, p.address);
      t.match(r, { nextHop: p.address, asPath: [...TSBGP_V4.asPath], med: TSBGP_V4.med, communities: [...TSBGP_V4.communities], largeCommunities: [...TSBGP_V4.largeCommunities], origin: 'IGP' }, `${d.label} has ${prefix} with tsbgp's attributes (AS_PATH prepended ${TSBGP_V4.prepend}x)`);
    }
    const r6 = await waitLearned(d, 'ipv6', TSBGP_V6.prefix, p.address);
    t.match(r6, { nextHop: TSBGP_V6.nextHop, asPath: [p.asn], med: TSBGP_V6.med, communities: [...TSBGP_V6.communities], largeCommunities: [...TSBGP_V6.largeCommunities] }, `${d.label} has ${TSBGP_V6.prefix} (MP_REACH_NLRI, next hop ${TSBGP_V6.nextHop})`);

    // daemon -> tsbgp, in tsbgp's Adj-RIB-In
    for (const dr of DAEMON_ROUTES) {
      const r = await waitTsbgpRoute(proc, dr.prefix);
      t.same(asPathOf(r), [DAEMON_ASN], `tsbgp: ${dr.prefix} AS_PATH ${DAEMON_ASN}`);
      t.equal(nextHopOf(r), dr.nextHop, `tsbgp: ${dr.prefix} next hop ${dr.nextHop}`);
      t.same(communitiesOf(r), dr.communities, `tsbgp: ${dr.prefix} COMMUNITIES ${dr.communities.join(' ') || '(none)'}`);
      t.same(communitiesOf(r, 'LARGE_COMMUNITY'), dr.largeCommunities, `tsbgp: ${dr.prefix} LARGE_COMMUNITY ${dr.largeCommunities.join(' ') || '(none)'}`);
      if (dr.med !== undefined) t.equal(numberAttr(r, 'MULTI_EXIT_DISC'), dr.med, `tsbgp: ${dr.prefix} MED ${dr.med}`);
      t.notOk(r.stale, `tsbgp: ${dr.prefix} not stale`);
    }

    // withdrawals, IPv4 (WITHDRAWN ROUTES) and IPv6 (MP_UNREACH_NLRI)
    proc.send({ withdraw: { prefixes: [TSBGP_V4.prefixes[1], TSBGP_V6.prefix] } });
    await waitNotLearned(d, 'ipv4', TSBGP_V4.prefixes[1], p.address);
    await waitNotLearned(d, 'ipv6', TSBGP_V6.prefix, p.address);
    t.equal((await learned(d, 'ipv4', TSBGP_V4.prefixes[0], p.address)).length, 1, `withdrawn from ${d.label}; ${TSBGP_V4.prefixes[0]} kept`);

    checkCleanEvents(t, proc, 'eBGP routes');
    await stopGracefully(t, proc, p);
    await waitNotLearned(d, 'ipv4', TSBGP_V4.prefixes[0], p.address);
    t.pass(`${d.label} dropped tsbgp's routes after the session ended`);
  });

  // 4 ---------------------------------------------------------------------------------------------
  await t.test('iBGP: LOCAL_PREF both ways', async (t) => {
    const p = PEERS.ibgp;
    const prefix = '203.0.113.7/32';
    const proc = await start(t, p, { announce: [prefix], localPref: 200, communities: ['65000:7'] });
    await established(t, proc, p);
    const r = await waitLearned(d, 'ipv4', prefix, p.address);
    t.match(r, { localPref: 200, asPath: [], communities: ['65000:7'], nextHop: p.address }, `${d.label} has ${prefix} with LOCAL_PREF 200, empty AS_PATH`);
    for (const dr of DAEMON_ROUTES.filter((x) => x.localPref !== undefined)) {
      const got = await waitTsbgpRoute(proc, dr.prefix);
      t.equal(numberAttr(got, 'LOCAL_PREF'), dr.localPref, `tsbgp: ${dr.prefix} LOCAL_PREF ${dr.localPref}`);
      t.same(asPathOf(got), [], `tsbgp: ${dr.prefix} empty AS_PATH (iBGP)`);
    }
    checkCleanEvents(t, proc, 'iBGP');
    await stopGracefully(t, proc, p);
  });

  // 5 ---------------------------------------------------------------------------------------------
  await t.test('tsbgp shutdown communication reaches the daemon', async (t) => {
    const p = PEERS.ebgp;
    const proc = await start(t, p);
    await established(t, proc, p);
    const since = proc.mark();
    const exaBefore = kind === 'exabgp' ? (d as ExabgpDaemon).apiLog() : undefined;
    const exaDownsBefore = exaBefore?.downReasons.get(p.address)?.length ?? 0;
    const exaNotesBefore = exaBefore?.notifications.get(p.address)?.length ?? 0;
    proc.send({ shutdown: { message: SHUTDOWN_TEXT } });
    const sent = await proc.waitForEvent('notificationSent Cease/2', isNotification('notificationSent', 6, 2), 5_000, since);
    t.equal(communicationOf(sent), SHUTDOWN_TEXT, 'notificationSent carries the RFC 9003 text');
    t.same(await proc.waitExit(10_000), { code: 0, signal: null }, 'tsbgp exits 0 after the shutdown command');
    await waitNotEstablished(d, p.address, 10_000);
    if (traits.shutdownCommunication === 'shows') {
      // the daemon may still show the previous session's text for a moment: wait (bounded) for
      // ours, then compare what it showed last (a mismatch gives a readable diff)
      let shown: string | undefined;
      await waitFor(`${d.label} shows the shutdown communication`, async () => {
        shown = await d.lastShutdownMessage(p.address);
        return shown === SHUTDOWN_TEXT;
      }, { timeoutMs: 5_000 }).catch(() => undefined);
      t.equal(shown, SHUTDOWN_TEXT, `${d.label} shows "${SHUTDOWN_TEXT}"`);
    } else {
      // ExaBGP 4.2.21: the NOTIFICATION with a shutdown communication is not decoded (it sends 1/0)
      // (ExaBGP keeps reconnecting to n1, so later "down" lines follow: look at the first new one)
      const exa = d as ExabgpDaemon;
      const log = await waitFor('ExaBGP reports the session down', () => {
        const l = exa.apiLog();
        return (l.downReasons.get(p.address) ?? []).length > exaDownsBefore ? l : undefined;
      }, { timeoutMs: 5_000 });
      const reason = (log.downReasons.get(p.address) ?? [])[exaDownsBefore] ?? '';
      const shown = log.notifications.get(p.address)?.slice(exaNotesBefore).find((n) => n.direction === 'receive' && n.communication !== undefined);
      if (shown !== undefined) t.equal(shown.communication, SHUTDOWN_TEXT, 'ExaBGP decoded the shutdown communication (the 4.2.21 bug is gone)');
      else t.match(reason, /can not decode|notification/, `ExaBGP 4.2.21 known bug: ${reason}`);
    }
  });

  // 6 ---------------------------------------------------------------------------------------------
  const adminDown = d.adminDown;
  await t.test('the daemon shutdown communication reaches tsbgp', { skip: adminDown === undefined ? `${d.label} cannot send Cease/Administrative Shutdown on demand (ExaBGP 4.2.21 teardown closes the TCP connection without a NOTIFICATION)` : false }, async (t) => {
    if (adminDown === undefined) return;
    const p = PEERS.ebgp;
    const text = `${kind}: going down for maintenance`;
    const proc = await start(t, p);
    await established(t, proc, p);
    const since = proc.mark();
    try {
      await adminDown.call(d, p.address, text);
      const got = await proc.waitForEvent('notificationReceived Cease/2', isNotification('notificationReceived', 6, 2), 10_000, since);
      t.equal(communicationOf(got), text, `tsbgp reports ${d.label}'s text`);
      await proc.waitFor('stateChange', 5_000, (e) => e['from'] === 'Established', since);
      t.pass('tsbgp left Established');
    } finally {
      await d.adminUp(p.address);
    }
    // tsbgp may be reconnecting now, so no Cease is expected: just end it
    await proc.stop();
  });

  // 7 ---------------------------------------------------------------------------------------------
  await t.test('ROUTE-REFRESH both ways', async (t) => {
    const p = PEERS.ebgp;
    const prefix = TSBGP_V4.prefixes[0];
    // With graceful restart: FRR 8.4 answers a ROUTE-REFRESH only after it has sent End-of-RIB,
    // and sends End-of-RIB only to peers that advertise graceful restart; a peer with enhanced
    // route refresh but without graceful restart never gets an answer (FRRouting/frr#16126).
    const proc = await start(t, p, { announce: [prefix], gracefulRestart: 120 });
    const est = await established(t, proc, p);
    await waitLearned(d, 'ipv4', prefix, p.address);
    const again = DAEMON_ROUTES[0]?.prefix ?? '';
    await waitTsbgpRoute(proc, again);

    // tsbgp -> daemon first, once the session is quiet: after the daemon's End-of-RIB, plus 2 s
    // (FRR 8.4 sends its whole set a second time ~1.5 s after the first, unasked), so that only
    // an answer to the request can satisfy the check
    if (traits.answersRouteRefresh !== true) {
      t.comment(`not checking ${d.label}'s answer to a ROUTE-REFRESH: ${traits.answersRouteRefresh}`);
    } else {
      await proc.waitFor('endOfRib', 10_000, (e) => e['afi'] === 'ipv4');
      await sleep(2_000);
      const since = proc.mark();
      proc.send({ routeRefresh: { afi: 'ipv4', safi: 'unicast' } });
      await proc.waitForEvent(`update re-announcing ${again}`, (e) => e.event === 'update' && announcedIn(e).includes(again), 10_000, since);
      t.pass(`${d.label} re-sent its routes after tsbgp's ROUTE-REFRESH`);
      const negotiated = (est['negotiated'] ?? {}) as { enhancedRouteRefresh?: unknown };
      if (negotiated.enhancedRouteRefresh === true) {
        // RFC 7313: the answer is framed by BoRR ... EoRR (only an answer carries them)
        await proc.waitFor('routeRefresh', 5_000, (e) => e['subtype'] === 'BoRR' && e['afi'] === 'ipv4', since);
        await proc.waitFor('routeRefresh', 5_000, (e) => e['subtype'] === 'EoRR' && e['afi'] === 'ipv4', since);
        t.pass(`${d.label} framed its answer with BoRR/EoRR (enhanced route refresh negotiated)`);
      }
      t.ok((await d.neighbor(p.address)).established, `${d.label} still Established`);
      await sleep(1_000); // let the daemon's refresh machinery settle before asking it for one
    }

    const requestRefresh = d.requestRefresh;
    if (requestRefresh === undefined) {
      t.comment(`${d.label} cannot be made to send ROUTE-REFRESH (GoBGP 3.10 softresetin re-applies policy locally and sends none)`);
    } else {
      const since = proc.mark();
      await requestRefresh.call(d, p.address);
      const rr = await proc.waitFor('routeRefresh', 10_000, (e) => e['afi'] === 'ipv4' && e['safi'] === 'unicast', since);
      t.match(rr, { afi: 'ipv4', safi: 'unicast' }, `tsbgp got ROUTE-REFRESH from ${d.label}: ${JSON.stringify({ afi: rr['afi'], safi: rr['safi'], subtype: rr['subtype'] })}`);
      await sleep(1_000);
      t.ok((await d.neighbor(p.address)).established, `${d.label} still Established after tsbgp answered`);
      t.equal((await learned(d, 'ipv4', prefix, p.address)).length, 1, `${d.label} still has ${prefix}`);
      t.same(proc.events.slice(since).filter((e) => e.event.startsWith('notification')), [], 'no NOTIFICATION either way');
    }
    checkCleanEvents(t, proc, 'route refresh');
    await stopGracefully(t, proc, p);
  });

  // 8 ---------------------------------------------------------------------------------------------
  await t.test('hold timer expires when the daemon freezes', async (t) => {
    const p = PEERS.hold;
    const proc = await start(t, p);
    await established(t, proc, p);
    await sleep(1_500); // a few KEEPALIVEs both ways
    const since = proc.mark();
    let frozenAt = 0;
    let pids: number[] = [];
    try {
      pids = await d.freeze();
      frozenAt = Date.now() - proc.startedAt;
      t.comment(`${d.label} frozen (SIGSTOP ${pids.join(', ')})`);
      const ev = await proc.waitForEvent('notificationSent 4/0', isNotification('notificationSent', 4, 0), (p.holdTime + 4) * 1000, since);
      const after = ev.atMs - frozenAt;
      // the daemon's last KEEPALIVE came at most one keepalive interval before the freeze;
      // OpenBGPD's timers tick in whole seconds, so its 1 s keepalive can come up to ~2 s apart
      const gap = (p.keepalive + (kind === 'openbgpd' ? 1 : 0)) * 1000;
      t.ok(after >= p.holdTime * 1000 - gap - 500 && after <= p.holdTime * 1000 + 1500, `Hold Timer Expired sent ${after} ms after the freeze (hold ${p.holdTime} s, keepalive ${p.keepalive} s)`);
      await proc.waitFor('stateChange', 5_000, (e) => e['from'] === 'Established', since);
      t.pass('tsbgp left Established');
    } finally {
      d.thaw();
    }
    // tsbgp may already be reconnecting; the daemon must simply be alive and answering again
    t.ok(await d.neighbor(p.address), `${d.label} answers again after SIGCONT`);
    await proc.stop();
  });

  // 9 ---------------------------------------------------------------------------------------------
  await t.test('graceful restart: routes kept while tsbgp restarts', { skip: traits.gracefulRestartHelper ? false : `${d.label} is no graceful-restart helper (${kind === 'openbgpd' ? 'OpenBGPD 7.7 supports only the End-of-RIB part of RFC 4724' : 'ExaBGP keeps no RIB of received routes'})` }, async (t) => {
    const p = PEERS.ebgp;
    const [keep, drop] = TSBGP_V4.prefixes;
    const gr = { gracefulRestart: 120 };
    const first = await start(t, p, { ...gr, announce: [keep, drop] });
    await established(t, first, p);
    first.send({ announce: { prefixes: [TSBGP_V6.prefix], nextHop: TSBGP_V6.nextHop } });
    for (const afi of ['ipv4', 'ipv6'] as const) {
      await first.waitFor('endOfRib', 10_000, (e) => e['afi'] === afi && e['safi'] === 'unicast');
      t.pass(`tsbgp got ${d.label}'s End-of-RIB for ${afi} unicast`);
    }
    await waitLearned(d, 'ipv4', keep, p.address);
    await waitLearned(d, 'ipv4', drop, p.address);
    await waitLearned(d, 'ipv6', TSBGP_V6.prefix, p.address);

    await first.kill(); // SIGKILL: the kernel closes the TCP connection, no NOTIFICATION
    await waitNotEstablished(d, p.address, 10_000);
    const checkKept = async (when: string): Promise<void> => {
      for (const [afi, prefix] of [['ipv4', keep], ['ipv4', drop], ['ipv6', TSBGP_V6.prefix]] as [Afi, string][]) {
        const rs = await learned(d, afi, prefix, p.address);
        t.equal(rs.length, 1, `${when}: ${d.label} keeps ${prefix}`);
        if (kind !== 'bird') t.equal(rs[0]?.stale, true, `${when}: ${prefix} marked stale`);
      }
      if (kind === 'bird') t.ok((await (d as BirdDaemon).protocol(p.address)).gracefulRestartActive, `${when}: BIRD shows "Neighbor graceful restart active" (it does not mark stale routes in show route)`);
    };
    await checkKept('right after the crash');
    await sleep(2_000);
    await checkKept('2 s later');

    const second = await start(t, p, { ...gr, announce: [keep] });
    await established(t, second, p);
    await waitNotLearned(d, 'ipv4', drop, p.address, 15_000);
    await waitNotLearned(d, 'ipv6', TSBGP_V6.prefix, p.address, 15_000);
    t.pass(`${d.label} removed the routes the restarted tsbgp no longer announces (after its End-of-RIB)`);
    const kept = await waitLearned(d, 'ipv4', keep, p.address, (r) => r.stale !== true, 10_000);
    t.ok(kept, `${keep} kept and fresh`);
    checkCleanEvents(t, second, 'graceful restart');
    await stopGracefully(t, second, p);
  });

  // 10 --------------------------------------------------------------------------------------------
  await t.test('TCP-MD5 session', { skip: traits.md5 ? false : `the ${d.label} config has no MD5 peer (only FRR is tested with TCP-MD5)` }, async (t) => {
    const p = PEERS.md5;
    const password = p.password ?? '';
    const wrong = await start(t, p, { password: `${password}-wrong` });
    const unsupported = await Promise.race([
      wrong.waitFor('error', 4_000, (e) => e['code'] === 'ERR_BGP_TCP_MD5_UNSUPPORTED').then(() => true, () => false),
      wrong.waitEstablished(4_000).then(() => false, () => false),
    ]);
    if (unsupported) {
      await wrong.kill();
      t.pass('TCP-MD5 session', { skip: 'tsbgp reports ERR_BGP_TCP_MD5_UNSUPPORTED (native addon not built): TCP-MD5 cannot be tested' });
      return;
    }
    t.notOk(wrong.eventsOf('established').length > 0 || (await d.neighbor(p.address)).established, 'wrong password: no session within 4 s');
    await wrong.kill();

    const proc = await start(t, p, { password });
    await established(t, proc, p);
    const nb = await (d as FrrDaemon).neighborJson(p.address);
    t.comment(`FRR neighbor ${p.address}: bgpState ${String(nb['bgpState'])}`);
    await stopGracefully(t, proc, p);
  });
}
