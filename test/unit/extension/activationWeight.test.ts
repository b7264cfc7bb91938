import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const root = join(__dirname, '..', '..', '..');

/**
 * What the extension host evaluates when it activates: the modules statically reachable from extension.ts in the
 * bundle (esbuild evaluates a dynamically imported module only when the import runs).
 */
async function eagerInputs(): Promise<{ reachable: Map<string, string[]>; externals: Map<string, string[]>; bytes: number }> {
  const r = await esbuild.build({
    entryPoints: [join(root, 'src/extension/extension.ts')], absWorkingDir: root, bundle: true, write: false, metafile: true,
    platform: 'node', format: 'cjs', mainFields: ['module', 'main'], outfile: 'out.js', logLevel: 'silent',
    external: ['vscode', 'serialport', '@serialport/*', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm'],
  });
  const inputs = r.metafile.inputs;
  const entry = Object.keys(inputs).find((f) => f.endsWith('src/extension/extension.ts'))!;
  const reachable = new Map<string, string[]>([[entry, [entry]]]);
  /** Run-time packages (outside the bundle) required while activating. */
  const externals = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length) {
    const f = queue.shift()!;
    for (const imp of inputs[f]?.imports ?? []) {
      if (imp.kind === 'dynamic-import' || reachable.has(imp.path)) continue;
      if (imp.external) {
        if (!externals.has(imp.path)) externals.set(imp.path, [...reachable.get(f)!, imp.path]);
        continue;
      }
      reachable.set(imp.path, [...reachable.get(f)!, imp.path]);
      queue.push(imp.path);
    }
  }
  let bytes = 0;
  for (const f of reachable.keys()) bytes += inputs[f]?.bytes ?? 0;
  return { reachable, externals, bytes };
}

describe('extension activation weight', () => {
  let eager: Awaited<ReturnType<typeof eagerInputs>>;
  before(async function () {
    this.timeout(60_000);
    eager = await eagerInputs();
  });

  it('does not load TensorFlow.js in the extension host at activation', () => {
    const tf = [...eager.reachable.entries()].find(([f]) => f.includes('node_modules/@tensorflow/'));
    assert.equal(tf, undefined, `TensorFlow.js is imported eagerly via:\n  ${tf?.[1].filter((p) => !p.includes('node_modules/@tensorflow/') || p === tf[0]).join('\n  -> ')}\nimport it with await import() where it is used`);
  });

  it('loads no native module (serialport) while activating', () => {
    const native = [...eager.externals.entries()].find(([name]) => name === 'serialport' || name.startsWith('@serialport/'));
    assert.equal(native, undefined, `serialport is required at activation via:\n  ${native?.[1].join('\n  -> ')}\nuse await import('serialport') where a port is opened`);
  });

  it('loads the model validator (ajv) only on first use', () => {
    const ajv = [...eager.reachable.entries()].find(([f]) => f.includes('node_modules/ajv/'));
    assert.equal(ajv, undefined, `ajv is imported eagerly via:\n  ${ajv?.[1].join('\n  -> ')}\nimport the model loader with await import() where it is used`);
  });
});
