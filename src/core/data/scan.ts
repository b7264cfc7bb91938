/**
 * Finds the datasets in a workspace for the Datasets view: `.npz`, `.npy` sets and `.csv` files, folders of IDX
 * files or CIFAR-10 batches, and image folders in Keras' layout. Discovery is stricter than `--data <folder>`, which
 * takes any folder of class folders: here every sub-folder must hold images and there must be two of them, or a
 * docs/ folder with one images/ sub-folder would show up as a dataset. Bounded in depth and in folders read, and
 * blind to the folders that hold no user data (node_modules, .git, .bnn, dist, out).
 */
import { readdirSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { IMAGE_EXTENSIONS, imageFolderLayout } from './imageFolder';
import { CIFAR_TEST_FILE, CIFAR_TRAIN_FILES, IDX_FILES, idxSpellings } from './named';
import { npyFilesIn } from './numpy';

export const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.bnn', 'dist', 'out', '.cache', '.vscode-test', '__pycache__', '.venv', 'venv']);

export interface ScanLimits {
  /** Folder levels below a root (default 6). */
  maxDepth?: number;
  /** Folders read in all (default 20,000): a huge tree is cut short rather than scanned for minutes. */
  maxFolders?: number;
}

export interface ScanResult {
  /** Dataset paths (files or folders), in walk order. */
  found: string[];
  /** The limit on folders read was reached: the tree was not scanned to its end. */
  truncated: boolean;
}

const IDX_MARKERS = new Set(idxSpellings(IDX_FILES.trainImages));
const CIFAR_MARKERS = new Set([CIFAR_TEST_FILE, CIFAR_TRAIN_FILES[0]]);
const isImage = (name: string): boolean => IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** An image folder worth listing: ≥ 2 class folders, each holding images directly. */
function looksLikeImageDataset(dir: string): boolean {
  const layout = imageFolderLayout(dir);
  if (!layout) return false;
  const classes = entries(layout.train).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  return classes.length >= 2 && classes.every((c) => entries(path.join(layout.train, c.name)).some((e) => e.isFile() && isImage(e.name)));
}

export function scanForDatasets(roots: readonly string[], limits: ScanLimits = {}): ScanResult {
  const maxDepth = limits.maxDepth ?? 6;
  const maxFolders = limits.maxFolders ?? 20_000;
  const found: string[] = [];
  let folders = 0;
  let truncated = false;
  const walk = (dir: string, depth: number): void => {
    if (folders >= maxFolders) { truncated = true; return; }
    folders++;
    const list = entries(dir).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const names = list.filter((e) => e.isFile()).map((e) => e.name);
    if (names.some((n) => IDX_MARKERS.has(n) || CIFAR_MARKERS.has(n)) || npyFilesIn(names, dir)) found.push(dir);
    for (const n of names) {
      const ext = path.extname(n).toLowerCase();
      if (ext === '.npz' || ext === '.csv') found.push(path.join(dir, n));
    }
    if (depth > 0 && looksLikeImageDataset(dir)) {
      // its class folders are not datasets of their own
      found.push(dir);
      return;
    }
    if (depth >= maxDepth) return;
    for (const e of list) {
      if (e.isDirectory() && !SKIPPED_FOLDERS.has(e.name) && !e.name.startsWith('.')) walk(path.join(dir, e.name), depth + 1);
    }
  };
  for (const r of roots) walk(path.resolve(r), 0);
  return { found, truncated };
}
