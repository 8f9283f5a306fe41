/**
 * tsbgp session interop with ExaBGP 4.2 (netns rtr, AS 65000): every case of
 * test/helpers/lab-session-suite.ts that ExaBGP supports, checked in what ExaBGP hands its API
 * process (JSON lines) and `exabgpcli show neighbor summary`, and in tsbgp's events.
 * Known ExaBGP 4.2.21 bugs the suite expects: a ROUTE-REFRESH it receives makes it drop the TCP
 * connection (so tsbgp sends none), a Cease carrying a shutdown communication is not decoded
 * (ExaBGP answers 1/0), and `teardown` sends no NOTIFICATION. It keeps no RIB, so no
 * graceful-restart helper test. It does send ROUTE-REFRESH on `announce route-refresh`.
 * Needs root + the lab (skips otherwise, fails on CI) and the `tsbgp session` CLI (skips until
 * it exists). Own lab: namespaces tsbi-exabgp-*, run dir /tmp/tsbgp-interop/exabgp.
 */
import t from 'tap';
import { runSessionSuite } from '../helpers/lab-session-suite.js';

await runSessionSuite(t, {
  kind: 'exabgp',
  answersRouteRefresh: "ExaBGP 4.2.21 drops the TCP connection when it receives one (its reactor fails: 'RouteRefresh' object is not iterable)",
  gracefulRestartHelper: false,
  shutdownCommunication: 'exabgp-decode-error',
  md5: false,
});
