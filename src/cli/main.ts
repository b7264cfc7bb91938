// The `bnn` command: a thin argument parser over src/core. Exit codes: 0 ok, 1 invalid input, 2 usage.
import { BOARDS } from '../core/boards';

const USAGE = `usage: bnn <command> [options]

commands:
  boards                      list supported boards
`;

export async function main(argv: string[]): Promise<number> {
  const [cmd] = argv;
  switch (cmd) {
    case 'boards':
      for (const b of BOARDS) process.stdout.write(`${b.id.padEnd(16)} ${b.name} — ${b.flashBytes / 1024} KB flash, ${b.ramBytes / 1024} KB RAM\n`);
      return 0;
    default:
      process.stderr.write(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
  process.stderr.write(`bnn: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
