// `npm run demo`: the main job on the bundled examples, end to end — size estimates, a short Bop training run on the
// bundled Fashion-MNIST subset, and the trained model compiled to C and measured on the emulated STM32 board (QEMU).
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const cli = require(join(root, 'dist', 'cli.js'));
process.chdir(root);
const experiments = join('.bnn', 'experiments');

const say = (s) => process.stdout.write(`\n\x1b[1m== ${s}\x1b[0m\n`);
const run = async (...args) => {
  process.stdout.write(`$ bnn ${args.join(' ')}\n`);
  return cli.main(args);
};

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

say('3. Compile to bit-packed C and measure it on the emulated STM32F405 board (QEMU)');
const code = await run('bench', latest, '--board', 'qemu-stm32', '--samples', '200');
if (code !== 0) {
  process.stdout.write('\nThe emulated board needs QEMU and the Arm cross-compiler; the message above says what to install.\n');
  process.exit(code);
}
say(`Done. The run is in ${latest}; open this folder in VS Code with BNN Studio to see its charts and device results.`);
