/**
 * The `tsbgp` command: dispatches to subcommands. Exit status 0 on success, 1 when input was
 * bad (the error is printed), 2 on a usage error.
 */
import { decodeCommand } from './decode.js';
import { encodeCommand } from './encode.js';
import { allocateCommand } from './allocate.js';
import { bfdCommand } from './bfd.js';
import { sessionCommand } from './session.js';
import { speakerCommand } from './speaker.js';
import { demoCommand } from '../demo/demo.js';
import { type CliIo, UsageError } from './io.js';

const USAGE = `usage: tsbgp <command> [options]
commands:
  decode [--as2] [--add-path ipv4,ipv6] [--extended-message] <hex> | -   BGP message(s) -> JSON
  encode [--as2] [--add-path ipv4,ipv6] [--extended-message] [<json> | -] JSON -> hex
  allocate --config FILE [--config FILE ...] [--node NAME] [--json]       MetalLB Service IPs, like kubectl get svc (tsbgp allocate --help)
  speaker --config FILE --node NAME [--node-address A] [--events json]  one node's MetalLB BGP speaker (tsbgp speaker --help)
  demo [--json] [--hold-time S]                                          the MetalLB failover drill on loopback (npm run demo)
  session --local-as N --peer A --peer-as N [options]                    run a BGP session (tsbgp session --help)
  bfd --local A --peer A [--multihop] [--rx MS] [--tx MS] [--multiplier N] [--passive]
      [--min-ttl N] [--auth TYPE:KEYID:SECRET] [--port N] [--events json]  run a BFD session (tsbgp bfd --help)`;

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  decode: decodeCommand,
  encode: encodeCommand,
  allocate: allocateCommand,
  speaker: (argv, io) => speakerCommand(argv, io),
  demo: demoCommand,
  session: (argv, io) => sessionCommand(argv, io),
  bfd: (argv, io) => bfdCommand(argv, io),
};

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const cmd = name === undefined ? undefined : COMMANDS[name];
  if (cmd === undefined) {
    if (name === undefined || name === '--help' || name === '-h') io.stderr.write(`${USAGE}\n`);
    else io.stderr.write(`tsbgp: unknown command ${JSON.stringify(name)} (commands: ${Object.keys(COMMANDS).join(', ')}; tsbgp --help)\n`);
    return 2;
  }
  try {
    return await cmd(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`tsbgp ${name}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
