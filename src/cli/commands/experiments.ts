import { listExperiments, resolveExperimentsDir, type ExperimentInfo } from '../../core/experiments/store';
import { existsSync } from 'node:fs';
import { parseArgs, InputError, type CliCommand } from '../errors';

function pct(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(2)}%`;
}

function localDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '?';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function progress(e: ExperimentInfo): string {
  const s = e.status;
  if (!s) return '';
  // trained elsewhere: no epochs ran here
  if (e.config?.engine === 'import') return `from ${e.config.imported?.format ?? 'a file'}`;
  const epochs = e.config?.epochs;
  return epochs ? `epoch ${Math.min(s.epoch + (e.state === 'completed' ? 0 : 1), epochs)}/${epochs}` : `step ${s.step}`;
}

/** JSON for scripts: the reader's view without the bulky model spec. */
function toJson(e: ExperimentInfo): object {
  return {
    id: e.id, name: e.config?.name ?? null, dir: e.dir, model: e.model, optimizer: e.optimizer, state: e.state, createdAt: e.createdAt,
    valAccuracy: e.valAccuracy ?? null, testAccuracy: e.status?.final?.testAccuracy ?? null,
    epoch: e.status?.epoch ?? null, step: e.status?.step ?? null, epochs: e.config?.epochs ?? null,
    dataset: e.config?.dataset.name ?? null, backend: e.config?.backend ?? null, engine: e.config?.engine ?? null,
    error: e.status?.error?.message ?? null, problems: e.problems,
  };
}

export const experimentsCommand: CliCommand = {
  name: 'experiments',
  usage: 'bnn experiments [--dir D] [--model M] [--json]',
  summary: 'list training runs (newest first): status, optimizer, validation accuracy',
  async run(args) {
    const { flags, bools } = parseArgs(args, { flags: ['experiments', 'model'], booleans: ['json'] });
    const dir = resolveExperimentsDir({ dir: flags.experiments });
    if (flags.experiments !== undefined && !existsSync(dir)) throw new InputError(`${dir}: no such folder`);
    let list = await listExperiments(dir);
    if (flags.model) list = list.filter((e) => e.model === flags.model);
    if (bools.has('json')) {
      process.stdout.write(`${JSON.stringify({ dir, experiments: list.map(toJson) }, null, 2)}\n`);
      return 0;
    }
    if (!list.length) {
      process.stdout.write(`no experiments${flags.model ? ` of model '${flags.model}'` : ''} in ${dir}\n`);
      return 0;
    }
    const named = list.some((e) => e.config?.name);
    const header = ['ID', ...(named ? ['NAME'] : []), 'MODEL', 'OPTIMIZER', 'STATUS', 'PROGRESS', 'VAL ACC', 'DATE'];
    const rows = list.map((e) => [e.id, ...(named ? [e.config?.name ?? ''] : []), e.model, e.config?.engine === 'import' ? '—' : e.optimizer, e.state, progress(e), pct(e.valAccuracy), localDate(e.createdAt)]);
    const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [header, ...rows]) process.stdout.write(`${r.map((v, i) => v.padEnd(w[i])).join('  ').trimEnd()}\n`);
    const notes = list.flatMap((e) => [
      ...e.problems.map((p) => `${e.id}: ${p}`),
      ...(e.status?.error && (e.state === 'failed') ? [`${e.id}: failed${e.status.error.step !== undefined ? ` at step ${e.status.error.step}` : ''}: ${e.status.error.message}`] : []),
    ]);
    if (notes.length) process.stdout.write(`\n${notes.join('\n')}\n`);
    return 0;
  },
};
