/**
 * Where datasets are looked for: the configured data dir(s) (setting `bnnStudio.dataDir`, CLI `--data-dir`), the
 * environment variable BNN_DATA_DIR, the per-user default ~/.bnn/data, then the folders Debian packages install to.
 * A path to a folder works too. A miss produces one message that says exactly which files to put where.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { DataError } from './errors';
import { locateUserFile, locateUserFolder, USER_DATA_KINDS, type UserDataLocation } from './locateUser';
import {
  CIFAR_TEST_FILE, CIFAR_TRAIN_FILES, IDX_FILES, NAMED_DATASETS, idxSpellings, isDatasetName, requiredFileNames,
  type DatasetFormat, type DatasetName, type IdxRole,
} from './named';

export const DATA_DIR_ENV = 'BNN_DATA_DIR';
export const BUNDLED_DATA_SUBDIR = path.join('examples', 'data', 'fashion-mnist-small');

export interface DataLookupOptions {
  /** Configured data dir(s): setting bnnStudio.dataDir / --data-dir. Searched first. */
  dataDir?: string | string[];
  /** Environment to read BNN_DATA_DIR and HOME from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Search ~/.bnn/data and Debian's folders (default true; tests turn it off for a hermetic lookup). */
  includeSystem?: boolean;
  /** Where the bundled dataset lives (default: found next to this code, see bundledDataDir()). */
  bundledDir?: string;
  /** Base for relative paths (default process.cwd()). */
  cwd?: string;
}

export type SearchOrigin = 'data dir' | typeof DATA_DIR_ENV | 'user default' | 'Debian package' | 'repository' | 'path';

export interface SearchRoot {
  dir: string;
  origin: SearchOrigin;
  /** Debian package that installs into `dir`. */
  debianPackage?: string;
}

export interface DatasetLocation {
  name: string;
  named?: DatasetName;
  format: DatasetFormat | UserDataLocation['format'];
  /** The folder of the dataset, or its file (an .npz). */
  dir: string;
  origin: SearchOrigin;
  /** IDX: one path per role; CIFAR: train batches then the test batch. */
  idx?: Record<IdxRole, string>;
  cifar?: { train: string[]; test: string };
  /** A user's own data (NumPy, CSV, image folders). */
  user?: UserDataLocation;
}

/** What was found in one candidate folder. */
export interface Probe {
  dir: string;
  origin: SearchOrigin;
  exists: boolean;
  location?: DatasetLocation;
  missing: string[];
}

export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.HOME || env.USERPROFILE || homedir(), '.bnn', 'data');
}

/** The data roots, in search order (before dataset sub-folders are appended). */
export function dataRoots(opts: DataLookupOptions = {}): SearchRoot[] {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const roots: SearchRoot[] = [];
  const configured = opts.dataDir === undefined ? [] : Array.isArray(opts.dataDir) ? opts.dataDir : [opts.dataDir];
  for (const d of configured) if (d) roots.push({ dir: path.resolve(cwd, d), origin: 'data dir' });
  if (env[DATA_DIR_ENV]) roots.push({ dir: path.resolve(cwd, env[DATA_DIR_ENV] as string), origin: DATA_DIR_ENV });
  if (opts.includeSystem !== false) roots.push({ dir: userDataDir(env), origin: 'user default' });
  return roots;
}

