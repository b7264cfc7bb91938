/**
 * One model file's analysis (load + validate + estimate; computed by analyzeModel.ts) and a cache that re-parses a
 * file only when its content changed. Pure logic (no `vscode`): the tree, the CodeLens, the hover, the diagnostics and the status bar all read
 * from the same cache, so a file is parsed once per change however many views show it.
 */
// Types only: the loader (and ajv behind it) is loaded on first use by analyzeModel.ts, not at activation.
import type { LoadedModel, ModelDiagnostic } from '../core/model/load';
import type { ModelSummary } from '../core/estimate/summary';

export interface ModelAnalysis {
  /** The file path given to the loader (used in messages). */
  file: string;
  /** The text that was analysed (model files are small; comparing texts needs no hashing and cannot collide). */
  text: string;
  load: LoadedModel;
  /** Present when the model is valid and its estimate could be computed. */
  summary?: ModelSummary;
  /** Errors first, then warnings; includes an estimator failure, if any, as an error at the top of the file. */
  problems: ModelDiagnostic[];
}

export type Analyzer = (text: string, file: string) => ModelAnalysis;

/** The first error (or warning) to show on a model's tree node, or undefined when there is none. */
export function firstProblem(a: ModelAnalysis): ModelDiagnostic | undefined {
  return a.problems[0];
}

export function hasErrors(a: ModelAnalysis): boolean {
  return a.problems.some((d) => d.severity === 'error');
}

interface CacheEntry {
  /** What identified the text when it was analysed: a document version or a file's mtime+size. */
  stamp: string;
  analysis: ModelAnalysis;
}

/**
 * Analyses keyed by file id (a URI string). `stamp` is cheap to get (document version, or mtime and size from a
 * stat); when it matches, the text is not even read. When it differs, the text is re-parsed only if it changed (a
 * save, or a touch, keeps the old analysis).
 */
export class AnalysisCache {
  /** How many times a text was actually parsed (for tests and the benchmark). */
  parses = 0;
  private readonly entries = new Map<string, CacheEntry>();

  constructor(private readonly analyzer: Analyzer) {}

  /** The cached analysis if `stamp` still matches. */
  peek(id: string, stamp: string): ModelAnalysis | undefined {
    const e = this.entries.get(id);
    return e && e.stamp === stamp ? e.analysis : undefined;
  }

  /** The last analysis of `id`, whatever its stamp. */
  latest(id: string): ModelAnalysis | undefined {
    return this.entries.get(id)?.analysis;
  }

  /** Analysis of `text` (identified by `stamp`), reusing the previous one when the content is unchanged. */
  analyze(id: string, stamp: string, text: string, file: string): ModelAnalysis {
    const e = this.entries.get(id);
    if (e && e.stamp === stamp) return e.analysis;
    if (e && e.analysis.text === text && e.analysis.file === file) {
      e.stamp = stamp;
      return e.analysis;
    }
    this.parses++;
    const analysis = this.analyzer(text, file);
    this.entries.set(id, { stamp, analysis });
    return analysis;
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  get size(): number {
    return this.entries.size;
  }
}
