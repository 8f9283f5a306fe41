/**
 * `tsbgp encode [--as2] [--add-path ipv4,ipv6] [--extended-message] [<json> | -]`: reads the JSON
 * form (docs/json.md) of one message from the argument, or one per line from stdin, and prints
 * the hex of each. A bad one prints an error line naming the JSON path; exit status 1.
 */
import { toHex } from '../bgp/codec/bytes.js';
import { encodeMessage } from '../bgp/codec/message.js';
import { BgpError } from '../bgp/errors.js';
import { messageFromJson } from '../bgp/json/message.js';
import { parseCodecArgs } from './codec-options.js';
import { type CliIo, lines, UsageError } from './io.js';

export const ENCODE_USAGE = 'usage: tsbgp encode [--as2] [--add-path ipv4,ipv6] [--extended-message] [<json> | -]';

export async function encodeCommand(argv: string[], io: CliIo): Promise<number> {
  const { ctx, positionals } = parseCodecArgs(argv, ENCODE_USAGE);
  if (positionals.length > 1) throw new UsageError(ENCODE_USAGE);
  const encodeOne = (text: string): string => {
    let j: unknown;
    try {
      j = JSON.parse(text);
    } catch (e) {
      throw new BgpError('ERR_BGP_BAD_JSON', `not JSON: ${(e as Error).message}`);
    }
    return toHex(encodeMessage(messageFromJson(j), ctx));
  };
  const arg = positionals[0] ?? '-';
  if (arg !== '-') {
    try {
      io.stdout.write(`${encodeOne(arg)}\n`);
      return 0;
    } catch (e) {
      if (!(e instanceof BgpError)) throw e;
      io.stderr.write(`tsbgp encode: ${e.describe()}\n`);
      return 1;
    }
  }
  let failed = 0;
  let lineNo = 0;
  for await (const line of lines(io.stdin)) {
    lineNo++;
    if (line.trim() === '') continue;
    try {
      io.stdout.write(`${encodeOne(line)}\n`);
    } catch (e) {
      if (!(e instanceof BgpError)) throw e;
      failed++;
      io.stdout.write(`${JSON.stringify({ line: lineNo, ...e.toJSON() })}\n`);
    }
  }
  if (failed > 0) io.stderr.write(`tsbgp encode: ${failed} message(s) could not be encoded\n`);
  return failed > 0 ? 1 : 0;
}
