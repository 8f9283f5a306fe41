/**
 * tsbgp session interop with FRR 8.4 (bgpd in netns rtr, AS 65000): every case of
 * test/helpers/lab-session-suite.ts, checked in `vtysh ... json` and in tsbgp's events.
 * FRR is the full-featured reference here: it shows received shutdown communications
 * (lastShutdownDescription), sends ROUTE-REFRESH on `clear bgp X soft in`, keeps stale routes as
 * a graceful-restart helper, and is the TCP-MD5 peer (n4).
 * Needs root + the lab (skips otherwise, fails on CI) and the `tsbgp session` CLI (skips until
 * it exists). Own lab: namespaces tsbi-frr-*, run dir /tmp/tsbgp-interop/frr.
 */
import t from 'tap';
import { runSessionSuite } from '../helpers/lab-session-suite.js';

await runSessionSuite(t, {
  kind: 'frr',
  answersRouteRefresh: true,
  gracefulRestartHelper: true,
  shutdownCommunication: 'shows',
  md5: true,
});
