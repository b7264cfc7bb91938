// The datasets API in one import for the trainer, the CLI and the extension.
export * from './errors';
export * from './prng';
export * from './idx';
export * from './cifar';
export * from './named';
export * from './dataset';
export * from './locate';
export * from './load';
export * from './arrays';
export * from './record';
export * from './stratify';
export * from './preprocess';
export * from './numpy';
export * from './locateUser';
export * from './csv';
export * from './imageDecode';
export * from './imageFolder';
