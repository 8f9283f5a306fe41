/** The streams a CLI command uses, injected so tests can run commands in-process. */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** Subscribes to termination signals (SIGTERM, SIGINT); returns an unsubscribe function. Long-running commands use it. */
  onSignal?: ((handler: (signal: string) => void) => () => void) | undefined;
  /** Subscribes to the reload signal (SIGHUP); returns an unsubscribe function. */
  onReload?: ((handler: () => void) => () => void) | undefined;
}

/** Reads stdin line by line (bounded by the input itself). */
export async function* lines(stream: NodeJS.ReadableStream): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of stream) {
    rest += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    let i: number;
    while ((i = rest.indexOf('\n')) >= 0) {
      yield rest.slice(0, i).replace(/\r$/, '');
      rest = rest.slice(i + 1);
    }
  }
  if (rest.length > 0) yield rest.replace(/\r$/, '');
}

/** A usage error: exit status 2 and one line on stderr. */
export class UsageError extends Error {
  readonly code = 'ERR_CLI_USAGE';
}
