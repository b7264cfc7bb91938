import { BOARDS } from '../../core/boards';
import { parseArgs, type CliCommand } from '../errors';
import { describeConnected, detectBoards } from '../../core/device/detect';
import { listSerialPorts } from '../../core/device/serialPorts';

export const boardsCommand: CliCommand = {
  name: 'boards',
  usage: 'bnn boards [--json]',
  summary: 'list supported boards and the ones connected now',
  async run(args) {
    const { bools } = parseArgs(args, { booleans: ['json'] });
    if (bools.has('json')) { process.stdout.write(`${JSON.stringify(BOARDS, null, 2)}\n`); return 0; }
    const rows = BOARDS.map((b) => [b.id, b.name, `${b.flashBytes / 1024} KB`, `${b.ramBytes / 1024} KB`, `${b.clockHz / 1e6} MHz`, b.flashMethods.join(', ')]);
    const header = ['ID', 'BOARD', 'FLASH', 'RAM', 'CLOCK', 'FLASH WITH'];
    const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [header, ...rows]) process.stdout.write(`${r.map((v, i) => v.padEnd(w[i])).join('  ').trimEnd()}\n`);
    process.stdout.write('\nconnected now:\n');
    try {
      process.stdout.write(`${describeConnected(detectBoards(await listSerialPorts())).join('\n')}\n`);
    } catch (err) {
      // the supported-boards table above is still right: say what is missing in one line, not a failure
      process.stdout.write(`  (${(err as Error).message})\n`);
    }
    return 0;
  },
};
