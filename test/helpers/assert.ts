/**
 * Assertions shared by the test files: owns the "this call throws a BgpError with this code"
 * check. Touches nothing but the tap Test it is given.
 */
import { type Test } from 'tap';
import { BgpError } from '../../src/bgp/errors.js';

/**
 * Calls `f` and records two assertions on `t`: that it threw a BgpError, and that the error's code
 * is `code` (or one failure if it did not throw). Returns the BgpError for further checks.
 */
export function expectBgpError(t: Test, f: () => unknown, code: string, what = code): BgpError | undefined {
  try {
    f();
  } catch (e) {
    t.ok(e instanceof BgpError, `${what}: throws a BgpError`);
    if (e instanceof BgpError) t.equal(e.code, code, what);
    return e instanceof BgpError ? e : undefined;
  }
  t.fail(`${what}: did not throw`);
  return undefined;
}
