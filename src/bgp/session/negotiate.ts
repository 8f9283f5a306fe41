/**
 * The OPEN exchange as data: the OPEN we send for a configuration, the RFC 4271 s6.2 / RFC 6286 /
 * RFC 6793 checks of the peer's OPEN, and what both sides negotiated (hold time, families,
 * route refresh, ADD-PATH, extended messages, 4-octet AS, graceful restart) with the codec
 * contexts for each direction. Pure functions; no state, no I/O.
 */
import { type NotificationSpec, notification } from '../errors.js';
import { AS_TRANS } from '../iana/asn.js';
import { ErrorCode, OpenMessageErrorSubcode } from '../iana/notification-codes.js';
import { afiSafiKey } from '../iana/afi-safi.js';
import { type OpenMessage, buildOpen, capabilitiesOf } from '../codec/open.js';
import type { Capability } from '../codec/capabilities/capability.js';
import { AddPathSendReceive } from '../codec/capabilities/add-path.js';
import type { GracefulRestartCapability } from '../codec/capabilities/graceful-restart.js';
import { type CodecContext, codecContext } from '../codec/context.js';
import { parseIpv4 } from '../prefix/address.js';
import { type AddPathMode, type FamilyName, type ResolvedPeerConfig, FAMILIES, familyName } from './session-config.js';

export interface NegotiatedFamily {
  readonly afi: number;
  readonly safi: number;
  /** 'ipv4-unicast' / 'ipv6-unicast', or undefined for another family both sides offered. */
  readonly name: FamilyName | undefined;
}

/** The peer's graceful restart state as its OPEN announced it (RFC 4724 s3). */
export interface PeerGracefulRestart {
  readonly restartTimeSec: number;
  /** R bit: the peer has restarted. */
  readonly restartState: boolean;
  /** N bit (RFC 8538). */
  readonly notification: boolean;
  /** Families with preserved forwarding state (F bit) among those the peer listed. */
  readonly families: readonly { readonly afi: number; readonly safi: number; readonly forwardingState: boolean }[];
}

/** What both sides agreed on; reported with the `established` event. */
export interface Negotiated {
  readonly localAsn: number;
  readonly peerAsn: number;
  readonly localBgpIdentifier: string;
  readonly peerBgpIdentifier: string;
  /** eBGP (different ASNs) or iBGP. */
  readonly external: boolean;
  /** min(ours, theirs); 0 means no keepalives and no hold timer. */
  readonly holdTimeSec: number;
  readonly keepaliveTimeSec: number;
  /** Families both offered (RFC 4760; IPv4 unicast implied for a peer without MP capabilities). */
  readonly families: readonly NegotiatedFamily[];
  readonly routeRefresh: boolean;
  readonly enhancedRouteRefresh: boolean;
  /** RFC 7911 per family: whether we send / receive path identifiers. */
  readonly addPath: readonly { readonly afi: number; readonly safi: number; readonly send: boolean; readonly receive: boolean }[];
  readonly extendedMessage: boolean;
  readonly fourOctetAs: boolean;
  /** Both sides advertised Graceful Restart. */
  readonly gracefulRestart: { readonly local: boolean; readonly peer: PeerGracefulRestart | undefined };
  /** The peer's capabilities, as received. */
  readonly peerCapabilities: readonly Capability[];
  /** Decoding what the peer sends. */
  readonly receiveContext: CodecContext;
  /** Encoding what we send. */
  readonly sendContext: CodecContext;
}

function addPathCode(mode: AddPathMode): number {
  return mode === 'send' ? AddPathSendReceive.SEND : mode === 'receive' ? AddPathSendReceive.RECEIVE : AddPathSendReceive.BOTH;
}

/** The capabilities we offer for a configuration, in a stable order. */
export function localCapabilities(c: ResolvedPeerConfig): Capability[] {
  const caps: Capability[] = [];
  for (const f of c.families) caps.push({ type: 'MULTIPROTOCOL', ...FAMILIES[f] });
  if (c.routeRefresh) caps.push({ type: 'ROUTE_REFRESH' });
  if (c.routeRefresh && c.enhancedRouteRefresh) caps.push({ type: 'ENHANCED_ROUTE_REFRESH' });
  if (c.extendedMessage) caps.push({ type: 'EXTENDED_MESSAGE' });
  caps.push({ type: 'FOUR_OCTET_AS', asn: c.localAsn });
  const addPathAfs = c.families.filter((f) => c.addPath[f] !== undefined).map((f) => ({ ...FAMILIES[f], sendReceive: addPathCode(c.addPath[f]!) }));
  if (addPathAfs.length > 0) caps.push({ type: 'ADD_PATH', afs: addPathAfs });
  const gr = c.gracefulRestart;
  if (gr !== undefined) {
    caps.push({
      type: 'GRACEFUL_RESTART',
      restartState: c.restarting,
      gracefulNotification: gr.notification,
      restartTimeSec: gr.restartTimeSec,
      afs: c.families.map((f) => ({ ...FAMILIES[f], forwardingState: gr.forwardingState })),
    });
  }
  return caps;
}

