/**
 * The `tower` command line: serve, dump, version, help. Usage errors print
 * one line naming the flag or variable and exit 2; runtime failures exit 1.
 */
import { ConfigError } from '../config/errors';
import { dumpHelp, mainHelp, serveHelp } from './help';
import { towerVersion } from './version';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
};

const wantsHelp = (args: readonly string[]): boolean => args.includes('--help') || args.includes('-h');

/** Runs a command; resolves with its exit code (serve resolves when the server has shut down). */
export async function run(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(mainHelp);
        return 0;
      case 'version':
      case '--version':
      case '-v':
        io.out(`tower ${towerVersion()}\n`);
        return 0;
      case 'serve':
        if (wantsHelp(rest)) {
          io.out(serveHelp);
          return 0;
        }
        // Loaded on demand: the pipeline and Envoy's protos take seconds to load.
        return await (await import('./serve')).runServe(rest, io);
      case 'dump':
        if (wantsHelp(rest)) {
          io.out(dumpHelp);
          return 0;
        }
        return await (await import('./dump')).runDump(rest, io);
      default:
        throw new ConfigError(
          command.startsWith('-') ? `tower: unknown flag ${command} (see 'tower --help')` : `tower: unknown command ${JSON.stringify(command)} (see 'tower --help')`,
        );
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`${err.message}\n`);
      return err.exitCode;
    }
    io.err(`tower ${command ?? ''}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/** Entry point used by bin/tower.js. */
export function main(argv: string[]): void {
  run(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`tower: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
