/**
 * `npm install` rewrites package-lock.json whenever its root entry lists dependencies package.json does not (the
 * skeleton's lock had the optional tfjs-node under `dependencies` too, so every fresh install dirtied the work tree).
 * npm ci does not notice an extra entry, so this checks the root entry against package.json section by section.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const readJson = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(root, name), 'utf8')) as Record<string, unknown>;

describe('package-lock.json is stable under npm install', () => {
  const pkg = readJson('package.json');
  const lock = readJson('package-lock.json') as { packages: Record<string, Record<string, unknown>> };
  const rootEntry = lock.packages[''];

  for (const section of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    it(`its root entry's ${section} are package.json's`, () => {
      assert.deepEqual(rootEntry[section] ?? {}, pkg[section] ?? {});
    });
  }

  it('keeps tfjs-node optional: an install that cannot build it still succeeds', () => {
    const deps = pkg.dependencies as Record<string, string>;
    assert.ok(!('@tensorflow/tfjs-node' in deps), 'tfjs-node must not be a required dependency');
    assert.equal(lock.packages['node_modules/@tensorflow/tfjs-node']?.optional, true);
  });
});
