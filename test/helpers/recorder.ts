/**
 * Test helper for the TCP adapter tests: ConnectionHandlers that record what a connection
 * reports, with a bounded `until` to wait for a condition on it.
 */
import type { ConnectionHandlers } from '../../src/bgp/transport/connection.js';

/** Upper bound of every wait on a Recorder. */
export const WAIT_MS = 5000;

/** Records what a connection reports; `until` waits (bounded) for a condition on it. */
export class Recorder implements ConnectionHandlers {
  connects = 0;
  drains = 0;
  closes = 0;
  closeError: Error | undefined;
  bytes = 0;
  readonly chunks: Buffer[] = [];
  readonly #waiters = new Set<() => void>();

  onConnect(): void {
    this.connects++;
    this.#wake();
  }

  onData(chunk: Uint8Array): void {
    this.chunks.push(Buffer.from(chunk));
    this.bytes += chunk.length;
    this.#wake();
  }

  onDrain(): void {
    this.drains++;
    this.#wake();
  }

  onClose(error?: Error): void {
    this.closes++;
    this.closeError = error;
    this.#wake();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }

  until(condition: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      if (condition()) {
        resolve();
        return;
      }
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      this.#waiters.add(check);
    });
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}
