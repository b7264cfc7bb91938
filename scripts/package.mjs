// `npm run package`: a self-contained .vsix. The bundles in dist/ hold all our code and pure-JS dependencies; the
// modules they leave external (native or optional ones, e.g. serialport's prebuilt bindings, loaded with a plain
// `require` at run time) are read from esbuild's metafile, and copied with their production dependency closure into
// dist/node_modules, where Node's resolution from dist/*.js finds them. vsce runs with --no-dependencies (it would
// otherwise ship every dependency, TensorFlow.js included, although the bundles already contain them).
//
// Platform packages (`vsce package --target`): each carries only its own platform's prebuilt serialport binary, which
// keeps every one within the 5 MB budget (README, "Install in VS Code"); the universal package carries all of them.
//
//   node scripts/package.mjs [--out <file.vsix>] [--skip-build] [--target <vsce target> | --all-targets]
import { builtinModules } from 'node:module';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Package names among a bundle's external imports (esbuild's metafile, written by scripts/build.mjs as
 * dist/<bundle>.js.externals.json): Node built-ins and `vscode` are provided by the host, everything else must ship.
 */
export function runtimePackages(externalImports) {
  const names = new Set();
  for (const spec of externalImports) {
    // a relative path is a file of dist/ itself (dist/h5wasm.mjs, loaded on demand), shipped with the bundles
    if (spec.startsWith('node:') || spec.startsWith('.') || spec === 'vscode') continue;
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
    if (builtinModules.includes(name)) continue;
    names.add(name);
  }
  return [...names].sort();
}

/** Type declarations are never loaded at run time. */
function isTypesOnly(name) {
  return name.startsWith('@types/');
}

/**
 * Files a package never needs at run time: source maps, type declarations, docs, and the C/C++ sources and build
 * files of native addons that ship prebuilt binaries (node-addon-api is nothing but headers). Licences stay.
 */
export function isRuntimeFile(relPath) {
  const base = relPath.split(/[\\/]/).pop() ?? '';
  if (/^(license|licence|notice|copying)/i.test(base)) return true;
  return !/\.(map|d\.ts|d\.mts|d\.cts|md|markdown|h|hh|hpp|c|cc|cpp|gyp|gypi)$/i.test(base);
}

/**
 * VS Code's platform targets → the `prebuilds/<platform-arch>` folder (node-gyp-build's layout) each needs, and which
 * libc's binaries inside it (Alpine is musl; every other Linux target glibc). The universal package keeps them all.
 */
export const TARGETS = {
  'win32-x64': { dir: 'win32-x64' },
  'win32-arm64': { dir: 'win32-arm64' },
  'linux-x64': { dir: 'linux-x64', libc: 'glibc' },
  'linux-arm64': { dir: 'linux-arm64', libc: 'glibc' },
  'linux-armhf': { dir: 'linux-arm', libc: 'glibc' },
  'alpine-x64': { dir: 'linux-x64', libc: 'musl' },
  'alpine-arm64': { dir: 'linux-arm64', libc: 'musl' },
  'darwin-x64': { dir: 'darwin-x64+arm64' },
  'darwin-arm64': { dir: 'darwin-x64+arm64' },
};

/** Whether a package file (path relative to the package) belongs in the package for `target` (undefined: all). */
export function keepForTarget(relPath, target) {
  if (!target) return true;
  const parts = relPath.split(/[\\/]/);
  const i = parts.indexOf('prebuilds');
  if (i < 0 || parts.length <= i + 1) return true;
  const t = TARGETS[target];
  if (!t) throw new Error(`package: unknown --target '${target}' (one of ${Object.keys(TARGETS).join(', ')})`);
  if (parts[i + 1] !== t.dir) return false;
  const file = parts[i + 2];
  if (!file || !t.libc) return true;
  return !/\.(glibc|musl)\.node$/.test(file) || file.endsWith(`.${t.libc}.node`);
}

/** The budget every platform package keeps (issue 16: the dataset stays in, so the code must stay small). */
export const MAX_PLATFORM_VSIX_BYTES = 5 * 1000 * 1000;

/** The package folder Node would load `name` from, starting at `fromDir` (walking up node_modules folders). */
function resolvePackageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** A package with a node-gyp build (binding.gyp or `gypfile`) and no compiled `.node` file anywhere in it. */
export function isUnbuiltNativeAddon(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!existsSync(join(dir, 'binding.gyp')) && pkg.gypfile !== true) return false;
  const hasBinary = (d) => readdirSync(d, { withFileTypes: true }).some((e) =>
    e.isDirectory() ? e.name !== 'node_modules' && hasBinary(join(d, e.name)) : e.name.endsWith('.node'));
  return !hasBinary(dir);
}

/**
 * Every package directory needed to load `names` from `root`: each package and, recursively, its dependencies and
 * installed optional dependencies (never devDependencies), as paths relative to root/node_modules so the copy keeps
 * the same layout and therefore the same resolution. Missing optional modules are reported, not fatal.
 */
