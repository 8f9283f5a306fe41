/**
 * Adj-RIB-Out for one peer (RFC 4271 s3.2): the routes we want the peer to have, what it has
 * been sent, and the prefixes whose state differs ("dirty"). Changes are recorded per prefix, so
 * the queue between the embedder and the socket is bounded by the number of distinct prefixes
 * however fast routes change; `drain` turns dirty prefixes into UPDATE messages packed per
 * attribute set up to the negotiated message size, withdrawals batched. ADD-PATH (RFC 7911): every
 * path of a prefix where sending path ids is negotiated, otherwise the path with the lowest id.
 * Sans-I/O: the session calls `drain` when the transport can take more.
 */
import { BgpError } from '../bgp/errors.js';
import { PrefixList, type PrefixEntry, parsePrefix } from '../bgp/prefix/prefix-list.js';
import { type CodecContext, hasAddPath, maxMessageLength } from '../bgp/codec/context.js';
import { type UpdateMessage, encodeUpdate } from '../bgp/codec/update.js';
import type { PathAttribute } from '../bgp/codec/attributes/path-attribute.js';
import { type Advertisement, type NormalizedAdvertisement, type PeerView, attributesFor, normalizeAdvertisement } from './advertisement.js';

/** What `drain` needs to know about the session the UPDATEs go out on. */
export interface DrainView extends PeerView {
  readonly sendContext: CodecContext;
  /** AFIs negotiated for unicast (1 IPv4, 2 IPv6); routes of other families wait. */
  readonly afis: ReadonlySet<number>;
  /** Communities added to every announcement (RFC 8326 GRACEFUL_SHUTDOWN during a graceful shutdown). */
  readonly extraCommunities?: readonly number[] | undefined;
}

export interface DrainResult {
  /** Encoded UPDATE messages, in order. */
  readonly messages: Uint8Array[];
  readonly bytes: number;
  readonly announced: number;
  readonly withdrawn: number;
  /** Routes that could not be sent (e.g. no next hop of their family), with the reason. */
  readonly errors: readonly BgpError[];
  /** Prefixes of the view's families are still waiting (the byte budget ran out). */
  readonly more: boolean;
}

export type WithdrawSpec = string | { readonly prefix: string; readonly pathId?: number | undefined };

const RESERVE = 1; // an attribute header may grow by one octet (extended length) as NLRI are added

export class AdjRibOut {
  /** Wanted routes: prefix text -> path id -> advertisement. */
  readonly #wanted = new Map<string, Map<number, NormalizedAdvertisement>>();
  /** What the peer was sent: prefix text -> path id on the wire (0 without ADD-PATH) -> attribute identity. */
  readonly #sent = new Map<string, Map<number, string>>();
  /** Prefixes whose sent state may differ from the wanted state, in change order. */
  readonly #dirty = new Set<string>();
  #routeCount = 0;

  /** Adds or replaces routes (same prefix and path id replaces). */
  announce(advertisements: Advertisement | readonly Advertisement[]): void {
    const list = Array.isArray(advertisements) ? (advertisements as readonly Advertisement[]) : [advertisements as Advertisement];
    const norm = list.map((a) => normalizeAdvertisement(a)); // validate all before changing anything
    for (const n of norm) {
      let paths = this.#wanted.get(n.prefixText);
      if (paths === undefined) this.#wanted.set(n.prefixText, (paths = new Map()));
      if (!paths.has(n.pathId)) this.#routeCount++;
      paths.set(n.pathId, n);
      this.#dirty.add(n.prefixText);
    }
  }

