#!/bin/sh
# ExaBGP API process for the session interop tests: appends every JSON line ExaBGP writes to the
# process (updates, notifications, route refreshes, state changes of its neighbors) to FILE, so
# the tests can replay what ExaBGP received (test/helpers/lab-parse.ts, ExabgpApiLog).
#   run /path/exabgp-api-recorder.sh FILE;     (in an ExaBGP `process` block, encoder json)
# Owns: FILE only. It sends nothing back to ExaBGP. It ends when ExaBGP closes its stdin.
# (Not `exec cat`: ExaBGP 4.2.21 counted that process as dead at once and gave up on it after
# five respawns; as a child of this shell it is fine.)
out="${1:?usage: exabgp-api-recorder.sh FILE}"
cat >>"$out"
