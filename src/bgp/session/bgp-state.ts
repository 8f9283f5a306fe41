/**
 * The six BGP FSM states of RFC 4271 s8.2.2, named as the RFC names them.
 */
export const BgpState = {
  Idle: 'Idle',
  Connect: 'Connect',
  Active: 'Active',
  OpenSent: 'OpenSent',
  OpenConfirm: 'OpenConfirm',
  Established: 'Established',
} as const;

export type BgpStateName = (typeof BgpState)[keyof typeof BgpState];

export const BGP_STATES: readonly BgpStateName[] = Object.values(BgpState);