  /** Removes routes: a prefix alone removes every path of it; with `pathId` only that path. */
  withdraw(specs: WithdrawSpec | readonly WithdrawSpec[]): void {
    const list = Array.isArray(specs) ? (specs as readonly WithdrawSpec[]) : [specs as WithdrawSpec];
    const parsed = list.map((s) => {
      const prefix = typeof s === 'string' ? s : s.prefix;
      if (typeof prefix !== 'string') throw new BgpError('ERR_RIB_BAD_ADVERTISEMENT', 'withdraw: prefix must be a string');
      return { text: normalizeAdvertisement({ prefix }).prefixText, pathId: typeof s === 'string' ? undefined : s.pathId };
    });
    for (const { text, pathId } of parsed) {
      const paths = this.#wanted.get(text);
      if (paths === undefined) continue;
      if (pathId === undefined) {
        this.#routeCount -= paths.size;
        this.#wanted.delete(text);
      } else if (paths.delete(pathId)) {
        this.#routeCount--;
        if (paths.size === 0) this.#wanted.delete(text);
      }
      this.#dirty.add(text);
    }
  }

  /** Every wanted route. */
  routes(): NormalizedAdvertisement[] {
    const out: NormalizedAdvertisement[] = [];
    for (const paths of this.#wanted.values()) for (const a of paths.values()) out.push(a);
    return out;
  }

  get size(): number {
    return this.#routeCount;
  }

  /** Prefixes waiting to be sent (announce or withdraw). */
  get pendingPrefixes(): number {
    return this.#dirty.size;
  }

  /** The session went down: the peer has nothing from us any more. Wanted routes stay. */
  sessionDown(): void {
    this.#sent.clear();
    this.#dirty.clear();
  }

  /**
   * Re-sends every wanted route of the given AFIs (all when omitted): a new session, a route
   * refresh, a graceful-shutdown re-announcement. Pending withdrawals are kept.
   */
  resync(afis?: ReadonlySet<number>): void {
    for (const [text, paths] of this.#wanted) {
      const afi = paths.values().next().value!.afi;
      if (afis !== undefined && !afis.has(afi)) continue;
      this.#sent.delete(text);
      this.#dirty.add(text);
    }
  }

  /**
   * Builds UPDATEs for dirty prefixes until about `maxBytes` of messages are produced (at least
   * one message when anything is pending). Prefixes of families not in `view.afis` stay dirty.
   */
  drain(view: DrainView, maxBytes: number): DrainResult {
    const ctx = view.sendContext;
    const extra = view.extraCommunities ?? [];
    const extraKey = extra.length === 0 ? '' : `|${extra.join(',')}`;
    const announces = new Map<string, { afi: 1 | 2; attrs: PathAttribute[]; entries: PrefixEntry[]; bytes: number }>();
    const withdraws = new Map<1 | 2, PrefixEntry[]>();
    const errors: BgpError[] = [];
    let estimate = 0;
    let announced = 0;
    let withdrawn = 0;
    const skipped: string[] = [];
    for (const text of this.#dirty) {
      if (estimate >= maxBytes) break;
      this.#dirty.delete(text);
      const afi = parsePrefix(text).afi;
      if (!view.afis.has(afi)) {
        skipped.push(text);
        continue;
      }
      const addPath = hasAddPath(ctx, afi, 1);
      const paths = this.#wanted.get(text);
      const want = new Map<number, NormalizedAdvertisement>();
      if (paths !== undefined) {
        if (addPath) for (const [id, a] of paths) want.set(id, a);
        else {
          let best: NormalizedAdvertisement | undefined;
          for (const a of paths.values()) if (best === undefined || a.pathId < best.pathId) best = a;
          want.set(0, best!);
        }
      }
      const sent = this.#sent.get(text) ?? new Map<number, string>();
      const plen = Number(text.slice(text.indexOf('/') + 1));
      const entryBytes = (addPath ? 4 : 0) + 1 + Math.ceil(plen / 8);
      for (const [id, a] of want) {
        const identity = a.attributeKey + extraKey;
        if (sent.get(id) === identity) continue;
        let group = announces.get(identity + `#${afi}`);
        if (group === undefined) {
          let attrs: PathAttribute[];
          try {
            attrs = attributesFor(a, view, extra);
          } catch (e) {
            if (e instanceof BgpError) errors.push(e);
            else throw e;
            continue;
          }
          group = { afi, attrs, entries: [], bytes: 0 };
          announces.set(identity + `#${afi}`, group);
          estimate += 64;
        }
        group.entries.push(addPath ? { prefix: text, pathId: id } : { prefix: text });
        group.bytes += entryBytes;
        estimate += entryBytes;
        sent.set(id, identity);
        announced++;
      }
      for (const id of [...sent.keys()]) {
        if (want.has(id)) continue;
        let list = withdraws.get(afi);
        if (list === undefined) withdraws.set(afi, (list = []));
        list.push(addPath ? { prefix: text, pathId: id } : { prefix: text });
        estimate += entryBytes;
        sent.delete(id);
        withdrawn++;
      }
      if (sent.size === 0) this.#sent.delete(text);
      else this.#sent.set(text, sent);
    }
    let more = false;
    for (const text of this.#dirty) {
      if (view.afis.has(parsePrefix(text).afi)) {
        more = true;
        break;
      }
    }
    for (const t of skipped) this.#dirty.add(t);

    const messages: Uint8Array[] = [];
    let bytes = 0;
    const push = (m: UpdateMessage): void => {
      const b = encodeUpdate(m, ctx);
      messages.push(b);
      bytes += b.length;
    };
    const max = maxMessageLength(ctx);
    for (const [afi, entries] of withdraws) {
      const addPath = hasAddPath(ctx, afi, 1);
      const empty = PrefixList.empty(1);
      const base = afi === 1 ? 23 : 23 + 4 + 3;
      for (const chunk of chunks(entries, base + RESERVE, max)) {
        const list = PrefixList.from(afi, chunk, addPath);
        if (afi === 1) push({ type: 'UPDATE', withdrawn: list, attributes: [], nlri: empty });
        else push({ type: 'UPDATE', withdrawn: empty, attributes: [{ type: 'MP_UNREACH_NLRI', afi: 2, safi: 1, withdrawn: list }], nlri: empty });
      }
    }
    for (const g of announces.values()) {
      const addPath = hasAddPath(ctx, g.afi, 1);
      const empty = PrefixList.empty(g.afi, addPath);
      const build = (list: PrefixList): UpdateMessage =>
        g.afi === 1
          ? { type: 'UPDATE', withdrawn: PrefixList.empty(1), attributes: g.attrs, nlri: list }
          : {
              type: 'UPDATE',
              withdrawn: PrefixList.empty(1),
              attributes: g.attrs.map((a) => (a.type === 'MP_REACH_NLRI' ? ({ ...a, nlri: list } as PathAttribute) : a)),
              nlri: PrefixList.empty(1),
            };
      let base: number;
      try {
        base = encodeUpdate(build(empty), ctx).length;
      } catch (e) {
        if (!(e instanceof BgpError)) throw e;
        base = Infinity; // the attributes alone exceed the message size (ERR_BGP_MESSAGE_TOO_LONG)
      }
      if (base + RESERVE > max) {
        errors.push(new BgpError('ERR_RIB_ATTRIBUTES_TOO_LONG', `the path attributes of ${g.entries[0]!.prefix} (and ${g.entries.length - 1} more) do not fit in a ${max}-octet message`));
        continue;
      }
      for (const chunk of chunks(g.entries, base + RESERVE, max)) push(build(PrefixList.from(g.afi, chunk, addPath)));
    }
    return { messages, bytes, announced, withdrawn, errors, more };
  }
}

/** Splits entries into runs whose NLRI fit in `max - base` octets. */
function* chunks(entries: readonly PrefixEntry[], base: number, max: number): Generator<PrefixEntry[]> {
  let run: PrefixEntry[] = [];
  let size = base;
  for (const e of entries) {
    const plen = Number(e.prefix.slice(e.prefix.indexOf('/') + 1));
    const b = (e.pathId === undefined ? 0 : 4) + 1 + Math.ceil(plen / 8);
    if (size + b > max && run.length > 0) {
      yield run;
      run = [];
      size = base;
    }
    run.push(e);
    size += b;
  }
  if (run.length > 0) yield run;
}
