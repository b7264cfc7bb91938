import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const root = join(__dirname, '..', '..', '..');

type PackageLib = typeof import('../../../scripts/package.mjs');
const lib = (): Promise<PackageLib> => import('../../../scripts/package.mjs');

/** Names (and, for small text entries, contents) of a zip's files, from its central directory. */
function readZip(file: string): Map<string, () => string> {
  const buf = readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, () => string>();
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50);
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    out.set(name, () => {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + size);
      return (method === 8 ? inflateRawSync(data) : data).toString('utf8');
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

describe('packaging (.vsix)', () => {
  it('ships only the packages the bundles leave external, never built-ins or vscode', async () => {
    const { runtimePackages } = await lib();
    assert.deepEqual(runtimePackages(['vscode', 'node:fs', 'fs', 'child_process', 'serialport', '@serialport/bindings-cpp/dist/x', '@tensorflow/tfjs-node']),
      ['@serialport/bindings-cpp', '@tensorflow/tfjs-node', 'serialport']);
    assert.deepEqual(runtimePackages([]), []);
  });

  it('copies a runtime module with its whole production dependency closure (serialport: native bindings included)', async () => {
    const { dependencyClosure } = await lib();
    const { packages, missing } = dependencyClosure(['serialport'], root);
    const rels = packages.map((p) => p.rel.split('\\').join('/'));
    for (const needed of ['serialport', '@serialport/bindings-cpp', '@serialport/stream', 'node-gyp-build', 'debug']) {
      assert.ok(rels.some((r) => r === needed || r.endsWith(`/node_modules/${needed}`)), `${needed} missing from ${rels.join(', ')}`);
    }
    assert.ok(!rels.some((r) => r.startsWith('typescript') || r.startsWith('mocha')), 'no dev dependencies');
    assert.deepEqual(missing, []);
  });

  it('leaves files out that no package loads at run time, keeping licences', async () => {
    const { isRuntimeFile } = await lib();
    for (const keep of ['dist/index.js', 'build/Release/x.node', 'prebuilds/linux-x64/node.napi.node', 'LICENSE', 'LICENSE.md', 'dist/tfjs-backend-wasm-simd.wasm', 'package.json']) assert.ok(isRuntimeFile(keep), keep);
    for (const drop of ['dist/index.js.map', 'dist/index.d.ts', 'README.md', 'docs/CHANGELOG.md', 'x.d.mts', 'napi-inl.h', 'src/serialport_linux.cpp', 'binding.gyp']) assert.ok(!isRuntimeFile(drop), drop);
  });

  it('reports an optional module that is not installed instead of failing, and fails for a required one', async () => {
    const { dependencyClosure } = await lib();
    assert.deepEqual(dependencyClosure(['@tensorflow/tfjs-node-not-here'], root, new Set(['@tensorflow/tfjs-node-not-here'])).missing, ['@tensorflow/tfjs-node-not-here']);
    assert.throws(() => dependencyClosure(['definitely-not-installed-pkg'], root), /need "definitely-not-installed-pkg" at run time but it is not installed/);
  });

  it('leaves out an optional native addon whose binary was never built (tfjs-node without libtensorflow), ships a built one', async () => {
    const { dependencyClosure, isUnbuiltNativeAddon } = await lib();
    const fake = mkdtempSync(join(tmpdir(), 'bnn-pkg-'));
    try {
      const addon = join(fake, 'node_modules', 'fake-addon');
      mkdirSync(join(addon, 'lib'), { recursive: true });
      writeFileSync(join(fake, 'package.json'), '{"name":"x"}');
      writeFileSync(join(addon, 'package.json'), '{"name":"fake-addon","version":"1.0.0"}');
      writeFileSync(join(addon, 'binding.gyp'), '{}');
      assert.equal(isUnbuiltNativeAddon(addon), true);
      assert.deepEqual(dependencyClosure(['fake-addon'], fake, new Set(['fake-addon'])), { packages: [], missing: ['fake-addon (installed, but its native binary was never built)'] });
      writeFileSync(join(addon, 'lib', 'binding.node'), '');
      assert.equal(isUnbuiltNativeAddon(addon), false);
      assert.deepEqual(dependencyClosure(['fake-addon'], fake, new Set(['fake-addon'])).packages.map((p) => p.rel), ['fake-addon']);
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
    // serialport's bindings ship prebuilt .node files: a required native module is never judged by this rule.
    assert.equal(isUnbuiltNativeAddon(join(root, 'node_modules', '@serialport', 'bindings-cpp')), false);
  });

  it('npm run package builds an offline .vsix holding the bundles, manifest and bundled dataset, but no sources, tests or examples', function () {
    this.timeout(120_000);
    const dir = join(root, '.cache', 'test-package');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const out = join(dir, 'bnn-studio.vsix');
    // npm test has just built dist/; packaging those bundles is what matters here.
    execFileSync(process.execPath, [join(root, 'scripts', 'package.mjs'), '--skip-build', '--out', out], { cwd: root, stdio: 'pipe' });
    const files = readZip(out);
    const names = [...files.keys()];
    // Train BNN offers the "bundled" Fashion-MNIST subset, which bundledDataDir() finds next to the code.
    const bundledData = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']
      .map((f) => `extension/examples/data/fashion-mnist-small/${f}`);
    for (const must of ['extension.vsixmanifest', 'extension/package.json', 'extension/dist/extension.js', 'extension/media/bnn-icon.svg', 'extension/media/bnn-model.schema.json', 'extension/dist/bnn-model.editor.schema.json', 'extension/LICENSE.txt', 'extension/dist/h5wasm.mjs', ...bundledData]) {
      assert.ok(names.includes(must), `${must} missing from the .vsix: ${names.join(', ')}`);
    }
    // The compiler, Run on Emulated Board and Flash to Board build firmware from these sources on the user's machine.
    const firmware = (readdirSync(join(root, 'firmware'), { recursive: true }) as string[])
      .filter((f) => /\.(c|h|ld)$/.test(f)).map((f) => `extension/firmware/${f.split('\\').join('/')}`);
    assert.ok(firmware.some((f) => f.endsWith('/common/cortexm_startup.c')) && firmware.some((f) => f.endsWith('/protocol/bnn_protocol.c')));
    // The C runtime every compiled model includes (src/core/compile/runtimeFiles.ts copies it next to bnn_model.c).
    assert.ok(firmware.some((f) => f.endsWith('/runtime/bnn_runtime.h')));
    assert.deepEqual(firmware.filter((f) => !names.includes(f)), [], 'firmware sources missing from the .vsix');
    const leaked = names.filter((n) => !bundledData.includes(n) && (/^extension\/(src|test|scripts|examples|\.cache|node_modules|bin)\//.test(n) || n.endsWith('.map') || n.endsWith('.ts') || n.endsWith('.externals.json')));
    assert.deepEqual(leaked, []);
    const manifest = JSON.parse(files.get('extension/package.json')!());
    assert.equal(manifest.main, './dist/extension.js');
    assert.ok(!manifest.activationEvents.includes('*'));
    // every bundle the extension runs ships (.vscodeignore lists them one by one); the CLI's does not
    const bundles = readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.js'));
    assert.deepEqual(bundles.filter((f) => f !== 'cli.js' && !names.includes(`extension/dist/${f}`)), [], 'a bundle in dist/ is missing from .vscodeignore');
    assert.ok(!names.includes('extension/dist/cli.js'), 'the CLI bundle stays out');
    // the wasm backend's SIMD binary ships, its never-loaded plain one does not; any other .wasm ships
    const wasm = readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.wasm'));
    assert.deepEqual(wasm.filter((f) => f !== 'tfjs-backend-wasm.wasm' && !names.includes(`extension/dist/${f}`)), [], 'a .wasm in dist/ is missing from .vscodeignore');
    assert.ok(names.includes('extension/dist/tfjs-backend-wasm-simd.wasm') && !names.includes('extension/dist/tfjs-backend-wasm.wasm'));
    assert.ok(!names.some((n) => /node-addon-api\/.*\.h$/.test(n)), 'no C++ headers of prebuilt addons');
  });

  it('keeps only the target platform’s prebuilt binaries (and libc) in a platform package', async () => {
    const { keepForTarget, TARGETS } = await lib();
    const pb = (p: string) => `prebuilds/${p}`;
    assert.equal(keepForTarget(pb('linux-x64/@serialport+bindings-cpp.glibc.node'), 'linux-x64'), true);
    assert.equal(keepForTarget(pb('linux-x64/@serialport+bindings-cpp.musl.node'), 'linux-x64'), false);
    assert.equal(keepForTarget(pb('linux-x64/@serialport+bindings-cpp.musl.node'), 'alpine-x64'), true);
    assert.equal(keepForTarget(pb('win32-x64/@serialport+bindings-cpp.node'), 'linux-x64'), false);
    assert.equal(keepForTarget(pb('darwin-x64+arm64/@serialport+bindings-cpp.node'), 'darwin-arm64'), true);
    assert.equal(keepForTarget(pb('linux-arm/@serialport+bindings-cpp.armv7.glibc.node'), 'linux-armhf'), true);
    assert.equal(keepForTarget('dist/index.js', 'win32-x64'), true, 'files outside prebuilds/ always stay');
    assert.equal(keepForTarget(pb('android-arm/x.node'), undefined), true, 'the universal package keeps all');
    // every target has its binary among serialport's prebuilds
    const have = readdirSync(join(root, 'node_modules', '@serialport', 'bindings-cpp', 'prebuilds'));
    for (const [t, { dir }] of Object.entries(TARGETS)) assert.ok(have.includes(dir), `${t}: no prebuilds/${dir}`);
  });

  it('a platform package carries only its own serialport binary and stays within 5 MB', async function () {
    this.timeout(240_000);
    const { MAX_PLATFORM_VSIX_BYTES } = await lib();
    const dir = join(root, '.cache', 'test-package');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, 'bnn-studio-linux-x64.vsix');
    // a release build, as `npm run package:targets` makes it (minified, h5wasm's WebAssembly Brotli-packed); the
    // script itself refuses a package over the budget, this checks it independently
    execFileSync(process.execPath, [join(root, 'scripts', 'package.mjs'), '--target', 'linux-x64', '--out', out], { cwd: root, stdio: 'pipe' });
    assert.ok(readZip(out).has('extension/dist/h5wasm.wasm.br'), 'the release h5wasm ships its packed WebAssembly');
    const natives = [...readZip(out).keys()].filter((n) => n.endsWith('.node'));
    assert.deepEqual(natives, ['extension/dist/node_modules/@serialport/bindings-cpp/prebuilds/linux-x64/@serialport+bindings-cpp.glibc.node']);
    const bytes = statSync(out).size;
    assert.ok(bytes <= MAX_PLATFORM_VSIX_BYTES, `${(bytes / 1e6).toFixed(2)} MB`);
    // the manifest says which platform it is for
    assert.match(readZip(out).get('extension.vsixmanifest')!(), /TargetPlatform="linux-x64"/);
  });
});
