/** The RIB's error for a bad API argument (ERR_RIB_INVALID_ARGUMENT). Internal: not exported from tsbgp/rib. */
import { BgpError } from '../bgp/errors.js';

export function ribError(message: string, cause?: unknown): BgpError {
  return new BgpError('ERR_RIB_INVALID_ARGUMENT', message, { cause });
}
