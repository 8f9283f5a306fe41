#!/usr/bin/env node
// Entry point of the `tsbgp` command: runs the compiled CLI (npm run build produces dist/).
import { main } from '../dist/cli/main.js';

const onSignal = (handler) => {
  const on = (signal) => handler(signal);
  process.on('SIGTERM', on);
  process.on('SIGINT', on);
  return () => {
    process.off('SIGTERM', on);
    process.off('SIGINT', on);
  };
};

const onReload = (handler) => {
  const on = () => handler();
  process.on('SIGHUP', on);
  return () => process.off('SIGHUP', on);
};

process.exitCode = await main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, onSignal, onReload });
// Long-running commands are done: do not wait for stdin to end.
process.stdin.destroy();
