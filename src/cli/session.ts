/**
 * `tsbgp session`: runs one BGP session from flags, prints one event per line (JSON with
 * `--events json`) and takes JSON commands on stdin (announce, withdraw, routeRefresh, dump,
 * shutdown). SIGTERM / SIGINT send Cease / Administrative Shutdown and exit 0. With `--bfd` a BFD
 * session runs beside it, coupled by subscription (src/bfd/bgp-coupling.ts): BFD Down tears the
 * BGP session down with Cease / BFD Down.
 */
import { BgpError } from '../bgp/errors.js';
import { afiToJson, safiToJson, expectArray, expectInt, expectObject, expectString, onlyKeys } from '../bgp/json/json-util.js';
import { attributeToJson, diagnosticToJson, updateToJson } from '../bgp/json/update.js';
import { notificationToJson } from '../bgp/json/notification.js';
import { ROUTE_REFRESH_SUBTYPE_NAMES } from '../bgp/json/route-refresh.js';
import { BgpSpeaker, type BgpSpeakerOptions } from '../bgp/session/bgp-speaker.js';
import type { BgpSession } from '../bgp/session/bgp-session.js';
import { negotiatedToJson } from '../bgp/session/negotiate.js';
import type { Advertisement, OriginName } from '../rib/advertisement.js';
import { BfdEndpoint, type BfdEndpointOptions } from '../bfd/bfd-endpoint.js';
import type { BfdSession } from '../bfd/bfd-session.js';
import { coupleBgpToBfd, type BgpBfdCoupling } from '../bfd/bgp-coupling.js';
import { type CliIo, lines } from './io.js';
import { parseSessionFlags, withDefaults, type SessionFlags } from './session-flags.js';

type Json = Record<string, unknown>;

/** Test seam: transport and clock overrides (the CLI itself uses the real ones). */
export interface SessionCommandOverrides {
  readonly speaker?: Partial<BgpSpeakerOptions> | undefined;
  readonly bfd?: Partial<BfdEndpointOptions> | undefined;
}

