/**
 * The data worker's tasks, runnable in-process too (the CLI, tests): each turns a DataTask into its result, telling
 * progress on the way. The named datasets are listed first and a workspace's copy of one (the repository's own
 * examples/data) is not listed twice.
 */
import * as path from 'node:path';
import type { DataTask, DataTaskResults } from '../messages';
import type { LoadProgress } from './imageFolder';
import { locateDataset } from './locate';
import { DATASET_NAMES } from './named';
import { DEFAULT_PREVIEW_PER_CLASS, previewDataset } from './preview';
import { scanForDatasets } from './scan';
import { summarizeDataset, type DatasetSummary } from './summary';
import { readTestSamples } from './testSamples';

function scan(roots: string[], lookup: Extract<DataTask, { kind: 'scan' }>['lookup'], workspaceOnly: boolean, progress?: LoadProgress): DataTaskResults['scan'] {
  progress?.(0, 1, 'looking for datasets');
  // reading Fashion-MNIST whole takes a second or more: a rescan after a file change leaves the named ones out
  const named: DatasetSummary[] = workspaceOnly ? [] : DATASET_NAMES.map((n) => summarizeDataset(n, lookup));
  const seen = new Set<string>();
  for (const n of DATASET_NAMES) {
    try { seen.add(path.resolve(locateDataset(n, lookup).dir)); } catch { /* not installed */ }
  }
  const { found, truncated } = scanForDatasets(roots);
  const mine = found.filter((f) => !seen.has(path.resolve(f)));
  const datasets = [...named];
  mine.forEach((f, i) => {
    progress?.(i, mine.length, `reading ${path.basename(f)}`);
    const s = summarizeDataset(f, lookup);
    // a CSV that does not parse as samples is some other table, not a dataset
    if (s.format === 'csv' && s.error) return;
    datasets.push(s);
  });
  return { datasets, truncated };
}

export function runDataTask<K extends DataTask['kind']>(task: Extract<DataTask, { kind: K }>, progress?: LoadProgress): DataTaskResults[K];
export function runDataTask(task: DataTask, progress?: LoadProgress): DataTaskResults[DataTask['kind']] {
  switch (task.kind) {
    case 'testSamples': return readTestSamples(task.request, progress);
    case 'scan': return scan(task.roots, task.lookup, task.workspaceOnly ?? false, progress);
    case 'summary': return summarizeDataset(task.data, task.lookup, task.read);
    case 'preview': return previewDataset(task.data, task.lookup, task.read, task.perClass ?? DEFAULT_PREVIEW_PER_CLASS);
  }
}
