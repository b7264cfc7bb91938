/**
 * What the named datasets are and which files make them up. Kept apart from the loader so the CLI, the extension's
 * quick pick and the docs can list them without touching the disk.
 */

export type DatasetFormat = 'idx' | 'cifar10';
export type DatasetName = 'fashion-mnist' | 'mnist' | 'cifar10' | 'bundled';

export interface NamedDataset {
  name: DatasetName;
  title: string;
  format: DatasetFormat;
  shape: [number, number, number];
  classes: number;
  classNames: string[];
  /** Sub-folders of a data dir that may hold it, first preferred (the first is what error messages suggest). */
  folders: string[];
  /** System folders, with the Debian package that installs there. */
  system: { dir: string; debianPackage: string }[];
  trainCount?: number;
  testCount?: number;
}

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export const NAMED_DATASETS: Record<DatasetName, NamedDataset> = {
  'fashion-mnist': {
    name: 'fashion-mnist', title: 'Fashion-MNIST (Zalando, MIT)', format: 'idx', shape: [28, 28, 1], classes: 10, classNames: FASHION_MNIST_CLASSES,
    folders: ['fashion-mnist', 'fashion_mnist', 'FashionMNIST/raw'],
    system: [{ dir: '/usr/share/datasets/fashion-mnist', debianPackage: 'dataset-fashion-mnist' }],
    trainCount: 60000, testCount: 10000,
  },
  mnist: {
    name: 'mnist', title: 'MNIST handwritten digits', format: 'idx', shape: [28, 28, 1], classes: 10, classNames: MNIST_CLASSES,
    folders: ['mnist', 'MNIST/raw'],
    system: [],
    trainCount: 60000, testCount: 10000,
  },
  cifar10: {
    name: 'cifar10', title: 'CIFAR-10 (binary version)', format: 'cifar10', shape: [32, 32, 3], classes: 10, classNames: CIFAR10_CLASSES,
    folders: ['cifar10', 'cifar-10-batches-bin', 'cifar10/cifar-10-batches-bin', 'cifar-10'],
    system: [],
    trainCount: 50000, testCount: 10000,
  },
  bundled: {
    name: 'bundled', title: 'Fashion-MNIST small (6,000 + 1,000 samples, in the repository)', format: 'idx', shape: [28, 28, 1], classes: 10, classNames: FASHION_MNIST_CLASSES,
    folders: [], system: [],
    trainCount: 6000, testCount: 1000,
  },
};

export const DATASET_NAMES = Object.keys(NAMED_DATASETS) as DatasetName[];

export function isDatasetName(s: string): s is DatasetName {
  return Object.prototype.hasOwnProperty.call(NAMED_DATASETS, s);
}

/** The four IDX files, each as accepted spellings (gzip'd first; torchvision-style `.idx3-ubyte` too). */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
export type IdxRole = keyof typeof IDX_FILES;

export function idxSpellings(base: string): string[] {
  const dotted = base.replace(/-(idx\d-ubyte)$/, '.$1');
  return [`${base}.gz`, base, `${dotted}.gz`, dotted];
}

export const CIFAR_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
export const CIFAR_TEST_FILE = 'test_batch.bin';

/** The files a format needs, as shown in "put these files there" messages. */
export function requiredFileNames(format: DatasetFormat): string[] {
  return format === 'idx' ? Object.values(IDX_FILES).map((b) => `${b}.gz`) : [...CIFAR_TRAIN_FILES, CIFAR_TEST_FILE];
}