export async function sessionCommand(argv: string[], io: CliIo, overrides: SessionCommandOverrides = {}): Promise<number> {
  const flags = parseSessionFlags(argv);
  const speaker = new BgpSpeaker({ asn: flags.asn, routerId: flags.routerId, listen: flags.listen, ...overrides.speaker });
  // With --bfd-wait the BFD coupling starts BGP once BFD is Up, not the speaker.
  const session = speaker.addPeer({ ...flags.peer, startWithSpeaker: flags.bfd?.waitForBfdUp !== true });
  const print = printer(io, flags.events);
  subscribe(speaker, session, print);
  if (flags.announce.length > 0) session.announce(flags.announce);

  let stopping: Promise<void> | undefined;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  let bfd: { endpoint: BfdEndpoint; session: BfdSession | undefined; coupling: BgpBfdCoupling | undefined } | undefined;
  const closeBfd = async (): Promise<void> => {
    bfd?.coupling?.dispose();
    await bfd?.endpoint.close();
  };
  const shutdown = (message: string): void => {
    if (stopping !== undefined) return;
    print({ event: 'shutdown', message });
    // BGP first (its Cease says why), then BFD (the peer sees AdminDown, which tears nothing down).
    bfd?.coupling?.dispose();
    stopping = speaker.stop({ message }).then(closeBfd).then(
      () => resolveDone(0),
      (e: unknown) => {
        print(errorJson(e));
        resolveDone(1);
      },
    );
  };
  const unsubscribe = io.onSignal?.((signal) => shutdown(`tsbgp session stopped (${signal})`));
  try {
    await speaker.start();
    if (flags.bfd !== undefined) {
      const f = flags.bfd;
      const endpoint = new BfdEndpoint({ singleHopPort: f.port, multihopPort: f.port, ...overrides.bfd });
      bfd = { endpoint, session: undefined, coupling: undefined };
      endpoint.on('warning', (w) => print({ event: 'bfdWarning', code: w.code, message: w.message }));
      const s = await endpoint.addSession({ peerAddress: flags.peer.peerAddress, localAddress: flags.peer.localAddress!, multihop: f.multihop, profile: f.profile });
      bfd.session = s;
      s.on('stateChange', (e) => print({ event: 'bfdStateChange', peer: session.peer, from: e.from, to: e.to, diag: e.diag, diagName: e.diagName, remoteState: e.remoteState, reason: e.reason }));
      bfd.coupling = coupleBgpToBfd(session, s, { waitForBfdUp: f.waitForBfdUp });
      bfd.coupling.on('teardown', (e) => print({ event: 'bfdTeardown', peer: session.peer, ...e }));
      bfd.coupling.on('bounceAbsorbed', (e) => print({ event: 'bfdBounceAbsorbed', peer: session.peer, ...e }));
      bfd.coupling.on('downIgnored', (e) => print({ event: 'bfdDownIgnored', peer: session.peer, ...e }));
    }
  } catch (e) {
    print(errorJson(e));
    io.stderr.write(`tsbgp session: ${e instanceof BgpError ? e.describe() : e instanceof Error ? e.message : String(e)}\n`);
    await speaker.stop().catch(() => {});
    await closeBfd().catch(() => {});
    unsubscribe?.();
    return 1;
  }
  const l = speaker.listening;
  print({
    event: 'started',
    peer: session.peer,
    listening: l === undefined ? null : `${l.address}:${l.port}`,
    ...(bfd?.session === undefined ? {} : { bfd: { localDiscriminator: bfd.session.localDiscriminator, sourcePort: bfd.session.snapshot().sourcePort } }),
  });

  void (async () => {
    for await (const line of lines(io.stdin)) {
      if (stopping !== undefined) break;
      if (line.trim() === '') continue;
      try {
        runCommand(line, session, speaker, flags, print, shutdown, bfd);
      } catch (e) {
        print(errorJson(e, 'ERR_CLI_BAD_COMMAND'));
      }
    }
  })().catch((e: unknown) => {
    // The stdin stream is torn down when the command ends ("Premature close"): not an error then.
    if (stopping === undefined) print(errorJson(e));
  });

  const code = await done;
  unsubscribe?.();
  return code;
}

function errorJson(e: unknown, fallback = 'ERR_CLI'): Json {
  if (e instanceof BgpError) return { event: 'error', code: e.code, message: e.message };
  return { event: 'error', code: fallback, message: e instanceof Error ? e.message : String(e) };
}

function printer(io: CliIo, format: 'json' | 'text'): (e: Json) => void {
  return (e) => {
    const time = new Date().toISOString();
    if (format === 'json') {
      io.stdout.write(`${JSON.stringify({ time, ...e })}\n`);
      return;
    }
    const { event, peer, ...rest } = e;
    io.stdout.write(`${time} ${peer === undefined ? '' : `${String(peer)} `}${String(event)} ${JSON.stringify(rest)}\n`);
  };
}