/** Finds the repository's examples/data/fashion-mnist-small by walking up from this file (src/core/data or dist/). */
export function bundledDataDir(start: string = __dirname): string | undefined {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, BUNDLED_DATA_SUBDIR);
    if (existsSync(path.join(candidate, `${IDX_FILES.trainImages}.gz`))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function firstExisting(dir: string, names: string[]): string | undefined {
  for (const n of names) {
    const p = path.join(dir, n);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Looks for the files of `format` directly in `dir`. */
export function probeFolder(dir: string, format: DatasetFormat, origin: SearchOrigin, name: string, named?: DatasetName): Probe {
  if (!isDir(dir)) return { dir, origin, exists: false, missing: requiredFileNames(format) };
  if (format === 'idx') {
    const found: Partial<Record<IdxRole, string>> = {};
    const missing: string[] = [];
    for (const role of Object.keys(IDX_FILES) as IdxRole[]) {
      const p = firstExisting(dir, idxSpellings(IDX_FILES[role]));
      if (p) found[role] = p;
      else missing.push(`${IDX_FILES[role]}.gz`);
    }
    if (missing.length) return { dir, origin, exists: true, missing };
    return { dir, origin, exists: true, missing, location: { name, named, format, dir, origin, idx: found as Record<IdxRole, string> } };
  }
  const missing = [...CIFAR_TRAIN_FILES, CIFAR_TEST_FILE].filter((f) => !existsSync(path.join(dir, f)));
  if (missing.length) return { dir, origin, exists: true, missing };
  return {
    dir, origin, exists: true, missing,
    location: { name, named, format, dir, origin, cifar: { train: CIFAR_TRAIN_FILES.map((f) => path.join(dir, f)), test: path.join(dir, CIFAR_TEST_FILE) } },
  };
}

/** Every folder a named dataset may be in, in search order. */
export function candidateFolders(name: DatasetName, opts: DataLookupOptions = {}): SearchRoot[] {
  const info = NAMED_DATASETS[name];
  if (name === 'bundled') {
    const dir = opts.bundledDir ?? bundledDataDir();
    return dir ? [{ dir, origin: 'repository' }] : [];
  }
  const out: SearchRoot[] = [];
  for (const root of dataRoots(opts)) for (const sub of info.folders) out.push({ dir: path.join(root.dir, sub), origin: root.origin });
  if (opts.includeSystem !== false) for (const s of info.system) out.push({ dir: s.dir, origin: 'Debian package', debianPackage: s.debianPackage });
  return out;
}

/** Probes every candidate folder of a named dataset (for `bnn datasets` and for the error message). */
export function probeNamedDataset(name: DatasetName, opts: DataLookupOptions = {}): Probe[] {
  const info = NAMED_DATASETS[name];
  return candidateFolders(name, opts).map((c) => probeFolder(c.dir, info.format, c.origin, name, name));
}

function detectFormat(dir: string): DatasetFormat | undefined {
  if (firstExisting(dir, idxSpellings(IDX_FILES.trainImages))) return 'idx';
  if (existsSync(path.join(dir, CIFAR_TEST_FILE)) || existsSync(path.join(dir, CIFAR_TRAIN_FILES[0]))) return 'cifar10';
  return undefined;
}

function notFoundMessage(name: DatasetName, probes: Probe[], opts: DataLookupOptions): DataError {
  const info = NAMED_DATASETS[name];
  if (name === 'bundled') {
    return new DataError(`the bundled dataset (${BUNDLED_DATA_SUBDIR}) was not found next to BNN Studio's code`, undefined,
      'It ships with the repository and the extension; regenerate it with `node scripts/make-bundled-data.mjs` (needs the Debian package dataset-fashion-mnist).');
  }
  // Alternative spellings (MNIST/raw, cifar-10-batches-bin…) only clutter the list unless they exist.
  const shown = probes.filter((p) => p.exists || p.origin === 'Debian package' || path.basename(p.dir) === info.folders[0]);
  const lines = shown.map((p) => `  ${p.dir} (${p.origin}${p.origin === 'Debian package' ? `: ${info.system.find((s) => s.dir === p.dir)?.debianPackage}` : ''}) — ${p.exists ? `missing ${p.missing.join(', ')}` : 'no such folder'}`);
  const roots = dataRoots(opts);
  const target = path.join((roots[0] ?? { dir: userDataDir(opts.env) }).dir, info.folders[0]);
  const files = requiredFileNames(info.format);
  const debian = info.system[0];
  const hint = [
    `Put ${info.format === 'idx' ? `the four IDX files ${files.join(', ')} (gzip'd or not)` : `the CIFAR-10 binary batches ${files.join(', ')} (from cifar-10-binary.tar.gz)`} into`,
    `  ${target}${path.sep}`,
    `or choose another data folder with the setting bnnStudio.dataDir, the CLI option --data-dir or the environment variable ${DATA_DIR_ENV} (files go into <data folder>${path.sep}${info.folders[0]}${path.sep}), or give a folder path instead of the name.`,
    debian ? `On Debian/Ubuntu: sudo apt-get install ${debian.debianPackage} (installs into ${debian.dir}).` : `No Debian package provides ${info.title}.`,
  ].join('\n');
  return new DataError(`dataset '${name}' not found. Looked in:\n${lines.join('\n') || '  (no data folder configured)'}`, undefined, hint);
}

/** Finds a named dataset or a folder path; throws a DataError that says where to put which files. */
export function locateDataset(nameOrPath: string, opts: DataLookupOptions = {}): DatasetLocation {
  const looksLikePath = /[\\/]/.test(nameOrPath) || nameOrPath.startsWith('.');
  if (!looksLikePath && isDatasetName(nameOrPath)) {
    const probes = probeNamedDataset(nameOrPath, opts);
    const hit = probes.find((p) => p.location);
    if (hit?.location) return hit.location;
    throw notFoundMessage(nameOrPath, probes, opts);
  }
  const dir = path.resolve(opts.cwd ?? process.cwd(), nameOrPath);
  if (existsSync(dir) && !isDir(dir)) {
    const user = locateUserFile(dir);
    if (!user) throw new DataError('not a dataset file', dir, `Give ${USER_DATA_KINDS}, or a folder holding a dataset.`);
    const at = user.format !== 'numpy' || 'npz' in user.numpy ? dir : user.numpy.npyDir;
    return { name: path.basename(at).replace(/\.(npz|csv)$/i, ''), format: user.format, dir: at, origin: 'path', user };
  }
  if (!isDir(dir)) {
    throw new DataError(
      looksLikePath ? (existsSync(dir) ? 'not a folder (give the folder that holds the dataset files)' : 'no such folder') : `unknown dataset '${nameOrPath}': not one of ${Object.keys(NAMED_DATASETS).join(', ')}, and there is no folder of that name`,
      looksLikePath ? dir : undefined,
      `Give a dataset name (${Object.keys(NAMED_DATASETS).join(', ')}), ${USER_DATA_KINDS}, or a folder holding IDX files (${requiredFileNames('idx').join(', ')}) or CIFAR-10 binary batches (${requiredFileNames('cifar10').join(', ')}).`);
  }
  const nested = path.join(dir, 'cifar-10-batches-bin');
  const useDir = !detectFormat(dir) && isDir(nested) ? nested : dir;
  const format = detectFormat(useDir);
  const name = path.basename(dir);
  if (!format) {
    const user = locateUserFolder(dir);
    if (user) return { name, format: user.format, dir, origin: 'path', user };
    // A data root given where a dataset folder was expected: point at the named datasets inside it.
    const inside = (Object.values(NAMED_DATASETS) as { name: DatasetName; folders: string[] }[])
      .filter((d) => d.folders.some((f) => isDir(path.join(dir, f)))).map((d) => d.name);
    if (inside.length) {
      throw new DataError(`this looks like a data folder holding ${inside.join(', ')}, not a dataset`, dir,
        `Use the dataset name with this data folder, e.g. --data ${inside[0]} --data-dir ${dir} (in VS Code: setting bnnStudio.dataDir).`);
    }
    throw new DataError('no dataset files in this folder', dir,
      `Expected IDX files (${requiredFileNames('idx').join(', ')}; raw or gzip'd), CIFAR-10 binary batches (${requiredFileNames('cifar10').join(', ')}), or ${USER_DATA_KINDS}.`);
  }
  const probe = probeFolder(useDir, format, 'path', name);
  if (!probe.location) throw new DataError(`incomplete ${format === 'idx' ? 'IDX' : 'CIFAR-10'} dataset: missing ${probe.missing.join(', ')}`, useDir);
  return probe.location;
}
