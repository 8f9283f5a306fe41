/**
 * The one place that reaches into node:net internals: the OS file descriptor behind a net.Socket
 * or net.Server, which the native addon needs for setsockopt. Owns nothing else; must not touch
 * the handle in any other way (no reads, writes or closes through it).
 */
import type { Server, Socket } from 'node:net';

/**
 * The fd of a socket or listening server, or undefined when there is none (not yet connected and
 * not created from an fd, already closed, or a platform without numeric fds such as Windows).
 *
 * Node has no public API for this. On Unix the libuv-backed handle object (`TCP` from tcp_wrap)
 * stored in the private `_handle` field exposes a read-only `fd` getter (uv_fileno); it has been
 * there since Node 0.x and is what Node's own cluster and child_process code use. Any change to
 * that shape makes this return undefined, which callers turn into a typed error instead of a crash.
 */
export function nodeSocketFd(owner: Socket | Server): number | undefined {
  const handle = (owner as unknown as { readonly _handle?: { readonly fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : undefined;
}