/** The OPEN we send. */
export function localOpen(c: ResolvedPeerConfig): OpenMessage {
  return buildOpen({ myAsn: c.localAsn, holdTimeSec: c.holdTimeSec, bgpIdentifier: c.routerId, capabilities: localCapabilities(c) });
}

export type OpenCheck = { readonly ok: true; readonly negotiated: Negotiated } | { readonly ok: false; readonly notification: NotificationSpec; readonly reason: string };

const fail = (subcode: number, reason: string, data?: Uint8Array): OpenCheck => ({
  ok: false,
  notification: notification(ErrorCode.OPEN_MESSAGE_ERROR, subcode, data),
  reason,
});

/**
 * Checks the peer's OPEN against our configuration (RFC 4271 s6.2, RFC 5492, RFC 6286, RFC 6793)
 * and negotiates. The failures carry the NOTIFICATION to send:
 * - version other than 4: 2/1 with data 0x0004 (the largest version we support);
 * - peer AS not the configured one (4-octet AS from the capability; the 2-octet field must be
 *   the ASN itself or AS_TRANS for an ASN above 65535), or outside the accepted range: 2/2;
 * - BGP Identifier 0, or equal to ours on an iBGP session (RFC 6286 s2.2): 2/3;
 * - an optional parameter other than Capabilities: 2/4;
 * - Hold Time 1 or 2 seconds: 2/6.
 */
export function checkOpen(open: OpenMessage, c: ResolvedPeerConfig): OpenCheck {
  if (open.version !== 4) return fail(OpenMessageErrorSubcode.UNSUPPORTED_VERSION_NUMBER, `version ${open.version} (only 4 is supported)`, Uint8Array.of(0, 4));
  const unknownParam = open.optionalParameters.find((p) => p.type !== 'CAPABILITIES');
  if (unknownParam !== undefined && unknownParam.type === 'UNKNOWN') {
    return fail(OpenMessageErrorSubcode.UNSUPPORTED_OPTIONAL_PARAMETER, `unsupported optional parameter type ${unknownParam.code}`);
  }
  const caps = capabilitiesOf(open);
  const four = caps.find((x) => x.type === 'FOUR_OCTET_AS');
  const peerAsn = four?.asn ?? open.myAutonomousSystem;
  if (four !== undefined) {
    const expected2 = four.asn > 0xffff ? AS_TRANS : four.asn;
    if (open.myAutonomousSystem !== expected2) {
      return fail(OpenMessageErrorSubcode.BAD_PEER_AS, `My Autonomous System ${open.myAutonomousSystem} disagrees with the 4-octet AS capability ${four.asn} (RFC 6793 s4.1)`);
    }
  }
  if (peerAsn === 0) return fail(OpenMessageErrorSubcode.BAD_PEER_AS, 'peer AS 0');
  if (c.peerAsn !== undefined ? peerAsn !== c.peerAsn : peerAsn < c.peerAsnRange[0] || peerAsn > c.peerAsnRange[1]) {
    const want = c.peerAsn !== undefined ? `${c.peerAsn}` : `${c.peerAsnRange[0]}..${c.peerAsnRange[1]}`;
    return fail(OpenMessageErrorSubcode.BAD_PEER_AS, `peer AS ${peerAsn}, expected ${want}`);
  }
  const external = peerAsn !== c.localAsn;
  const peerId = parseIpv4(open.bgpIdentifier);
  if (peerId === 0) return fail(OpenMessageErrorSubcode.BAD_BGP_IDENTIFIER, 'BGP Identifier 0.0.0.0 (RFC 6286 s2.1)');
  if (!external && peerId === parseIpv4(c.routerId)) {
    return fail(OpenMessageErrorSubcode.BAD_BGP_IDENTIFIER, `BGP Identifier ${open.bgpIdentifier} equals ours on an iBGP session (RFC 6286 s2.2)`);
  }
  if (open.holdTimeSec === 1 || open.holdTimeSec === 2) {
    return fail(OpenMessageErrorSubcode.UNACCEPTABLE_HOLD_TIME, `Hold Time ${open.holdTimeSec} s (must be 0 or at least 3, RFC 4271 s4.2)`);
  }
  const holdTimeSec = Math.min(c.holdTimeSec, open.holdTimeSec);
  const keepaliveTimeSec = holdTimeSec === 0 ? 0 : Math.min(c.keepaliveTimeSec ?? Math.floor(holdTimeSec / 3), Math.floor(holdTimeSec / 3));

  // Families: RFC 4760 s8: a peer without MULTIPROTOCOL capabilities speaks IPv4 unicast.
  const peerMp = caps.filter((x) => x.type === 'MULTIPROTOCOL');
  const peerFamilies = peerMp.length === 0 ? [{ afi: 1, safi: 1 }] : peerMp;
  const families: NegotiatedFamily[] = [];
  for (const f of c.families) {
    const { afi, safi } = FAMILIES[f];
    if (peerFamilies.some((p) => p.afi === afi && p.safi === safi)) families.push({ afi, safi, name: f });
  }
  const routeRefresh = c.routeRefresh && caps.some((x) => x.type === 'ROUTE_REFRESH' || x.type === 'ROUTE_REFRESH_CISCO');
  const enhancedRouteRefresh = routeRefresh && c.enhancedRouteRefresh && caps.some((x) => x.type === 'ENHANCED_ROUTE_REFRESH');
  const extendedMessage = c.extendedMessage && caps.some((x) => x.type === 'EXTENDED_MESSAGE');
  const fourOctetAs = four !== undefined;

  const addPath: { afi: number; safi: number; send: boolean; receive: boolean }[] = [];
  const peerAddPath = caps.find((x) => x.type === 'ADD_PATH');
  for (const fam of families) {
    const mine = fam.name === undefined ? undefined : c.addPath[fam.name];
    const theirs = peerAddPath?.afs.find((a) => a.afi === fam.afi && a.safi === fam.safi)?.sendReceive ?? 0;
    if (mine === undefined || theirs === 0) continue;
    const send = (mine === 'send' || mine === 'both') && (theirs & AddPathSendReceive.RECEIVE) !== 0;
    const receive = (mine === 'receive' || mine === 'both') && (theirs & AddPathSendReceive.SEND) !== 0;
    if (send || receive) addPath.push({ afi: fam.afi, safi: fam.safi, send, receive });
  }

  const grCap = caps.find((x): x is GracefulRestartCapability => x.type === 'GRACEFUL_RESTART');
  const peerGr: PeerGracefulRestart | undefined =
    grCap === undefined
      ? undefined
      : {
          restartTimeSec: grCap.restartTimeSec,
          restartState: grCap.restartState,
          notification: grCap.gracefulNotification,
          families: grCap.afs.map((a) => ({ afi: a.afi, safi: a.safi, forwardingState: a.forwardingState })),
        };

  const ctxBase = { fourOctetAs, extendedMessage, external };
  const negotiated: Negotiated = {
    localAsn: c.localAsn,
    peerAsn,
    localBgpIdentifier: c.routerId,
    peerBgpIdentifier: open.bgpIdentifier,
    external,
    holdTimeSec,
    keepaliveTimeSec,
    families,
    routeRefresh,
    enhancedRouteRefresh,
    addPath,
    extendedMessage,
    fourOctetAs,
    gracefulRestart: { local: c.gracefulRestart !== undefined, peer: peerGr },
    peerCapabilities: caps,
    receiveContext: codecContext({ ...ctxBase, loopbackNextHop: c.acceptLoopbackNextHop, addPath: addPath.filter((a) => a.receive).map((a) => afiSafiKey(a.afi, a.safi)) }),
    sendContext: codecContext({ ...ctxBase, addPath: addPath.filter((a) => a.send).map((a) => afiSafiKey(a.afi, a.safi)) }),
  };
  return { ok: true, negotiated };
}

