/**
 * Loads a located dataset into memory and checks it strictly: every file parsed, counts agreeing, train and test of
 * the same image shape, labels within the classes. Any problem is a DataError naming the file.
 */
import { readCifarBatch, concatCifarBatches, CIFAR_CLASSES } from './cifar';
import { DataError } from './errors';
import { readIdxImages, readIdxLabels, type IdxImages } from './idx';
import { locateDataset, type DataLookupOptions, type DatasetLocation } from './locate';
import { NAMED_DATASETS } from './named';
import { loadNumpyDataset } from './numpy';
import { loadCsvDataset } from './csv';
import { loadImageFolderDataset, type LoadProgress } from './imageFolder';
import type { DataReadOptions } from './preprocess';
import { validateSplit, type Dataset, type DataSplit } from './dataset';

function idxSplit(imagesFile: string, labelsFile: string, classes: number | undefined): { split: DataSplit; img: IdxImages } {
  const img = readIdxImages(imagesFile);
  const labels = readIdxLabels(labelsFile, classes);
  if (labels.length !== img.count) {
    throw new DataError(`label count ${labels.length} ≠ image count ${img.count} in ${imagesFile}`, labelsFile, 'The images and labels files must come from the same split (train-* with train-*, t10k-* with t10k-*).');
  }
  return { split: { images: img.data, labels, count: img.count }, img };
}

function maxLabel(labels: Uint8Array): number {
  let m = -1;
  for (const l of labels) if (l > m) m = l;
  return m;
}

export function loadLocatedDataset(loc: DatasetLocation, read: DataReadOptions = {}, progress?: LoadProgress): Dataset {
  progress?.(0, 1, `reading ${loc.name}`);
  if (loc.user?.format === 'csv') return loadCsvDataset(loc.user.csv, read);
  if (loc.user?.format === 'numpy') return loadNumpyDataset(loc.user.numpy, loc.name, loc.dir, read);
  if (loc.user?.format === 'image-folder') return loadImageFolderDataset(loc.user.images, read, progress);
  const ds = loadNamedFormat(loc);
  // IDX and CIFAR come with their own test part
  if (read.testSplit !== undefined) ds.warnings = [`'${ds.name}' has its own test split; the test split of ${read.testSplit} is not used`];
  return ds;
}

function loadNamedFormat(loc: DatasetLocation): Dataset {
  const info = loc.named ? NAMED_DATASETS[loc.named] : undefined;
  if (loc.format === 'cifar10') {
    const c = loc.cifar;
    if (!c) throw new Error('internal: CIFAR location without files');
    const batches = c.train.map(readCifarBatch);
    const train = concatCifarBatches(batches);
    const test = readCifarBatch(c.test);
    return {
      labelSources: { train: batches.map((b, i) => ({ file: c.train[i], count: b.count })), test: [{ file: c.test, count: test.count }] },
      name: loc.name, shape: [32, 32, 3], classes: CIFAR_CLASSES, classNames: NAMED_DATASETS.cifar10.classNames,
      train: { images: train.images, labels: train.labels, count: train.count },
      test: { images: test.images, labels: test.labels, count: test.count },
      sources: [...c.train, c.test], dir: loc.dir,
    };
  }
  const f = loc.idx;
  if (!f) throw new Error('internal: IDX location without files');
  const train = idxSplit(f.trainImages, f.trainLabels, info?.classes);
  const test = idxSplit(f.testImages, f.testLabels, info?.classes);
  const shape: [number, number, number] = [train.img.height, train.img.width, train.img.channels];
  const testShape = [test.img.height, test.img.width, test.img.channels];
  if (testShape.join() !== shape.join()) {
    throw new DataError(`test images are ${testShape.join('×')} but training images (${f.trainImages}) are ${shape.join('×')}`, f.testImages);
  }
  if (info && shape.join() !== info.shape.join()) {
    throw new DataError(`'${info.name}' images must be ${info.shape.join('×')}, this file holds ${shape.join('×')} images`, f.trainImages);
  }
  // A custom folder has no declared class count: the labels tell it (largest label + 1).
  const classes = info?.classes ?? Math.max(maxLabel(train.split.labels), maxLabel(test.split.labels)) + 1;
  const ds: Dataset = {
    name: loc.name, shape, classes, classNames: info?.classNames,
    train: train.split, test: test.split,
    sources: [f.trainImages, f.trainLabels, f.testImages, f.testLabels], dir: loc.dir,
    labelSources: { train: [{ file: f.trainLabels, count: train.split.count }], test: [{ file: f.testLabels, count: test.split.count }] },
  };
  validateSplit(ds.train, shape, classes, f.trainImages);
  validateSplit(ds.test, shape, classes, f.testImages);
  return ds;
}

/**
 * Loads a dataset by name ('fashion-mnist', 'mnist', 'cifar10', 'bundled') or folder path.
 * Throws DataError when it is missing (saying where to put which files) or corrupt (naming the file).
 */
export function loadDataset(nameOrPath: string, opts: DataLookupOptions = {}, read: DataReadOptions = {}, progress?: LoadProgress): Dataset {
  return loadLocatedDataset(locateDataset(nameOrPath, opts), read, progress);
}
