/**
 * The Experiments view: runs grouped by model, newest first, with status, optimizer, final validation accuracy and
 * date; children are the config, the best/last checkpoints and on-device results. It re-reads the folders when
 * anything under .bnn/experiments changes, so runs started from the CLI or elsewhere show up (and update) too.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { CONFIG_FILE } from '../core/experiments/types';
import { groupByModel, listCheckpoints, listDeviceResults, listExperiments, type ExperimentInfo, type ModelGroup } from '../core/experiments/store';
import type { ExperimentRef } from './experimentRefs';
import { optimizerSummary, runLabels } from '../core/experiments/labels';
import { markdownText } from '../core/escape';
import { firmwareTotalText, modelArraysText } from '../core/device/memoryText';
import { formatBytes } from '../core/estimate/summary';
import { fmtInt } from '../core/format';
import type { FlipWarning } from '../core/experiments/flipHealth';
import { readFlipHealth } from '../core/experiments/flipHealthFile';

export type ExperimentNode =
  | { kind: 'model'; group: ModelGroup }
  | ({ kind: 'experiment'; info: ExperimentInfo; label: string; flips: FlipWarning[] } & ExperimentRef)
  | { kind: 'detail'; item: vscode.TreeItem };

const STATE_ICONS: Record<string, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('loading~spin'),
  completed: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  cancelled: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
  interrupted: new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('editorWarning.foreground')),
  imported: new vscode.ThemeIcon('cloud-download', new vscode.ThemeColor('testing.iconPassed')),
  unreadable: new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground')),
};

/**
 * The run's row label among the runs it is listed with (its model group): its name, else optimizer and what differs
 * from the others (labels.ts), so two runs of one model never read alike.
 */
export function experimentLabel(info: ExperimentInfo, among: readonly ExperimentInfo[] = [info]): string {
  const runs = among.includes(info) ? among : [...among, info];
  return runLabels(runs, { omitModel: true })[runs.indexOf(info)];
}

function shortDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime()) || d.getTime() === 0) return '';
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', year: sameYear ? undefined : 'numeric' });
}

/** " · ⚠ flips frozen (2 layers)" after a row's description, or nothing. */
export function flipBadge(flips: readonly FlipWarning[]): string {
  if (flips.length === 0) return '';
  const kinds = [...new Set(flips.map((w) => (w.kind === 'frozen' ? 'flips frozen' : 'noisy flips')))].join(', ');
  return ` · ⚠ ${kinds}${flips.length > 1 ? ` (${flips.length} layers)` : ''}`;
}

export function experimentDescription(info: ExperimentInfo): string {
  const parts: string[] = [];
  if (info.valAccuracy !== undefined) parts.push(`val ${(info.valAccuracy * 100).toFixed(1)}%`);
  else if (info.state === 'running' && info.status) parts.push(`epoch ${info.status.epoch + 1}${info.config ? `/${info.config.epochs}` : ''}`);
  if (info.state !== 'completed') parts.push(info.state);
  const date = shortDate(info.createdAt);
  if (date) parts.push(date);
  return parts.join(' · ');
}

export class ExperimentsTree implements vscode.TreeDataProvider<ExperimentNode> {
  private readonly changed = new vscode.EventEmitter<ExperimentNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private cache?: Promise<ExperimentInfo[]>;

  constructor(private readonly roots: () => string[], private readonly output: vscode.LogOutputChannel) {}

  refresh(): void {
    this.cache = undefined;
    this.changed.fire(undefined);
  }

