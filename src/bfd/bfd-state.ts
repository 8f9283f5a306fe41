/**
 * The four BFD session states of RFC 5880 s4.1 / s6.2, named as the RFC names them, with their
 * wire values (the 2-bit Sta field).
 */
import { BfdStateCode, type BfdStateValue } from './iana.js';

export const BfdState = {
  AdminDown: 'AdminDown',
  Down: 'Down',
  Init: 'Init',
  Up: 'Up',
} as const;

export type BfdStateName = (typeof BfdState)[keyof typeof BfdState];

export const BFD_STATES: readonly BfdStateName[] = Object.values(BfdState);

/** RFC 5880 s4.1 State (Sta) field values. */
export const BFD_STATE_CODE: Readonly<Record<BfdStateName, BfdStateValue>> = {
  AdminDown: BfdStateCode.ADMIN_DOWN,
  Down: BfdStateCode.DOWN,
  Init: BfdStateCode.INIT,
  Up: BfdStateCode.UP,
};

/** The state for a Sta field value (0..3); undefined for anything else. */
export function bfdStateFromCode(code: number): BfdStateName | undefined {
  return BFD_STATES.find((s) => BFD_STATE_CODE[s] === code);
}