function subscribe(speaker: BgpSpeaker, session: BgpSession, print: (e: Json) => void): void {
  const ctx = (): Parameters<typeof updateToJson>[1] => session.negotiated?.receiveContext;
  speaker.on('stateChange', (e) => print({ event: 'stateChange', peer: e.peer, from: e.from, to: e.to, reason: e.reason }));
  speaker.on('established', (e) => print({ event: 'established', peer: e.peer, negotiated: negotiatedToJson(e.negotiated) }));
  speaker.on('update', (e) => print({ event: 'update', peer: e.peer, update: updateToJson(e.update, ctx()), diagnostics: e.diagnostics.map(diagnosticToJson) }));
  speaker.on('notificationSent', (e) => print({ event: 'notificationSent', peer: e.peer, notification: notificationToJson(e.notification) }));
  speaker.on('notificationReceived', (e) => print({ event: 'notificationReceived', peer: e.peer, notification: notificationToJson(e.notification) }));
  speaker.on('routeRefresh', (e) =>
    print({ event: 'routeRefresh', peer: e.peer, afi: afiToJson(e.afi), safi: safiToJson(e.safi), subtype: ROUTE_REFRESH_SUBTYPE_NAMES[e.subtype] ?? e.subtype }),
  );
  speaker.on('endOfRib', (e) => print({ event: 'endOfRib', peer: e.peer, afi: afiToJson(e.afi), safi: safiToJson(e.safi) }));
  speaker.on('staleRoutes', (e) => print({ event: 'staleRoutes', peer: e.peer, action: e.action, count: e.count }));
  const family = (e: { afi: number; safi: number }): Json => ({ afi: afiToJson(e.afi), safi: safiToJson(e.safi) });
  speaker.on('maxPrefixesWarning', (e) => print({ event: 'maxPrefixesWarning', peer: e.peer, ...family(e), limit: e.limit, count: e.count, thresholdPct: e.thresholdPct }));
  speaker.on('maxPrefixesExceeded', (e) =>
    print({ event: 'maxPrefixesExceeded', peer: e.peer, ...family(e), limit: e.limit, count: e.count, action: e.action, restartSec: e.restartSec ?? null }),
  );
  speaker.on('sessionError', (e) => print({ event: 'error', peer: e.peer, code: e.error.code, message: e.error.message }));
  speaker.on('connectionRejected', (e) => print({ event: 'connectionRejected', remoteAddress: e.remoteAddress, remotePort: e.remotePort, reason: e.reason }));
}

const ANNOUNCE_KEYS = ['prefixes', 'prefix', 'pathId', 'nextHop', 'nextHopLinkLocal', 'origin', 'communities', 'largeCommunities', 'localPref', 'med', 'prepend'];

function stringList(o: Json, key: string, path: string): string[] | undefined {
  if (o[key] === undefined) return undefined;
  return expectArray(o[key], `${path}.${key}`).map((x, i) => expectString(x, `${path}.${key}[${i}]`));
}

function prefixesOf(o: Json, path: string): string[] {
  const list = stringList(o, 'prefixes', path) ?? [];
  if (o.prefix !== undefined) list.push(expectString(o.prefix, `${path}.prefix`));
  if (list.length === 0) throw new BgpError('ERR_CLI_BAD_COMMAND', `${path}: needs "prefixes" (a list) or "prefix"`);
  return list;
}

