/**
 * `tsbgp speaker --config cluster.yaml --node NAME`: one node's MetalLB BGP-mode speaker
 * (src/metallb/node-speaker.ts) from YAML. Re-reads the files when they change (watching their
 * directories, so editors that replace files are seen) and on SIGHUP; a bad reload is logged and
 * the last good configuration keeps running. Logs state changes as text lines or, with
 * `--events json`, one JSON object per line. SIGTERM / SIGINT send Cease / Administrative
 * Shutdown and exit 0. stdin takes JSON commands: {"dump":"snapshot"}, {"reload":true},
 * {"shutdown":true}.
 *
 * Owns: flags, files, the watch, signals and the output. Exit status: 0 after a shutdown, 1 when
 * the first configuration is invalid or cannot run, 2 on a usage error.
 */
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BgpError } from '../bgp/errors.js';
import { type MetalLbConfig, MetalLbConfigError, formatIssue, loadMetalLbConfig } from '../metallb/index.js';
import { MetalLbSpeaker } from '../metallb/node-speaker.js';
import type { MetalLbSpeakerOptions } from '../metallb/node-speaker-types.js';
import { type CliIo, UsageError, lines } from './io.js';
import { readSources } from './metallb-files.js';
import { speakerPrinter } from './speaker-output.js';

export const SPEAKER_USAGE = `usage: tsbgp speaker --config FILE [--config FILE ...] --node NAME [options]
  Runs node NAME's MetalLB BGP-mode speaker: sessions to the BGPPeers selected for the node, BFD
  per BFDProfile, and the Service IPs it announces (MetalLB's rules). Re-reads the files when they
  change and on SIGHUP; a bad reload keeps the last good configuration.
  --config FILE            multi-document YAML (MetalLB resources, Services, EndpointSlices, Nodes)
  --node NAME              the node this speaker runs on (required)
  --node-address A         the node's address: source of sessions without spec.sourceAddress, and
                           router ID (when IPv4) of peers without spec.routerID
  --router-id ID           router ID of peers without spec.routerID
  --bfd-port N             BFD UDP port, single hop and multihop (default 3784 / 4784)
  --load-balancer-class C  serve Services of spec.loadBalancerClass C
  --ignore-exclude-lb      announce even from nodes labelled exclude-from-external-load-balancers
  --events json|text       output format (default text)
stdin: {"dump":"snapshot"} | {"reload":true} | {"shutdown":true}, one per line`;

export interface SpeakerFlags {
  readonly files: readonly string[];
  readonly node: string;
  readonly nodeAddress: string | undefined;
  readonly routerId: string | undefined;
  readonly bfdPort: number | undefined;
  readonly loadBalancerClass: string | undefined;
  readonly ignoreExcludeLb: boolean;
  readonly events: 'json' | 'text';
}

