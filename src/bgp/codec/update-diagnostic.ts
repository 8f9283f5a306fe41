/**
 * RFC 7606 outcomes of decoding an UPDATE, as data: one diagnostic per problem, each with the
 * action to take and, for session reset, the NOTIFICATION to send. The codec reports; the
 * session and RIB act. No I/O.
 */
import type { ErrorAction, NotificationSpec } from '../errors.js';

export interface UpdateDiagnostic {
  /** RFC 7606 s2 approach. */
  readonly action: ErrorAction;
  /** Stable code, e.g. ERR_BGP_ATTRIBUTE_MALFORMED. */
  readonly code: string;
  /** Human-readable reason. */
  readonly reason: string;
  /** The RFC section that prescribes the action. */
  readonly rfc: string;
  /** Byte offset in the message of the attribute (its flags octet) or of the problem. */
  readonly offset: number;
  /** Attribute type code, when the problem is in one attribute. */
  readonly attributeType?: number | undefined;
  /** NOTIFICATION to send; present when `action` is 'session-reset'. */
  readonly notification?: NotificationSpec | undefined;
}

const SEVERITY: Readonly<Record<ErrorAction, number>> = {
  'attribute-discard': 1,
  'treat-as-withdraw': 2,
  'afi-safi-disable': 3,
  'session-reset': 4,
};

/** The most severe action among the diagnostics, or undefined when there are none. */
export function worstAction(diagnostics: readonly UpdateDiagnostic[] | undefined): ErrorAction | undefined {
  let worst: ErrorAction | undefined;
  for (const d of diagnostics ?? []) if (worst === undefined || SEVERITY[d.action] > SEVERITY[worst]) worst = d.action;
  return worst;
}

/** The NOTIFICATION to send for this UPDATE, if any diagnostic requires a session reset. */
export function sessionResetNotification(diagnostics: readonly UpdateDiagnostic[] | undefined): NotificationSpec | undefined {
  for (const d of diagnostics ?? []) if (d.action === 'session-reset' && d.notification) return d.notification;
  return undefined;
}
