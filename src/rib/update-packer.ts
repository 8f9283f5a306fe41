/**
 * Writes UPDATE messages straight from a RouteTable's typed arrays: one pre-encoded attribute
 * block per attribute set, then as many NLRI as fit the negotiated message size (RFC 4271 s4.3,
 * 4096 octets; RFC 8654 extended messages, 65535), for IPv4 in the NLRI field and for IPv6 inside
 * MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760), with RFC 7911 path ids where ADD-PATH is on. No
 * PrefixList, no text: this is the hot path of a full-table send (bench/rib.ts).
 *
 * Owns: the output buffer and message boundaries. Must not touch: which routes go out.
 */
import type { RouteTable } from './route-table.js';
import type { EncodedAttributes } from './attribute-set.js';

const HEADER = 19;
/** Header, withdrawn routes length, total path attribute length. */
const FIXED = HEADER + 2 + 2;
/** MP_REACH_NLRI / MP_UNREACH_NLRI attribute header with extended length. */
const MP_ATTR_HEADER = 4;
const MESSAGE_TYPE_UPDATE = 2;
const FLAGS_OPTIONAL_EXTENDED = 0x90;

export class UpdatePacker {
  readonly maxLength: number;
  #buf: Uint8Array;
  #pos = 0;
  /** Start offsets of finished messages (views are cut at the end, after the last growth). */
  readonly #starts: number[] = [];

  constructor(maxLength: number, initialBytes = 64 * 1024) {
    this.maxLength = maxLength;
    this.#buf = new Uint8Array(initialBytes);
  }

  get bytes(): number {
    return this.#pos;
  }

  /** The finished messages, each a view of one shared buffer. */
  messages(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const starts = this.#starts;
    for (let i = 0; i < starts.length; i++) out.push(this.#buf.subarray(starts[i]!, i + 1 < starts.length ? starts[i + 1]! : this.#pos));
    return out;
  }

  /** Whether an attribute block fits a message with at least one NLRI of `entryMax` octets. */
  fits(attrs: EncodedAttributes, afi: 1 | 2, entryMax: number): boolean {
    return this.#announceBase(attrs, afi) + entryMax <= this.maxLength;
  }

  #announceBase(attrs: EncodedAttributes, afi: 1 | 2): number {
    // IPv6: MP_REACH_NLRI header (extended length), AFI, SAFI, next hop length, next hop, reserved
    const mp = afi === 2 ? MP_ATTR_HEADER + 5 + attrs.mpNextHop.length : 0;
    return FIXED + attrs.before.length + mp + attrs.after.length;
  }

  /** Announces `slots` of `table` with `attrs`, in as many messages as needed. */
  announce(table: RouteTable, slots: readonly number[], attrs: EncodedAttributes, addPath: boolean): void {
    const v6 = table.afi === 2;
    let i = 0;
    while (i < slots.length) {
      this.#ensure(this.maxLength);
      const buf = this.#buf;
      const start = this.#pos;
      let p = start + HEADER;
      buf[p++] = 0; // withdrawn routes length
      buf[p++] = 0;
      const attrLenAt = p;
      p += 2;
      buf.set(attrs.before, p);
      p += attrs.before.length;
      if (!v6) {
        buf.set(attrs.after, p);
        p += attrs.after.length;
        setU16(buf, attrLenAt, p - attrLenAt - 2);
        i = this.#entries(table, slots, i, p, start + this.maxLength, addPath);
        this.#finish(start, this.#end);
        continue;
      }
      buf[p++] = FLAGS_OPTIONAL_EXTENDED;
      buf[p++] = 14;
      const mpLenAt = p;
      p += 2;
      buf[p++] = 0;
      buf[p++] = 2; // AFI IPv6
      buf[p++] = 1; // SAFI unicast
      buf[p++] = attrs.mpNextHop.length;
      buf.set(attrs.mpNextHop, p);
      p += attrs.mpNextHop.length;
      buf[p++] = 0; // reserved
      const nlriAt = p;
      // the NLRI sit inside MP_REACH_NLRI; the attributes after it follow them
      i = this.#entries(table, slots, i, p, start + this.maxLength - attrs.after.length, addPath);
      p = this.#end;
      setU16(buf, mpLenAt, 5 + attrs.mpNextHop.length + (p - nlriAt));
      buf.set(attrs.after, p);
      p += attrs.after.length;
      setU16(buf, attrLenAt, p - attrLenAt - 2);
      this.#finish(start, p);
    }
  }

