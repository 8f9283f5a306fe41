/**
 * A session's record of one TCP connection with its own FSM: there are two only while a
 * connection collision is being resolved (RFC 4271 s6.8). Plain mutable data the session owns.
 */
import { Framer } from '../codec/framer.js';
import type { BgpConnection } from '../transport/connection.js';
import { type FsmState, initialFsmState } from './fsm-state.js';

export interface Conn {
  fsm: FsmState;
  connection: BgpConnection | undefined;
  direction: 'outbound' | 'inbound';
  framer: Framer;
  writable: boolean;
  /** Messages framed but not processed yet (processing is sliced). */
  paused: boolean;
}

/** A record with an Idle FSM and no connection yet. */
export function newConn(direction: 'outbound' | 'inbound'): Conn {
  return { fsm: initialFsmState(), connection: undefined, direction, framer: new Framer(), writable: true, paused: false };
}

/** Readies a record for a new connection in `direction`: a fresh framer, writable; `connection` when already known. */
export function beginConnection(conn: Conn, direction: 'outbound' | 'inbound', connection?: BgpConnection): void {
  if (connection !== undefined) conn.connection = connection;
  conn.direction = direction;
  conn.framer = new Framer();
  conn.writable = true;
}

/** Detaches the record's connection (returned, for the caller to end) and clears its paused state. */
export function detachConnection(conn: Conn): BgpConnection | undefined {
  const connection = conn.connection;
  conn.connection = undefined;
  conn.paused = false;
  return connection;
}

/** The record of `main` / `other` that owns `connection` now (records change when a collision is resolved). */
export function connOwning(main: Conn, other: Conn | undefined, connection: BgpConnection): Conn | undefined {
  if (main.connection === connection) return main;
  if (other?.connection === connection) return other;
  return undefined;
}
