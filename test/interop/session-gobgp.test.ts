/**
 * tsbgp session interop with GoBGP 3.10 (gobgpd in netns rtr, AS 65000): every case of
 * test/helpers/lab-session-suite.ts, checked in `gobgp -j neighbor` / `gobgp -j global rib` and
 * in tsbgp's events. GoBGP keeps a received shutdown communication only in its log (read by the
 * harness), cannot be made to send ROUTE-REFRESH (softresetin sends none), answers one, and is a
 * graceful-restart helper (paths marked "stale").
 * Needs root + the lab (skips otherwise, fails on CI) and the `tsbgp session` CLI (skips until
 * it exists). Own lab: namespaces tsbi-gobgp-*, run dir /tmp/tsbgp-interop/gobgp.
 */
import t from 'tap';
import { runSessionSuite } from '../helpers/lab-session-suite.js';

await runSessionSuite(t, {
  kind: 'gobgp',
  answersRouteRefresh: true,
  gracefulRestartHelper: true,
  shutdownCommunication: 'shows',
  md5: false,
});
