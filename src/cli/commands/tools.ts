import { checkTools, EMULATOR_TOOLS, installMissing, NO_HARDWARE_TOOLS } from '../../core/device/toolCheck';
import { parseArgs, type CliCommand } from '../errors';

export const toolsCommand: CliCommand = {
  name: 'tools',
  usage: 'bnn tools [--json]',
  summary: 'check every external tool at once (compilers, QEMU, flashers) and print one command that installs the missing ones',
  async run(args) {
    const { bools } = parseArgs(args, { booleans: ['json'] });
    const status = checkTools();
    const install = installMissing(status);
    const emulator = installMissing(status, EMULATOR_TOOLS);
    if (bools.has('json')) {
      process.stdout.write(`${JSON.stringify({ tools: status, missing: status.filter((s) => !s.path).map((s) => s.tool), install, installEmulator: emulator, installNoHardware: installMissing(status, NO_HARDWARE_TOOLS) }, null, 2)}\n`);
      return 0;
    }
    const w = Math.max(...status.map((s) => s.tool.length));
    for (const s of status) process.stdout.write(`${s.tool.padEnd(w)}  ${s.path ?? `missing${s.problem ? ` (${s.problem})` : ''}`}\n${' '.repeat(w + 2)}${s.purpose}\n`);
    if (emulator) process.stdout.write(`\nfor the emulated board: ${emulator}\n`);
    if (install && install !== emulator) process.stdout.write(`everything: ${install}\n`);
    if (!install) process.stdout.write('\nall found\n');
    return 0;
  },
};
