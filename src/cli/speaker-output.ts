/**
 * Output of `tsbgp speaker`: one JSON object per line (`--events json`), or one line a person
 * reads at a glance per event (text). Owns only formatting.
 */
import type { CliIo } from './io.js';

type Json = Record<string, unknown>;

const list = (x: unknown): string => (Array.isArray(x) && x.length > 0 ? x.join(',') : '-');

function text(e: Json): string {
  const who = e.peer === undefined ? '' : `${String(e.peer)} (${String(e.address ?? '')})`;
  switch (e.event) {
    case 'peerState':
      return `${who} BGP ${String(e.from)} -> ${String(e.to)}${e.to === 'Established' ? '' : `: ${String(e.reason)}`}`;
    case 'bfdState':
      return `${who} BFD ${String(e.from)} -> ${String(e.to)}${e.to === 'Up' ? '' : ` (${String(e.diagName)})`}`;
    case 'bfdTeardown':
      return `${who} BFD down (${String(e.diagName)}): BGP torn down from ${String(e.bgpState)} with Cease / BFD Down`;
    case 'announcements': {
      const add = (e.added as string[]).map((p) => `+${p}`);
      const del = (e.withdrawn as string[]).map((p) => `-${p}`);
      const changed = Number(e.changed) > 0 ? [`${String(e.changed)} changed`] : [];
      return `${who} routes ${[...add, ...del, ...changed].join(' ')} (now ${(e.prefixes as string[]).length})`;
    }
    case 'serviceStatus':
      return `service ${String(e.service)} ${list(e.ips)}: ${e.status === 'announced' ? `announced to ${list(e.peers)}` : `not announced (${String(e.status)})`}`;
    case 'applied':
      return (
        `config generation ${String(e.generation)}: peers added ${list(e.peersAdded)}, removed ${list(e.peersRemoved)}, reset ${list(e.peersReset)}, kept ${list(e.peersKept)}; ` +
        `${String(e.announced)} of ${String(e.services)} services announced` +
        ((e.allocationFailures as unknown[]).length > 0 ? `; not allocated: ${(e.allocationFailures as { service: string; reason: string }[]).map((f) => `${f.service} (${f.reason})`).join('; ')}` : '') +
        ((e.conflicts as unknown[]).length > 0 ? `; conflicts: ${(e.conflicts as string[]).join('; ')}` : '')
      );
    case 'configRejected':
      return `config rejected (${String(e.reason)}), generation ${String(e.generation)} keeps running:\n${(e.issues as string[]).map((i) => `  ${i}`).join('\n')}`;
    case 'configWarning':
      return `config warning: ${String(e.message)}`;
    case 'started':
      return `node ${String(e.node)} speaker started (generation ${String(e.generation)})`;
    case 'shutdown':
      return `shutdown: ${String(e.message)}`;
    case 'error':
      return `${who === '' ? '' : `${who} `}error ${String(e.code)}: ${String(e.message)}`;
    default: {
      const { event, ...rest } = e;
      return `${String(event)} ${JSON.stringify(rest)}`;
    }
  }
}

export function speakerPrinter(io: CliIo, format: 'json' | 'text'): (e: Json) => void {
  return (e) => {
    const time = new Date().toISOString();
    io.stdout.write(format === 'json' ? `${JSON.stringify({ time, ...e })}\n` : `${time} ${text(e)}\n`);
  };
}
