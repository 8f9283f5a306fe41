/**
 * tsbgp session interop with BIRD 2.0 (netns rtr, AS 65000): every case of
 * test/helpers/lab-session-suite.ts, checked in `birdc show protocols all` / `show route all`
 * and in tsbgp's events. BIRD shows a received shutdown communication ("Received: Administrative
 * shutdown" + "Message:"), sends ROUTE-REFRESH on `reload in`, and is a graceful-restart helper
 * (it shows "Neighbor graceful restart active" but does not mark stale routes in `show route`).
 * Needs root + the lab (skips otherwise, fails on CI) and the `tsbgp session` CLI (skips until
 * it exists). Own lab: namespaces tsbi-bird-*, run dir /tmp/tsbgp-interop/bird.
 */
import t from 'tap';
import { runSessionSuite } from '../helpers/lab-session-suite.js';

await runSessionSuite(t, {
  kind: 'bird',
  answersRouteRefresh: true,
  gracefulRestartHelper: true,
  shutdownCommunication: 'shows',
  md5: false,
});
