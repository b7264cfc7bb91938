// `npm run demo`: the main job on the bundled examples, end to end — size estimates, a short Bop training run on the
// bundled Fashion-MNIST subset, and the trained model compiled to C and measured on the emulated STM32 board (QEMU).
// Every tool is checked first, so a fresh machine learns everything it lacks from one line; without QEMU or the Arm
// compiler the compiled C is still checked bit for bit on the host (gcc), and the demo ends with a note, not a failure.
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const cliPath = join(root, 'dist', 'cli.js');
const cli = require(cliPath);
process.chdir(root);
const experiments = join('.bnn', 'experiments');

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const say = (s) => process.stdout.write(color ? `\n\x1b[1m== ${s}\x1b[0m\n` : `\n== ${s}\n`);
const run = async (...args) => {
  process.stdout.write(`$ bnn ${args.join(' ')}\n`);
  return cli.main(args);
};

say('0. Tools');
const tools = JSON.parse(execFileSync(process.execPath, [cliPath, 'tools', '--json'], { encoding: 'utf8' }));
const has = (t) => tools.tools.some((s) => s.tool === t && s.path);
const emulatorMissing = ['arm-none-eabi-gcc', 'arm-none-eabi-size', 'newlib', 'qemu-system-arm'].filter((t) => !has(t));
const hostMissing = has('gcc') ? [] : ['gcc'];
if (!emulatorMissing.length && !hostMissing.length) {
  process.stdout.write('found everything the demo uses: gcc, the Arm cross-compiler, newlib, QEMU\n');
} else {
  process.stdout.write(`missing: ${[...hostMissing, ...emulatorMissing].join(', ')}\ninstall them all with:\n  ${tools.installNoHardware}\n` +
    'the demo goes on with what is there.\n');
}

say('1. Model summaries (deployed bytes = what the compiled C stores)');
for (const f of readdirSync('examples').filter((f) => f.endsWith('.bnn.json')).sort()) {
  if (await run('summary', join('examples', f)) !== 0) process.exit(1);
  process.stdout.write('\n');
}

say('2. Train the binary MLP with Bop on the bundled Fashion-MNIST subset');
if (await run('train', 'examples/binary-mlp.bnn.json', '--data', 'bundled', '--epochs', '3', '--experiments', experiments) !== 0) process.exit(1);
// The newest experiment of this model is the one just trained.
const runs = readdirSync(experiments).filter((d) => d.includes('binary_mlp')).sort();
const latest = join(experiments, runs[runs.length - 1]);

if (!emulatorMissing.length) {
  say('3. Compile to bit-packed C and measure it on the emulated STM32F405 board (QEMU)');
  const code = await run('bench', latest, '--board', 'qemu-stm32', '--samples', '200');
  if (code !== 0) process.exit(code);
  say(`Done. The run is in ${latest}; open this folder in VS Code with BNN Studio to see its charts and device results.`);
} else if (!hostMissing.length) {
  say('3. Compile to bit-packed C and check it bit for bit on this machine (gcc; the emulated board needs the missing tools)');
  const code = await run('bench', latest, '--host', '--samples', '200');
  if (code !== 0) process.exit(code);
  say(`Done, without the emulated board: ${emulatorMissing.join(', ')} ${emulatorMissing.length > 1 ? 'are' : 'is'} missing.`);
  process.stdout.write(`To measure on-device accuracy and latency too, install them and run npm run demo again:\n  ${tools.installEmulator}\nThe run is in ${latest}.\n`);
} else {
  say('3. Skipped: compiling and checking the C needs gcc, and the emulated board needs the tools listed in step 0.');
  process.stdout.write(`Install them with:\n  ${tools.installNoHardware}\nThe run is in ${latest}; open this folder in VS Code with BNN Studio to see its charts.\n`);
}
