/**
 * Incremental BGP message framer: takes a TCP byte stream in chunks split anywhere and yields
 * whole messages. Checks every header (RFC 4271 s6.1) before waiting for the body, so a bad
 * marker, length or type is reported as soon as its 19 octets have arrived. After an error the
 * stream is out of sync and the framer stays failed. Sans-I/O: the transport pushes bytes in.
 *
 * Messages are returned as views into the pushed chunks (no copy) when a message lies within one
 * chunk; they stay valid as long as the caller does not reuse the chunk's memory.
 */
import type { BgpError } from '../errors.js';
import { HEADER_LENGTH, MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH } from '../iana/message-type.js';
import { checkHeader } from './header.js';

export interface FramerOptions {
  /** 4096 until RFC 8654 extended messages are negotiated, then 65535. */
  maxMessageLength?: number;
}

export class Framer {
  maxMessageLength: number;
  /** Current contiguous buffer and read position in it. */
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;
  /** Chunks that arrived while a partial message was waiting in #buf. */
  #parts: Uint8Array[] = [];
  #partsLength = 0;
  /** Octets needed before the next message can be produced (19, or the message's length). */
  #need = HEADER_LENGTH;
  #failed: BgpError | undefined;
  /** Octets consumed so far (offset of the next message in the stream). */
  #streamOffset = 0;

  constructor(options: FramerOptions = {}) {
    this.maxMessageLength = options.maxMessageLength ?? MAX_MESSAGE_LENGTH;
  }

  /** Switches the size limit (RFC 8654) for the messages not framed yet. */
  setExtendedMessage(enabled: boolean): void {
    this.maxMessageLength = enabled ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
  }

  /** Octets received but not yet returned as messages. */
  get buffered(): number {
    return this.#buf.length - this.#pos + this.#partsLength;
  }

  /** Offset in the stream of the next message (for error reports). */
  get streamOffset(): number {
    return this.#streamOffset;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.#pos >= this.#buf.length) {
      this.#buf = chunk;
      this.#pos = 0;
    } else {
      this.#parts.push(chunk);
      this.#partsLength += chunk.length;
    }
  }

  /**
   * The next complete message (header included), or undefined when more bytes are needed.
   * Throws the header's BgpError (1/1, 1/2, 1/3) and keeps throwing it afterwards.
   */
  next(): Uint8Array | undefined {
    if (this.#failed) throw this.#failed;
    let avail = this.#buf.length - this.#pos;
    if (avail + this.#partsLength < this.#need) return undefined;
    if (avail < this.#need) {
      this.#coalesce();
      avail = this.#buf.length - this.#pos;
    }
    // now at least #need (>= 19) octets are contiguous at #pos
    let length: number;
    try {
      length = checkHeader(this.#buf, this.#pos, this.maxMessageLength).length;
    } catch (e) {
      this.#failed = e as BgpError;
      throw e;
    }
    if (avail + this.#partsLength < length) {
      this.#need = length;
      return undefined;
    }
    if (avail < length) this.#coalesce();
    const msg = this.#buf.subarray(this.#pos, this.#pos + length);
    this.#pos += length;
    this.#streamOffset += length;
    this.#need = HEADER_LENGTH;
    return msg;
  }

  /** Frames every complete message currently buffered. */
  *messages(): Generator<Uint8Array> {
    for (let m = this.next(); m !== undefined; m = this.next()) yield m;
  }

  #coalesce(): void {
    const rest = this.#buf.length - this.#pos;
    const out = new Uint8Array(rest + this.#partsLength);
    out.set(this.#buf.subarray(this.#pos), 0);
    let o = rest;
    for (const p of this.#parts) {
      out.set(p, o);
      o += p.length;
    }
    this.#buf = out;
    this.#pos = 0;
    this.#parts = [];
    this.#partsLength = 0;
  }
}