export function parseSpeakerFlags(argv: string[]): SpeakerFlags | 'help' {
  let v;
  try {
    v = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        config: { type: 'string', multiple: true },
        node: { type: 'string' },
        'node-address': { type: 'string' },
        'router-id': { type: 'string' },
        'bfd-port': { type: 'string' },
        'load-balancer-class': { type: 'string' },
        'ignore-exclude-lb': { type: 'boolean', default: false },
        events: { type: 'string', default: 'text' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (tsbgp speaker --help)`);
  }
  if (v.help) return 'help';
  const files = v.config ?? [];
  if (files.length === 0 || files.some((f) => f === '')) throw new UsageError('--config FILE is required (tsbgp speaker --help)');
  if (v.node === undefined || v.node === '') throw new UsageError('--node NAME is required (tsbgp speaker --help)');
  if (v.events !== 'json' && v.events !== 'text') throw new UsageError(`--events: expected json or text, got ${JSON.stringify(v.events)}`);
  let bfdPort: number | undefined;
  if (v['bfd-port'] !== undefined) {
    bfdPort = Number(v['bfd-port']);
    if (!/^\d+$/.test(v['bfd-port']) || bfdPort < 1 || bfdPort > 65535) throw new UsageError(`--bfd-port: expected 1..65535, got ${JSON.stringify(v['bfd-port'])}`);
  }
  for (const [flag, value] of [['--node-address', v['node-address']], ['--router-id', v['router-id']]] as const) {
    if (value !== undefined && !/^[0-9a-fA-F:.]+$/.test(value)) throw new UsageError(`${flag}: expected an IP address, got ${JSON.stringify(value)}`);
  }
  if (v['router-id'] !== undefined && !/^\d+\.\d+\.\d+\.\d+$/.test(v['router-id'])) throw new UsageError(`--router-id: expected an IPv4 address, got ${JSON.stringify(v['router-id'])}`);
  return {
    files: files.map((f) => resolve(f)),
    node: v.node,
    nodeAddress: v['node-address'],
    routerId: v['router-id'],
    bfdPort,
    loadBalancerClass: v['load-balancer-class'],
    ignoreExcludeLb: v['ignore-exclude-lb'],
    events: v.events,
  };
}

/** Test seam: speaker options (transport, clock) and the reload debounce. */
export interface SpeakerCommandOverrides {
  readonly speaker?: Partial<MetalLbSpeakerOptions> | undefined;
  readonly debounceMs?: number | undefined;
}

type Loaded = { readonly config: MetalLbConfig; readonly text: string; readonly warnings: readonly string[] } | { readonly issues: readonly string[] };

async function load(files: readonly string[]): Promise<Loaded> {
  const sources = await readSources(files);
  if (typeof sources === 'string') return { issues: [sources] };
  try {
    const r = loadMetalLbConfig(sources);
    return { config: r.config, text: sources.map((s) => s.text).join('\0'), warnings: r.warnings.map(formatIssue) };
  } catch (e) {
    if (e instanceof MetalLbConfigError) return { issues: e.issues.map(formatIssue) };
    throw e;
  }
}

export async function speakerCommand(argv: string[], io: CliIo, overrides: SpeakerCommandOverrides = {}): Promise<number> {
  const flags = parseSpeakerFlags(argv);
  if (flags === 'help') {
    io.stdout.write(`${SPEAKER_USAGE}\n`);
    return 0;
  }
  const print = speakerPrinter(io, flags.events);
  const first = await load(flags.files);
  if ('issues' in first) {
    for (const i of first.issues) io.stderr.write(`tsbgp speaker: ${i}\n`);
    return 1;
  }
  for (const w of first.warnings) print({ event: 'configWarning', message: w });
  const speaker = new MetalLbSpeaker({
    node: flags.node,
    nodeAddress: flags.nodeAddress,
    routerId: flags.routerId,
    loadBalancerClass: flags.loadBalancerClass,
    ignoreExcludeLb: flags.ignoreExcludeLb,
    ...overrides.speaker,
    bfd: { ...(flags.bfdPort === undefined ? {} : { singleHopPort: flags.bfdPort, multihopPort: flags.bfdPort }), ...overrides.speaker?.bfd },
  });
  speaker.on('applied', (e) => print({ event: 'applied', ...e }));
  speaker.on('peerState', (e) => print({ event: 'peerState', ...e }));
  speaker.on('bfdState', (e) => print({ event: 'bfdState', ...e }));
  speaker.on('bfdTeardown', (e) => print({ event: 'bfdTeardown', ...e }));
  speaker.on('announcements', (e) => print({ event: 'announcements', ...e }));
  speaker.on('serviceStatus', (e) => print({ event: 'serviceStatus', ...e }));
  speaker.on('error', (e) => print({ event: 'error', peer: e.peer, code: e.error.code, message: e.error.message }));
  try {
    await speaker.apply(first.config);
    await speaker.start();
  } catch (e) {
    if (e instanceof MetalLbConfigError) for (const i of e.issues) io.stderr.write(`tsbgp speaker: ${formatIssue(i)}\n`);
    else io.stderr.write(`tsbgp speaker: ${e instanceof BgpError ? e.describe() : e instanceof Error ? e.message : String(e)}\n`);
    await speaker.stop().catch(() => {});
    return 1;
  }
  print({ event: 'started', node: flags.node, files: flags.files, generation: speaker.snapshot().generation });

  let lastText = first.text;
  let stopping = false;
  let reloading: Promise<void> = Promise.resolve();
  const reload = (why: string): void => {
    reloading = reloading.then(async () => {
      if (stopping) return;
      const next = await load(flags.files);
      if ('issues' in next) {
        print({ event: 'configRejected', reason: why, generation: speaker.snapshot().generation, issues: next.issues });
        return;
      }
      if (next.text === lastText && why === 'file changed') return;
      for (const w of next.warnings) print({ event: 'configWarning', message: w });
      try {
        await speaker.apply(next.config);
        lastText = next.text;
      } catch (e) {
        const issues = e instanceof MetalLbConfigError ? e.issues.map(formatIssue) : [e instanceof Error ? e.message : String(e)];
        print({ event: 'configRejected', reason: why, generation: speaker.snapshot().generation, issues });
      }
    });
  };
  const watcher = watchFiles(flags.files, overrides.debounceMs ?? 150, () => reload('file changed'), (message) => print({ event: 'error', code: 'ERR_WATCH', message }));

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  const shutdown = (message: string): void => {
    if (stopping) return;
    stopping = true;
    watcher.close();
    print({ event: 'shutdown', message });
    void reloading
      .then(() => speaker.stop(message))
      .then(
        () => resolveDone(0),
        (e: unknown) => {
          print({ event: 'error', code: 'ERR_SHUTDOWN', message: e instanceof Error ? e.message : String(e) });
          resolveDone(1);
        },
      );
  };
  const offSignal = io.onSignal?.((signal) => shutdown(`tsbgp speaker stopped (${signal})`));
  const offReload = io.onReload?.(() => reload('SIGHUP'));
  void (async () => {
    for await (const line of lines(io.stdin)) {
      if (stopping) break;
      const cmd = line.trim();
      if (cmd === '') continue;
      if (cmd === '{"dump":"snapshot"}') print({ event: 'snapshot', ...speaker.snapshot() });
      else if (cmd === '{"reload":true}') reload('stdin');
      else if (cmd === '{"shutdown":true}') shutdown('tsbgp speaker shutdown');
      else print({ event: 'error', code: 'ERR_CLI_BAD_COMMAND', message: `expected {"dump":"snapshot"}, {"reload":true} or {"shutdown":true}, got ${cmd.slice(0, 80)}` });
    }
  })().catch(() => {});
  const code = await done;
  offSignal?.();
  offReload?.();
  return code;
}

/** Watches each file's directory (editors replace files by rename); calls `changed` once per burst. */
function watchFiles(files: readonly string[], debounceMs: number, changed: () => void, failed: (message: string) => void): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  const fire = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      changed();
    }, debounceMs);
  };
  const byDir = new Map<string, Set<string>>();
  for (const f of files) {
    const set = byDir.get(dirname(f)) ?? new Set<string>();
    set.add(basename(f));
    byDir.set(dirname(f), set);
  }
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name.toString())) fire();
      });
      w.on('error', (e) => failed(`watching ${dir}: ${e.message}`));
      watchers.push(w);
    } catch (e) {
      failed(`cannot watch ${dir}: ${(e as Error).message}; reload with SIGHUP`);
    }
  }
  return {
    close: () => {
      if (timer !== undefined) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
