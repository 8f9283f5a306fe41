/**
 * tsbgp session interop with OpenBGPD 7.7 portable (bgpd in netns rtr, AS 65000): every case of
 * test/helpers/lab-session-suite.ts that OpenBGPD supports, checked in `bgpctl -j show neighbor`
 * / `bgpctl -j show rib detail` and in tsbgp's events. OpenBGPD shows a received shutdown
 * communication (last_shutdown_reason), sends ROUTE-REFRESH on `bgpctl neighbor X refresh`, but
 * 7.7 ignores every ROUTE-REFRESH it receives, and implements only the End-of-RIB part of
 * graceful restart (no helper test). It backs off in Idle (30 s, doubling) after every NOTIFICATION;
 * the harness starts the neighbor again with `bgpctl neighbor X up` before each session.
 * Needs root + the lab (skips otherwise, fails on CI) and the `tsbgp session` CLI (skips until
 * it exists). Own lab: namespaces tsbi-openbgpd-*, run dir /tmp/tsbgp-interop/openbgpd.
 */
import t from 'tap';
import { runSessionSuite } from '../helpers/lab-session-suite.js';

await runSessionSuite(t, {
  kind: 'openbgpd',
  // OpenBGPD 7.7 bug (openbgpd-portable#46, fixed in rde.c 1.586): every received ROUTE-REFRESH
  // is dropped with "route refresh: AID IPv4 unicast not negotiated"
  answersRouteRefresh: 'OpenBGPD 7.7 drops every ROUTE-REFRESH it receives ("route refresh: AID ... not negotiated", openbgpd-portable#46)',
  gracefulRestartHelper: false,
  shutdownCommunication: 'shows',
  md5: false,
});