  /** Every experiment in the workspace, newest first (cached until the next refresh). */
  experiments(): Promise<ExperimentInfo[]> {
    this.cache ??= Promise.all(this.roots().map((r) => listExperiments(r).catch((err: Error) => {
      this.output.error(`Experiments: cannot list ${r}: ${err.message}`);
      return [] as ExperimentInfo[];
    }))).then((lists) => lists.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)));
    return this.cache;
  }

  async getChildren(node?: ExperimentNode): Promise<ExperimentNode[]> {
    if (!node) return groupByModel(await this.experiments()).map((group) => ({ kind: 'model', group }));
    if (node.kind === 'model') {
      const labels = runLabels(node.group.experiments, { omitModel: true });
      const flips = await Promise.all(node.group.experiments.map((info) => (info.config ? readFlipHealth(info.dir, info.config).catch(() => []) : [])));
      return node.group.experiments.map((info, i) => ({ kind: 'experiment', info, label: labels[i], flips: flips[i], experimentDir: info.dir }));
    }
    if (node.kind === 'experiment') return this.details(node.info, node.flips);
    return [];
  }

  getTreeItem(node: ExperimentNode): vscode.TreeItem {
    if (node.kind === 'detail') return node.item;
    if (node.kind === 'model') {
      const item = new vscode.TreeItem(node.group.model, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `model:${node.group.model}`;
      item.iconPath = new vscode.ThemeIcon('layers');
      item.description = `${node.group.experiments.length} run${node.group.experiments.length === 1 ? '' : 's'}`;
      item.contextValue = 'experimentGroup';
      return item;
    }
    const info = node.info;
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `experiment:${info.dir}`;
    item.description = experimentDescription(info) + flipBadge(node.flips);
    item.iconPath = STATE_ICONS[info.state] ?? STATE_ICONS.unreadable;
    item.contextValue = info.state === 'running' ? 'experiment.running' : 'experiment';
    item.resourceUri = vscode.Uri.file(info.dir);
    item.tooltip = this.tooltip(info, node.flips);
    item.command = { command: 'bnn.openCharts', title: 'Open Charts', arguments: [info.dir] };
    return item;
  }

  private tooltip(info: ExperimentInfo, flips: FlipWarning[]): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    const title = info.config?.name ? `${markdownText(info.config.name)}** (${markdownText(info.id)})` : `${markdownText(info.id)}**`;
    md.appendMarkdown(`$(${(STATE_ICONS[info.state] ?? STATE_ICONS.unreadable).id.replace('~spin', '')}) **${title} — ${info.state}\n\n`);
    const c = info.config;
    if (c) {
      md.appendMarkdown(`| | |\n|---|---|\n`);
      // config.json comes from the experiment folder (perhaps a cloned repository's): its text is never markup
      const row = (k: string, v: string) => md.appendMarkdown(`| ${k} | ${markdownText(String(v))} |\n`);
      row('model', `${c.model?.name ?? '?'} (${c.modelPath})`);
      row('optimizer', `${optimizerSummary(c)}${c.optimizer.preset ? ` — preset ${c.optimizer.preset}` : ''}`);
      row('data', `${c.dataset?.name} · ${fmtInt(c.dataset?.trainSamples ?? 0)} train / ${fmtInt(c.dataset?.valSamples ?? 0)} val`);
      row('training', `${c.epochs} epochs · batch ${c.batchSize} · seed ${c.seed}`);
      row('backend', c.backend);
      if (c.bnRecalibration) row('BatchNorm statistics', `re-estimated after every epoch on ${fmtInt(c.bnRecalibration)} training images`);
      if (info.valAccuracy !== undefined) row('val accuracy', `${(info.valAccuracy * 100).toFixed(2)}%`);
    }
    if (info.status?.error) md.appendMarkdown(`\n$(error) ${markdownText(String(info.status.error.message))}${info.status.error.step !== undefined ? ` (step ${info.status.error.step})` : ''}\n`);
    for (const p of info.problems) md.appendMarkdown(`\n$(warning) ${markdownText(p)}\n`);
    for (const w of flips) md.appendMarkdown(`\n$(warning) ${markdownText(w.text)}\n`);
    return md;
  }

  private async details(info: ExperimentInfo, flips: FlipWarning[]): Promise<ExperimentNode[]> {
    const out: vscode.TreeItem[] = [];
    for (const w of flips) {
      const it = new vscode.TreeItem(`${w.layer}: ${w.kind === 'frozen' ? 'flips frozen' : 'flipping on noise'}`);
      it.description = w.advice;
      it.tooltip = w.text;
      it.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'));
      it.contextValue = 'flipWarning';
      out.push(it);
    }
    for (const p of info.problems) {
      const it = new vscode.TreeItem(p);
      it.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'));
      out.push(it);
    }
    if (info.status?.error) {
      const it = new vscode.TreeItem(info.status.error.message);
      it.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
      it.tooltip = info.status.error.stderrTail ?? info.status.error.message;
      out.push(it);
    }
    if (info.config) {
      const c = info.config;
      const it = new vscode.TreeItem('config', vscode.TreeItemCollapsibleState.None);
      it.description = `${c.dataset?.name ?? '?'} · ${c.epochs} epochs · batch ${c.batchSize} · ${c.backend}`;
      it.iconPath = new vscode.ThemeIcon('settings-gear');
      it.resourceUri = vscode.Uri.file(path.join(info.dir, CONFIG_FILE));
      it.command = { command: 'vscode.open', title: 'Open config', arguments: [it.resourceUri] };
      out.push(it);
    }
    const cps = await listCheckpoints(info.dir, info.status);
    const best = cps.find((c) => c.isBest);
    const last = cps.find((c) => c.isLast) ?? cps[0];
    for (const [label, cp, icon] of [['best checkpoint', best, 'star-empty'], ['last checkpoint', last, 'save']] as const) {
      if (!cp) continue;
      const it = new vscode.TreeItem(label);
      it.description = `${cp.name}${cp.hasModel ? '' : ' (incomplete)'}`;
      it.iconPath = new vscode.ThemeIcon(icon);
      it.resourceUri = vscode.Uri.file(cp.dir);
      it.tooltip = cp.dir;
      it.contextValue = 'checkpoint';
      const modelJson = vscode.Uri.file(path.join(cp.dir, 'model.json'));
      it.command = cp.hasModel ? { command: 'vscode.open', title: 'Open model.json', arguments: [modelJson] } : { command: 'revealInExplorer', title: 'Reveal', arguments: [it.resourceUri] };
      out.push(it);
    }
    for (const d of await listDeviceResults(info.dir)) {
      const it = new vscode.TreeItem(d.result ? d.result.board : path.basename(d.file));
      if (d.result) {
        const r = d.result;
        const lat = r.latencyUs ? `${r.latencyUs.median.toFixed(r.latencyUs.median < 100 ? 1 : 0)} µs` : `${fmtInt(r.latency.median)} ${r.latency.unit}`;
        it.description = `device ${(r.deviceAccuracy * 100).toFixed(1)}% · host ${(r.hostAccuracy * 100).toFixed(1)}% · ${lat}`;
        it.iconPath = new vscode.ThemeIcon('circuit-board');
        it.tooltip = `${r.board}${r.port ? ` on ${r.port}` : ''}, ${r.samples} samples, ${shortDate(r.time)}\nagreement with host ${(r.agreement * 100).toFixed(2)}%\nmodel arrays: flash ${modelArraysText(r.flash, formatBytes)}, RAM ${modelArraysText(r.ram, formatBytes)}\nfirmware total: flash ${firmwareTotalText(r.flash, formatBytes)}, RAM ${firmwareTotalText(r.ram, formatBytes)}`;
      } else {
        it.description = d.error;
        it.iconPath = new vscode.ThemeIcon('warning');
      }
      it.resourceUri = vscode.Uri.file(d.file);
      it.command = { command: 'vscode.open', title: 'Open result', arguments: [vscode.Uri.file(d.file)] };
      out.push(it);
    }
    return out.map((item) => ({ kind: 'detail', item }));
  }
}
