/**
 * A demo node: `tsbgp speaker --config cluster.yaml --node NAME --events json` as a child
 * process, so that a hard failure is real: SIGSTOP freezes it (no packets, no TCP close) and
 * SIGCONT thaws it. Its JSON events go to the timeline.
 *
 * Owns: the child process it spawned (signals only to its own PID) and parsing its output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Timeline } from './timeline.js';

export interface DemoNodeOptions {
  readonly name: string;
  readonly address: string;
  readonly configFile: string;
  readonly bfdPort: number;
  /** bin/tsbgp.js */
  readonly cli: string;
  readonly timeline: Timeline;
}

type Json = Record<string, unknown>;

export class DemoNode {
  readonly name: string;
  readonly address: string;
  readonly #o: DemoNodeOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<number | null> | undefined;
  #stderr = '';
  /** Highest config generation the speaker reported applied. */
  generation = 0;
  frozen = false;
  readonly events: Json[] = [];

  constructor(o: DemoNodeOptions) {
    this.#o = o;
    this.name = o.name;
    this.address = o.address;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get stderr(): string {
    return this.#stderr;
  }

  start(): void {
    const o = this.#o;
    const child = spawn(process.execPath, [o.cli, 'speaker', '--config', o.configFile, '--node', o.name, '--node-address', o.address, '--bfd-port', String(o.bfdPort), '--events', 'json'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    let rest = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      rest += chunk;
      let i: number;
      while ((i = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, i);
        rest = rest.slice(i + 1);
        try {
          this.#onEvent(JSON.parse(line) as Json);
        } catch {
          this.#o.timeline.add(this.name, `output: ${line.slice(0, 120)}`);
        }
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      this.#stderr += chunk;
    });
  }

  #onEvent(e: Json): void {
    this.events.push(e);
    const tl = this.#o.timeline;
    switch (e.event) {
      case 'applied':
        this.generation = Number(e.generation);
        if (this.generation > 1) tl.add(this.name, `config reloaded (generation ${this.generation})`);
        return;
      case 'announcements': {
        const add = (e.added as string[]).map((p) => `announce ${p}`);
        const del = (e.withdrawn as string[]).map((p) => `withdraw ${p}`);
        if (add.length + del.length > 0) tl.add(this.name, `${[...add, ...del].join(', ')} to ${String(e.peer)}`);
        return;
      }
      case 'serviceStatus':
        if (e.previous !== undefined) tl.add(this.name, `service ${String(e.service)}: ${String(e.status)}`);
        return;
      case 'peerState':
        if (e.to === 'Established' || e.from === 'Established') tl.add(this.name, `BGP ${String(e.peer)} ${String(e.from)} -> ${String(e.to)}${e.to === 'Established' ? '' : ` (${String(e.reason)})`}`);
        return;
      case 'error':
      case 'configRejected':
        tl.add(this.name, `${String(e.event)}: ${JSON.stringify(e.issues ?? e.message)}`);
        return;
      default:
    }
  }

  /** A hard failure: the process stops dead (SIGSTOP), sockets stay open, nothing is sent. */
  freeze(): void {
    if (this.#child?.pid === undefined) return;
    process.kill(this.#child.pid, 'SIGSTOP');
    this.frozen = true;
  }

  thaw(): void {
    if (this.#child?.pid === undefined || !this.frozen) return;
    process.kill(this.#child.pid, 'SIGCONT');
    this.frozen = false;
  }

  /** SIGTERM (Cease to its peers) and wait up to `graceMs`, then SIGKILL. */
  async stop(graceMs = 3000): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    this.thaw();
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((r) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        r();
      }, graceMs);
    });
    await Promise.race([this.#exited, killed]);
    clearTimeout(timer);
    await this.#exited;
  }
}