/** Whether we send path identifiers for a family on this session. */
export function sendsAddPath(n: Negotiated, afi: number, safi: number): boolean {
  return n.addPath.some((a) => a.afi === afi && a.safi === safi && a.send);
}

/** The JSON form of Negotiated for events and the CLI (codec contexts and raw capabilities summarised). */
export function negotiatedToJson(n: Negotiated): Record<string, unknown> {
  const fam = (f: { afi: number; safi: number }): string => familyName(f.afi, f.safi) ?? `${f.afi}/${f.safi}`;
  return {
    localAsn: n.localAsn,
    peerAsn: n.peerAsn,
    localBgpIdentifier: n.localBgpIdentifier,
    peerBgpIdentifier: n.peerBgpIdentifier,
    external: n.external,
    holdTimeSec: n.holdTimeSec,
    keepaliveTimeSec: n.keepaliveTimeSec,
    families: n.families.map(fam),
    routeRefresh: n.routeRefresh,
    enhancedRouteRefresh: n.enhancedRouteRefresh,
    addPath: n.addPath.map((a) => ({ family: fam(a), send: a.send, receive: a.receive })),
    extendedMessage: n.extendedMessage,
    fourOctetAs: n.fourOctetAs,
    gracefulRestart: {
      local: n.gracefulRestart.local,
      peer:
        n.gracefulRestart.peer === undefined
          ? null
          : {
              restartTimeSec: n.gracefulRestart.peer.restartTimeSec,
              restartState: n.gracefulRestart.peer.restartState,
              notification: n.gracefulRestart.peer.notification,
              families: n.gracefulRestart.peer.families.map((f) => ({ family: fam(f), forwardingState: f.forwardingState })),
            },
    },
    peerCapabilities: n.peerCapabilities.map((c) => c.type),
  };
}
