/**
 * A hand-driven BGP peer on the in-memory network: the test writes whatever bytes it wants
 * (crafted OPENs a real BgpSession would never send) and reads what the session under test
 * answered, decoded. Owns one MemoryConnection; no timers, no FSM, no real time.
 */
import type { MemoryNetwork } from '../../src/testing/memory-transport.js';
import type { BgpConnection } from '../../src/bgp/transport/connection.js';
import { Framer } from '../../src/bgp/codec/framer.js';
import { type BgpMessage, decodeMessage, encodeMessage } from '../../src/bgp/codec/message.js';
import { type CodecContext, DEFAULT_CONTEXT } from '../../src/bgp/codec/context.js';
import type { NotificationMessage } from '../../src/bgp/codec/notification.js';
import type { OpenMessage } from '../../src/bgp/codec/open.js';

export class RawPeer {
  /** Every message received, decoded with `ctx` at the time it arrived. */
  readonly received: BgpMessage[] = [];
  /** Raw messages, as framed. */
  readonly raw: Uint8Array[] = [];
  connected = false;
  closed = false;
  closeError: Error | undefined;
  /** Decoding context for what the session sends (set it after the OPEN exchange). */
  ctx: CodecContext = DEFAULT_CONTEXT;
  readonly #framer = new Framer({ maxMessageLength: 65535 });
  readonly connection: BgpConnection;

  /** Opens a connection from `from` to `to`:179 (the session's listener must route it). */
  constructor(net: MemoryNetwork, from: string, to: string, port = 179) {
    this.connection = net.connector(from).connect(
      { peerAddress: to, peerPort: port },
      {
        onConnect: () => {
          this.connected = true;
        },
        onData: (chunk) => {
          this.#framer.push(chunk);
          for (;;) {
            const m = this.#framer.next();
            if (m === undefined) break;
            this.raw.push(m.slice());
            this.received.push(decodeMessage(m, this.ctx));
          }
        },
        onDrain: () => {},
        onClose: (e) => {
          this.closed = true;
          this.closeError = e;
        },
      },
    );
  }

  send(m: BgpMessage | Uint8Array, ctx: CodecContext = this.ctx): void {
    this.connection.write(m instanceof Uint8Array ? m : encodeMessage(m, ctx));
  }

  ofType<T extends BgpMessage['type']>(type: T): Extract<BgpMessage, { type: T }>[] {
    return this.received.filter((m): m is Extract<BgpMessage, { type: T }> => m.type === type);
  }

  get notifications(): NotificationMessage[] {
    return this.ofType('NOTIFICATION');
  }

  get opens(): OpenMessage[] {
    return this.ofType('OPEN');
  }
}
