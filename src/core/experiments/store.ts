/**
 * The experiments API in one import: validating (files.ts), reading and listing (read.ts), writing (write.ts), the
 * writer's lock (lock.ts), which checkpoint commands use (checkpoints.ts). Layout of a folder in types.ts; metrics.jsonl
 * in metrics.ts.
 */
export * from './checkpoints';
export * from './files';
export * from './lock';
export * from './read';
export * from './write';