  /** Withdraws `slots` of `table` (path ids when `addPath`), in as many messages as needed. */
  withdraw(table: RouteTable, slots: readonly number[], addPath: boolean): void {
    let i = 0;
    while (i < slots.length) {
      this.#ensure(this.maxLength);
      const buf = this.#buf;
      const start = this.#pos;
      let p = start + HEADER;
      if (table.afi === 1) {
        const lenAt = p;
        i = this.#entries(table, slots, i, p + 2, start + this.maxLength - 2, addPath);
        p = this.#end;
        setU16(buf, lenAt, p - lenAt - 2);
        buf[p++] = 0; // total path attribute length
        buf[p++] = 0;
      } else {
        buf[p++] = 0; // withdrawn routes length
        buf[p++] = 0;
        const attrLenAt = p;
        p += 2;
        buf[p++] = FLAGS_OPTIONAL_EXTENDED;
        buf[p++] = 15;
        const mpLenAt = p;
        p += 2;
        buf[p++] = 0;
        buf[p++] = 2;
        buf[p++] = 1;
        const nlriAt = p;
        i = this.#entries(table, slots, i, p, start + this.maxLength, addPath);
        p = this.#end;
        setU16(buf, mpLenAt, 3 + p - nlriAt);
        setU16(buf, attrLenAt, p - attrLenAt - 2);
      }
      this.#finish(start, p);
    }
  }

  /** Where the last #entries call stopped writing. */
  #end = 0;

  /**
   * Writes NLRI entries of `slots` from index `i` at `p` while they end at or before `stop`;
   * returns the next index (the end offset goes to #end).
   */
  #entries(table: RouteTable, slots: readonly number[], i: number, p: number, stop: number, addPath: boolean): number {
    const buf = this.#buf;
    const addr = table.addr;
    const plen = table.plen;
    const pathIds = table.pathId;
    const w = table.words;
    const n = slots.length;
    while (i < n) {
      const s = slots[i]!;
      const len = plen[s]!;
      const octets = (len + 7) >>> 3;
      if (p + (addPath ? 5 : 1) + octets > stop) break;
      if (addPath) {
        const id = pathIds[s]!;
        buf[p] = id >>> 24;
        buf[p + 1] = id >>> 16;
        buf[p + 2] = id >>> 8;
        buf[p + 3] = id;
        p += 4;
      }
      buf[p++] = len;
      if (w === 1) {
        // IPv4: the octets of one word, most significant first
        const a = addr[s]!;
        if (octets > 0) buf[p] = a >>> 24;
        if (octets > 1) buf[p + 1] = a >>> 16;
        if (octets > 2) buf[p + 2] = a >>> 8;
        if (octets > 3) buf[p + 3] = a;
        p += octets;
      } else {
        const base = s * w;
        for (let k = 0; k < octets; k++) buf[p++] = addr[base + (k >>> 2)]! >>> (24 - 8 * (k & 3));
      }
      i++;
    }
    this.#end = p;
    return i;
  }

  #finish(start: number, end: number): void {
    const buf = this.#buf;
    buf.fill(0xff, start, start + 16);
    setU16(buf, start + 16, end - start);
    buf[start + 18] = MESSAGE_TYPE_UPDATE;
    this.#starts.push(start);
    this.#pos = end;
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }
}

function setU16(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v >>> 8;
  buf[at + 1] = v;
}
