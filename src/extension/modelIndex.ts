/**
 * The set of model files in the workspace and their analyses, kept current from file-watcher events. Pure logic over
 * an injected file source, so the "never re-parse an unchanged file" rule is unit-tested and benchmarked without
 * VS Code.
 */
import type { AnalysisCache, ModelAnalysis } from './modelAnalysis';

/**
 * Folders whose `*.bnn.json` are not the user's models: dependencies, VCS internals, and BNN Studio's own experiment
 * store (`.bnn/`, see src/core/experiments/types.ts). Both the initial scan and the file watcher skip them.
 */
export const IGNORED_FOLDERS = ['node_modules', '.git', '.bnn'] as const;

export function isIgnoredModelPath(path: string): boolean {
  const parts = path.split(/[\\/]/);
  return parts.some((p) => (IGNORED_FOLDERS as readonly string[]).includes(p));
}

export interface FileStamp {
  mtime: number;
  size: number;
}

export interface ModelFileSource {
  /** Every model file id (URI string) in the workspace. */
  findModelFiles(): Promise<string[]>;
  stat(id: string): Promise<FileStamp>;
  read(id: string): Promise<string>;
  /** The text of an open editor document for `id`, which wins over the disk (unsaved edits show everywhere). */
  openDocument(id: string): { version: number; text: string } | undefined;
  /** The path given to the loader and shown in messages. */
  displayPath(id: string): string;
}

export interface ModelEntry {
  id: string;
  analysis: ModelAnalysis;
}

/** Reads at most this many files at once: a workspace of thousands of models must not open thousands of handles. */
const CONCURRENCY = 16;

export class ModelIndex {
  private files: Set<string> | undefined;
  /** Files whose stamp must be re-checked on the next listing; all others are known to be unchanged. */
  private readonly dirty = new Set<string>();
  private scanning: Promise<void> | undefined;

  constructor(private readonly source: ModelFileSource, readonly cache: AnalysisCache) {}

  /** Forget the file list (and re-check every stamp) on the next `list()`; analyses of unchanged files are kept. */
  rescan(): void {
    this.files = undefined;
  }

  changed(id: string): void {
    if (isIgnoredModelPath(id)) return;
    this.dirty.add(id);
  }

  created(id: string): void {
    if (isIgnoredModelPath(id)) return;
    this.files?.add(id);
    this.dirty.add(id);
  }

  deleted(id: string): void {
    this.files?.delete(id);
    this.dirty.delete(id);
    this.cache.delete(id);
  }

  /** All model files with their analyses, sorted by display path. */
  async list(): Promise<ModelEntry[]> {
    if (!this.files) await this.discover();
    const ids = [...(this.files ?? [])];
    const entries = await mapLimit(ids, CONCURRENCY, async (id) => ({ id, analysis: await this.analysisOf(id), key: this.source.displayPath(id) }));
    return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(({ id, analysis }) => ({ id, analysis }));
  }

  /** The analysis of one file: from an open document, the cache, or the disk (in that order). */
  async analysisOf(id: string): Promise<ModelAnalysis> {
    const file = this.source.displayPath(id);
    const doc = this.source.openDocument(id);
    if (doc) {
      this.dirty.delete(id);
      return this.cache.analyze(id, `doc:${doc.version}`, doc.text, file);
    }
    const known = this.cache.latest(id);
    if (known && !this.dirty.has(id)) return known;
    this.dirty.delete(id);
    try {
      const st = await this.source.stat(id);
      const stamp = `disk:${st.mtime}:${st.size}`;
      return this.cache.peek(id, stamp) ?? this.cache.analyze(id, stamp, await this.source.read(id), file);
    } catch (err) {
      const message = `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`;
      // Not cached: the next listing tries again.
      this.dirty.add(id);
      return {
        file, text: '', problems: [{ message, severity: 'error', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, path: [], stage: 'semantic' }],
        load: { file, diagnostics: [], layerRanges: [] },
      };
    }
  }

  private async discover(): Promise<void> {
    // Concurrent listings share one scan.
    this.scanning ??= (async () => {
      const found = (await this.source.findModelFiles()).filter((id) => !isIgnoredModelPath(id));
      this.files = new Set(found);
      // A rescan re-checks every stamp (cheap) but still re-parses only changed contents.
      for (const id of found) this.dirty.add(id);
      for (const id of this.cache.ids()) if (!this.files.has(id)) this.cache.delete(id);
    })().finally(() => { this.scanning = undefined; });
    await this.scanning;
  }
}

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
