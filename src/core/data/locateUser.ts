/**
 * Recognises a user's own dataset given as a path: an `.npz` file, a `.npy` file of a pair (or a folder of them named
 * x_train.npy, y_train.npy …), a `.csv` file, a folder of class folders of images. Recognised by name here; the content is checked when it is read.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { npyFilesIn, type NumpyLocation } from './numpy';
import { imageFolderLayout, type ImageFolderLocation } from './imageFolder';

export type UserDataLocation = { format: 'numpy'; numpy: NumpyLocation } | { format: 'csv'; csv: string } | { format: 'image-folder'; images: ImageFolderLocation };

/** What the file extensions mean, for "expected …" messages. */
export const USER_DATA_KINDS = 'a NumPy .npz (x_train, y_train[, x_test, y_test] or x, y), .npy files of those names, a .csv of one sample per row, or a folder of class folders of images (Keras layout)';

export function locateUserFile(file: string): UserDataLocation | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.npz') return { format: 'numpy', numpy: { npz: file } };
  if (ext === '.npy') return locateUserFolder(path.dirname(file));
  if (ext === '.csv') return { format: 'csv', csv: file };
  return undefined;
}

export function locateUserFolder(dir: string): UserDataLocation | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  const npy = npyFilesIn(names, dir);
  if (npy) return { format: 'numpy', numpy: { npyDir: dir, files: npy } };
  const images = imageFolderLayout(dir);
  if (images) return { format: 'image-folder', images };
  return undefined;
}
