/** Flags shared by `tsbgp decode` and `tsbgp encode` that set the codec context. */
import { parseArgs } from 'node:util';
import { codecContext, type CodecContext } from '../bgp/codec/context.js';
import { UsageError } from './io.js';

export interface CodecCommandArgs {
  ctx: CodecContext;
  positionals: string[];
}

export function parseCodecArgs(argv: string[], usage: string): CodecCommandArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        as2: { type: 'boolean', default: false },
        'add-path': { type: 'string' },
        'extended-message': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (${usage})`);
  }
  if (parsed.values.help) throw new UsageError(usage);
  const addPath: ('ipv4' | 'ipv6')[] = [];
  for (const af of (parsed.values['add-path'] ?? '').split(',').filter(Boolean)) {
    if (af !== 'ipv4' && af !== 'ipv6') throw new UsageError(`--add-path takes ipv4, ipv6 or ipv4,ipv6 (got ${JSON.stringify(af)})`);
    addPath.push(af);
  }
  return {
    ctx: codecContext({ fourOctetAs: !parsed.values.as2, addPath, extendedMessage: parsed.values['extended-message'] }),
    positionals: parsed.positionals,
  };
}
