#!/usr/bin/env node
/**
 * Builds the optional native addon `native/` (tsbgp_sockopt: TCP-MD5, TTL, GTSM socket options, the BFD receive TTL filter)
 * with npm's own node-gyp. Run by npm's `install` script, so it runs on `npm install` / `npm ci`
 * in this repository and when tsbgp is installed as a dependency.
 *
 * Owns: native/build/ only. Must not touch anything else in the package, and must NEVER fail the
 * install: any problem prints one line saying the addon is unavailable and what that means, and
 * exits 0. The library then works without TCP-MD5, TTL security and the BFD TTL check and says so with typed errors
 * (ERR_BGP_TCP_MD5_UNSUPPORTED, ERR_BGP_TTL_SECURITY_UNSUPPORTED) when they are asked for.
 *
 * Environment:
 * - TSBGP_SKIP_NATIVE=1: do not build.
 * - npm_config_node_gyp: the node-gyp npm runs scripts with (set by npm); else npm's bundled copy.
 * - npm_config_nodedir: honoured by node-gyp itself. Otherwise, when the running Node's headers
 *   are installed next to it (e.g. /usr/include/node on a distribution package), `--nodedir` points
 *   there so node-gyp never tries to download headers (offline machines).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NATIVE_DIR = join(ROOT, 'native');
const BUILD_DIR = join(NATIVE_DIR, 'build');
const ADDON = join(BUILD_DIR, 'Release', 'tsbgp_sockopt.node');
const LOG = join(BUILD_DIR, 'build-native.log');
/** node-gyp may download headers when none are installed locally; never wait longer than this. */
const BUILD_TIMEOUT_MS = 5 * 60 * 1000;
const CONSEQUENCE =
  'TCP-MD5 (RFC 2385) and TTL security (RFC 5082 GTSM) are unavailable, and BFD does not check received TTLs (RFC 5881 s5); plain BGP over TCP and BFD work';

/** Prints the one line and ends the script successfully (the install must go on). */
function unavailable(reason) {
  console.log(`tsbgp: native socket-option addon unavailable (${reason}): ${CONSEQUENCE}.`);
  process.exit(0);
}

/** The node-gyp entry point: npm's choice first, then the copy bundled with npm. */
function findNodeGyp() {
  const candidates = [];
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm) candidates.push(fromNpm);
  const npmCli = process.env.npm_execpath;
  if (npmCli) candidates.push(join(dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const prefix = dirname(dirname(process.execPath));
  candidates.push(join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push('/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  return candidates.find((c) => existsSync(c));
}

/** `--nodedir` for locally installed headers of the running Node, unless npm already sets one. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefixes = [dirname(dirname(process.execPath)), '/usr'];
  const found = prefixes.find((p) => existsSync(join(p, 'include', 'node', 'node_api.h')) && existsSync(join(p, 'include', 'node', 'common.gypi')));
  return found ? [`--nodedir=${found}`] : [];
}

function main() {
  if (process.env.TSBGP_SKIP_NATIVE === '1') unavailable('skipped: TSBGP_SKIP_NATIVE=1');
  if (process.platform !== 'linux') unavailable(`the addon supports Linux only, this is ${process.platform}`);
  if (!existsSync(join(NATIVE_DIR, 'binding.gyp'))) unavailable('native/binding.gyp is missing from the package');
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) unavailable("npm's node-gyp was not found");

  const args = [nodeGyp, 'rebuild', '--release', ...nodedirArgs()];
  const run = spawnSync(process.execPath, args, {
    cwd: NATIVE_DIR,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
    env: process.env,
  });
  const log = `$ ${process.execPath} ${args.join(' ')}\n${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? `\n${run.error.message}\n` : ''}`;
  try {
    mkdirSync(BUILD_DIR, { recursive: true });
    writeFileSync(LOG, log);
  } catch {
    // the log is a convenience; the line below still explains the outcome
  }
  if (run.error || run.status !== 0 || !existsSync(ADDON)) {
    // a stale addon from an earlier build must not outlive a failed one
    rmSync(ADDON, { force: true });
    const why = run.error ? run.error.message : run.signal ? `killed by ${run.signal}` : `node-gyp exited with ${run.status}`;
    unavailable(`build failed: ${why}; see ${LOG}`);
  }

  // A built file that cannot be loaded (wrong headers, missing symbol) is as good as none.
  const load = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(ADDON)})`], { encoding: 'utf8', timeout: 30_000 });
  if (load.error || load.status !== 0) {
    rmSync(ADDON, { force: true });
    const first = `${load.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
    unavailable(`built but cannot be loaded: ${first.trim()}`);
  }
  console.log('tsbgp: native socket-option addon built: TCP-MD5, TTL security (GTSM) and the BFD TTL check are available.');
}

try {
  main();
} catch (error) {
  unavailable(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
}
