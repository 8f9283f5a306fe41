/**
 * Writes the session-interop daemon configs (the ones test/interop/session-*.test.ts generate,
 * from test/helpers/lab-daemons.ts) into a directory, for running the lab by hand:
 *
 *   node --import tsx scripts/lab/session-conf.ts /tmp/session-conf
 *   scripts/lab/up.sh
 *   scripts/lab/frr.sh start rtr /tmp/session-conf/frr-rtr          # or bird.sh / openbgpd.sh ...
 *   ip netns exec tsb-n1 node bin/tsbgp.js session --local-address 198.18.1.11 --local-as 65001 \
 *     --router-id 198.18.0.11 --peer 198.18.1.1 --peer-as 65000 --connect-retry 1 --events json
 *
 * GoBGP takes its routes from the CLI: run the lines of gobgp-routes.sh after gobgp.sh start.
 * ExaBGP needs `exabgp_tcp_bind=198.18.1.1` in its environment to accept tsbgp's connections, and
 * writes what it receives to RUN_DIR/exabgp-api.jsonl (RUN_DIR = the second argument, default
 * /tmp/tsbgp-lab).
 * Owns: the files it writes in the given directory, nothing else.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { birdConfig, exabgpConfig, frrConfig, gobgpConfig, gobgpRouteArgs, openbgpdConfig } from '../../test/helpers/lab-daemons.js';

const out = process.argv[2];
const runDir = process.argv[3] ?? '/tmp/tsbgp-lab';
if (out === undefined) {
  process.stderr.write('usage: node --import tsx scripts/lab/session-conf.ts OUTDIR [RUN_DIR]\n');
  process.exit(2);
}
mkdirSync(join(out, 'frr-rtr'), { recursive: true });
for (const [f, text] of Object.entries(frrConfig())) writeFileSync(join(out, 'frr-rtr', f), text);
writeFileSync(join(out, 'bird-rtr.conf'), birdConfig());
writeFileSync(join(out, 'gobgpd-rtr.toml'), gobgpConfig());
writeFileSync(
  join(out, 'gobgp-routes.sh'),
  `#!/bin/sh\n# routes GoBGP announces to tsbgp (after: scripts/lab/gobgp.sh start rtr ${join(out, 'gobgpd-rtr.toml')})\n${gobgpRouteArgs()
    .map((a) => `scripts/lab/gobgp.sh cli rtr ${a.join(' ')}`)
    .join('\n')}\n`,
  { mode: 0o755 },
);
writeFileSync(join(out, 'exabgp-rtr.conf'), exabgpConfig({ runDir }));
writeFileSync(join(out, 'openbgpd-rtr.conf'), openbgpdConfig());
process.stdout.write(`session-interop configs written to ${out}\n`);
