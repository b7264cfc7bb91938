// `npm run demo`: the main job on the bundled examples, end to end as far as the pipeline goes.
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const cli = require(join(root, 'dist', 'cli.js'));

const say = (s) => process.stdout.write(`\n\x1b[1m== ${s}\x1b[0m\n`);
const run = async (...args) => {
  process.stdout.write(`$ bnn ${args.join(' ')}\n`);
  const code = await cli.main(args);
  if (code !== 0) throw new Error(`bnn ${args.join(' ')} exited with ${code}`);
};

say('1. Model summaries (deployed bytes = what the compiled C stores)');
for (const f of readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.bnn.json')).sort()) {
  await run('summary', join('examples', f));
  process.stdout.write('\n');
}
