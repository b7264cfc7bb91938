#!/usr/bin/env node
// Launcher so `npx bnn` works from a checkout: the CLI itself is the esbuild bundle in dist/ (`npm run build`).
let cli;
try {
  cli = require('../dist/cli.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && /dist[\\/]cli\.js/.test(err.message)) {
    process.stderr.write('bnn: the CLI is not built yet: run `npm run build` first\n');
    process.exit(1);
  }
  throw err;
}
cli.run(process.argv.slice(2));
