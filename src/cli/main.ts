// The `bnn` command: a thin dispatcher over src/core. Exit codes: 0 ok, 1 invalid input, 2 usage.
import { UsageError, InputError, type CliCommand } from './errors';
import { summaryCommand } from './commands/summary';
import { validateCommand } from './commands/validate';
import { boardsCommand } from './commands/boards';
import { importCommand } from './commands/importModel';
import { exportLarqCommand } from './commands/exportLarq';
import { exportTorchCommand } from './commands/exportTorch';
import { exportCommand } from './commands/export';
import { experimentsCommand } from './commands/experiments';
import { datasetsCommand } from './commands/datasets';
import { trainCommand } from './commands/train';
import { sweepCommand } from './commands/sweep';
import { evalCommand } from './commands/eval';
import { compileCommand } from './commands/compile';
import { benchCommand } from './commands/bench';
import { flashCommand } from './commands/flash';
import { toolsCommand } from './commands/tools';

const COMMANDS: CliCommand[] = [
  summaryCommand,
  validateCommand,
  boardsCommand,
  importCommand,
  exportLarqCommand,
  exportTorchCommand,
  exportCommand,
  experimentsCommand,
  datasetsCommand,
  trainCommand,
  sweepCommand,
  evalCommand,
  compileCommand,
  benchCommand,
  flashCommand,
  toolsCommand,
];

function usage(): string {
  // Usages are long (train has a dozen flags): each gets its own line, its summary indented below it.
  return `usage: bnn <command> [options]\n\n${COMMANDS.map((c) => `  ${c.usage}\n      ${c.summary}`).join('\n')}\n\nExit codes: 0 ok, 1 invalid input, 2 usage.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`bnn: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`usage: ${cmd.usage}\n    ${cmd.summary}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) { process.stderr.write(`bnn ${name}: ${err.message}\nusage: ${cmd.usage}\n`); return 2; }
    if (err instanceof InputError) { process.stderr.write(`bnn ${name}: ${err.message}\n`); return 1; }
    throw err;
  }
}

/** Runs the CLI as a process: sets the exit code, and reports an unexpected exception as an internal error. */
export function run(argv: string[]): void {
  exitQuietlyOnEpipe(process.stdout);
  exitQuietlyOnEpipe(process.stderr);
  main(argv).then((code) => { process.exitCode = code; }, (err) => {
    process.stderr.write(formatInternalError(err, process.env));
    process.exitCode = 1;
  });
}

/** One line for an unexpected exception; the stack trace only when BNN_DEBUG is set (users get no stack for bad input). */
export function formatInternalError(err: unknown, env: NodeJS.ProcessEnv): string {
  const debug = !!env.BNN_DEBUG && env.BNN_DEBUG !== '0';
  if (debug && err instanceof Error && err.stack) return `bnn: internal error: ${err.stack}\n`;
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return `bnn: internal error: ${msg.split('\n')[0]}${debug ? '' : ' (set BNN_DEBUG=1 for a stack trace)'}\n`;
}

if (require.main === module) run(process.argv.slice(2));

/** `bnn experiments | head -1`: the reader closing the pipe is not an error; exit 0 quietly instead of an unhandled EPIPE. */
export function exitQuietlyOnEpipe(stream: NodeJS.EventEmitter, exit: (code: number) => void = (c) => process.exit(c)): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') exit(0);
    else throw err;
  });
}
