/**
 * RFC 5880 s4.1 Diagnostic (Diag) codes: the local system's reason for the last change in
 * session state. Values 9..31 are reserved.
 */
export const BfdDiag = {
  NoDiagnostic: 0,
  ControlDetectionTimeExpired: 1,
  EchoFunctionFailed: 2,
  NeighborSignaledSessionDown: 3,
  ForwardingPlaneReset: 4,
  PathDown: 5,
  ConcatenatedPathDown: 6,
  AdministrativelyDown: 7,
  ReverseConcatenatedPathDown: 8,
} as const;

export type BfdDiagName = keyof typeof BfdDiag;
/** A Diag field value (0..31; only 0..8 are assigned). */
export type BfdDiagCode = number;

const NAMES = new Map<number, BfdDiagName>(Object.entries(BfdDiag).map(([k, v]) => [v, k as BfdDiagName]));

/** The RFC name of a diagnostic code; undefined for reserved values. */
export function bfdDiagName(code: number): BfdDiagName | undefined {
  return NAMES.get(code);
}