function runCommand(
  line: string,
  session: BgpSession,
  speaker: BgpSpeaker,
  flags: SessionFlags,
  print: (e: Json) => void,
  shutdown: (m: string) => void,
  bfd: { endpoint: BfdEndpoint; coupling: BgpBfdCoupling | undefined } | undefined,
): void {
  let cmd: unknown;
  try {
    cmd = JSON.parse(line);
  } catch {
    throw new BgpError('ERR_CLI_BAD_COMMAND', `not JSON: ${line.slice(0, 80)}`);
  }
  const o = expectObject(cmd, 'command');
  const keys = Object.keys(o);
  if (keys.length !== 1) throw new BgpError('ERR_CLI_BAD_COMMAND', 'a command is an object with one key: announce, withdraw, routeRefresh, dump or shutdown');
  const name = keys[0]!;
  switch (name) {
    case 'announce': {
      const a = expectObject(o.announce, 'announce');
      onlyKeys(a, ANNOUNCE_KEYS, 'announce');
      const base: Omit<Advertisement, 'prefix'> = {
        pathId: a.pathId === undefined ? undefined : expectInt(a.pathId, 'announce.pathId', 0, 0xffffffff),
        nextHop: a.nextHop === undefined ? undefined : expectString(a.nextHop, 'announce.nextHop'),
        nextHopLinkLocal: a.nextHopLinkLocal === undefined ? undefined : expectString(a.nextHopLinkLocal, 'announce.nextHopLinkLocal'),
        origin: a.origin === undefined ? undefined : (expectString(a.origin, 'announce.origin') as OriginName),
        communities: stringList(a, 'communities', 'announce'),
        largeCommunities: stringList(a, 'largeCommunities', 'announce'),
        localPref: a.localPref === undefined ? undefined : expectInt(a.localPref, 'announce.localPref', 0, 0xffffffff),
        med: a.med === undefined ? undefined : expectInt(a.med, 'announce.med', 0, 0xffffffff),
        asPathPrepend: a.prepend === undefined ? undefined : { count: expectInt(a.prepend, 'announce.prepend', 0, 64) },
      };
      session.announce(prefixesOf(a, 'announce').map((prefix) => withDefaults({ ...base, prefix }, flags.routeDefaults)));
      return;
    }
    case 'withdraw': {
      const w = expectObject(o.withdraw, 'withdraw');
      onlyKeys(w, ['prefixes', 'prefix', 'pathId'], 'withdraw');
      const pathId = w.pathId === undefined ? undefined : expectInt(w.pathId, 'withdraw.pathId', 0, 0xffffffff);
      session.withdraw(prefixesOf(w, 'withdraw').map((prefix) => ({ prefix, pathId })));
      return;
    }
    case 'routeRefresh': {
      const r = o.routeRefresh === true ? {} : expectObject(o.routeRefresh, 'routeRefresh');
      onlyKeys(r, ['afi', 'safi'], 'routeRefresh');
      const afi = r.afi === undefined || r.afi === 'ipv4' ? 1 : r.afi === 'ipv6' ? 2 : expectInt(r.afi, 'routeRefresh.afi', 1, 65535);
      const safi = r.safi === undefined || r.safi === 'unicast' ? 1 : expectInt(r.safi, 'routeRefresh.safi', 1, 255);
      session.requestRouteRefresh(afi, safi);
      return;
    }
    case 'dump': {
      const what = expectString(o.dump, 'dump');
      const ctx = session.negotiated?.receiveContext;
      if (what === 'adj-rib-in') {
        print({
          event: 'adjRibIn',
          peer: session.peer,
          routes: session.adjRibIn.routes().map((r) => ({
            prefix: r.prefix,
            ...(r.pathId !== 0 ? { pathId: r.pathId } : {}),
            nextHop: r.nextHop,
            attributes: r.attributes.map((x) => attributeToJson(x, ctx)),
            stale: r.stale,
          })),
        });
      } else if (what === 'adj-rib-out') {
        print({
          event: 'adjRibOut',
          peer: session.peer,
          routes: session.adjRibOut.routes().map((r) => ({ prefix: r.prefixText, ...(r.pathId !== 0 ? { pathId: r.pathId } : {}), nextHop: r.nextHop ?? 'self' })),
        });
      } else if (what === 'snapshot') {
        print({ event: 'snapshot', ...speaker.snapshot(), ...(bfd === undefined ? {} : { bfd: bfd.endpoint.snapshot(), bfdCoupling: bfd.coupling?.snapshot() }) });
      } else {
        throw new BgpError('ERR_CLI_BAD_COMMAND', `dump: expected adj-rib-in, adj-rib-out or snapshot, got ${JSON.stringify(what)}`);
      }
      return;
    }
    case 'shutdown': {
      const s = o.shutdown === true ? {} : expectObject(o.shutdown, 'shutdown');
      onlyKeys(s, ['message'], 'shutdown');
      shutdown(s.message === undefined ? 'tsbgp session shutdown' : expectString(s.message, 'shutdown.message'));
      return;
    }
    default:
      throw new BgpError('ERR_CLI_BAD_COMMAND', `unknown command ${JSON.stringify(name)} (announce, withdraw, routeRefresh, dump, shutdown)`);
  }
}
