#!/usr/bin/env node
// Thin launcher so `npx bnn` works from a checkout: the CLI itself is the esbuild bundle in dist/.
require('../dist/cli.js');
