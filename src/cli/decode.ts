/**
 * `tsbgp decode [--as2] [--add-path ipv4,ipv6] [--extended-message] <hex> | -`: prints each
 * message as JSON (docs/json.md). With `-`, one hex message per line from stdin and one JSON
 * line per message; a bad one prints a JSON error object on its line and the exit status is 1.
 */
import { fromHex } from '../bgp/codec/bytes.js';
import { decodeMessage } from '../bgp/codec/message.js';
import { BgpError } from '../bgp/errors.js';
import { messageToJsonWithLength } from '../bgp/json/message.js';
import { parseCodecArgs } from './codec-options.js';
import { type CliIo, lines, UsageError } from './io.js';

export const DECODE_USAGE = 'usage: tsbgp decode [--as2] [--add-path ipv4,ipv6] [--extended-message] <hex> | -';

export async function decodeCommand(argv: string[], io: CliIo): Promise<number> {
  const { ctx, positionals } = parseCodecArgs(argv, DECODE_USAGE);
  if (positionals.length !== 1) throw new UsageError(DECODE_USAGE);
  const arg = positionals[0]!;
  const decodeOne = (hex: string): { json: unknown; error?: BgpError } => {
    try {
      const bytes = fromHex(hex);
      const m = decodeMessage(bytes, ctx);
      return { json: messageToJsonWithLength(m, bytes.length, ctx) };
    } catch (e) {
      if (e instanceof BgpError) return { json: e.toJSON(), error: e };
      throw e;
    }
  };
  if (arg !== '-') {
    const r = decodeOne(arg);
    if (r.error) {
      io.stderr.write(`tsbgp decode: ${r.error.describe()}\n`);
      return 1;
    }
    io.stdout.write(`${JSON.stringify(r.json, null, 2)}\n`);
    return 0;
  }
  let failed = 0;
  let lineNo = 0;
  for await (const line of lines(io.stdin)) {
    lineNo++;
    if (line.trim() === '') continue;
    const r = decodeOne(line);
    if (r.error) {
      failed++;
      io.stdout.write(`${JSON.stringify({ line: lineNo, ...(r.json as object) })}\n`);
    } else {
      io.stdout.write(`${JSON.stringify(r.json)}\n`);
    }
  }
  if (failed > 0) io.stderr.write(`tsbgp decode: ${failed} message(s) could not be decoded\n`);
  return failed > 0 ? 1 : 0;
}
