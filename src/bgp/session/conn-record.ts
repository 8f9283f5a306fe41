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