export function dependencyClosure(names, rootDir, optional = new Set()) {
  const nodeModules = realpathSync(join(rootDir, 'node_modules'));
  const found = new Map();
  const missing = [];
  const visit = (name, fromDir, isOptional) => {
    const dir = resolvePackageDir(name, fromDir);
    if (!dir) {
      if (isOptional) { missing.push(name); return; }
      throw new Error(`package: the bundles need "${name}" at run time but it is not installed (npm install?)`);
    }
    const real = realpathSync(dir);
    // An optional native addon whose install script did not build or fetch its binary (npm 11 runs no install
    // scripts it was not allowed to; tfjs-node's downloads libtensorflow) cannot load: shipping it adds ~80 MB to
    // the .vsix for nothing.
    if (isOptional && isUnbuiltNativeAddon(real)) { missing.push(`${name} (installed, but its native binary was never built)`); return; }
    const rel = relative(nodeModules, real);
    if (rel.startsWith('..')) throw new Error(`package: ${name} resolves outside node_modules (${real}); cannot ship it`);
    if (found.has(rel)) return;
    found.set(rel, real);
    const pkg = JSON.parse(readFileSync(join(real, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) if (!isTypesOnly(dep)) visit(dep, real, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, real, true);
    // A peer is loaded from wherever the package sits, so it must ship too (optional peers only if installed).
    for (const dep of Object.keys(pkg.peerDependencies ?? {})) if (!isTypesOnly(dep)) visit(dep, real, pkg.peerDependenciesMeta?.[dep]?.optional === true);
  };
  for (const n of names) visit(n, nodeModules, optional.has(n));
  return { packages: [...found.entries()].map(([rel, real]) => ({ rel, real })).sort((a, b) => a.rel.localeCompare(b.rel)), missing };
}

async function main() {
  const args = process.argv.slice(2);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const targets = args.includes('--all-targets') ? Object.keys(TARGETS) : flag('--target') ? [flag('--target')] : [undefined];
  for (const t of targets) if (t && !TARGETS[t]) throw new Error(`package: unknown --target '${t}' (one of ${Object.keys(TARGETS).join(', ')})`);
  if (!args.includes('--skip-build')) execFileSync(process.execPath, ['scripts/build.mjs', '--production'], { cwd: root, stdio: 'inherit' });
  const sizes = [];
  for (const target of targets) {
    const out = targets.length === 1 && flag('--out') ? flag('--out') : join(flag('--out-dir') ?? 'dist', `${pkg.name}-${target ? `${target}-` : ''}${pkg.version}.vsix`);
    packageOne(pkg, target, out);
    sizes.push({ target: target ?? 'universal', out, bytes: statSync(resolve(root, out)).size });
  }
  for (const s of sizes) process.stdout.write(`package: ${s.target.padEnd(12)} ${(s.bytes / 1e6).toFixed(2)} MB  ${s.out}\n`);
  const over = sizes.filter((s) => s.target !== 'universal' && s.bytes > MAX_PLATFORM_VSIX_BYTES);
  if (over.length) throw new Error(`package: over the ${MAX_PLATFORM_VSIX_BYTES / 1e6} MB budget per platform: ${over.map((s) => `${s.target} ${(s.bytes / 1e6).toFixed(2)} MB`).join(', ')}`);
}

function packageOne(pkg, target, out) {
  const lists = readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.js.externals.json'));
  if (!lists.length) throw new Error('package: no dist/*.js.externals.json; build with scripts/build.mjs first');
  const needed = new Set(lists.flatMap((f) => runtimePackages(JSON.parse(readFileSync(join(root, 'dist', f), 'utf8')))));
  // Only our declared dependencies must be present. Anything else esbuild left external could not be resolved at
  // build time, which esbuild allows only for a require inside try/catch (e.g. node-fetch's optional 'encoding'):
  // the code runs without it.
  const declared = new Set(Object.keys(pkg.dependencies ?? {}));
  const optional = new Set([...needed].filter((n) => !declared.has(n)));
  const { packages, missing: missingAll } = dependencyClosure([...needed], root, optional);
  const missing = [...new Set(missingAll)];

  const dest = join(root, 'dist', 'node_modules');
  rmSync(dest, { recursive: true, force: true });
  for (const p of packages) {
    mkdirSync(dirname(join(dest, p.rel)), { recursive: true });
    // Nested node_modules are copied as packages of their own (only those in the closure).
    cpSync(p.real, join(dest, p.rel), {
      recursive: true,
      dereference: true,
      filter: (src) => {
        const rel = relative(p.real, src);
        return !rel.split(/[\\/]/).includes('node_modules') && (rel === '' || (isRuntimeFile(rel) && keepForTarget(rel, target)));
      },
    });
  }
  process.stdout.write(`package${target ? ` (${target})` : ''}: runtime modules ${[...needed].join(', ') || '(none)'} → ${packages.length} packages in dist/node_modules\n`);
  if (missing.length) process.stdout.write(`package: optional modules not installed, not shipped (the bundles load them in a try/catch or as optional dependencies): ${missing.join(', ')}\n`);

  mkdirSync(dirname(resolve(root, out)), { recursive: true });
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  // --no-dependencies: the bundles are self-contained apart from dist/node_modules above. No network is needed.
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', ...(target ? ['--target', target] : []), '--out', out], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.message : err}\n`);
    process.exitCode = 1;
  });
}
