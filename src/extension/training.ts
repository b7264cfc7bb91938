/**
 * "BNN: Train BNN", "Stop Training", "Resume Training": quick picks, then the trainer runs in a child process (fork of
 * dist/trainWorker.js, so TensorFlow.js never loads into the extension host). A progress notification shows
 * epoch/step, loss, samples/s and ETA with Cancel. TrainingSessions lets other features (the charts panel, the
 * Experiments tree) follow live runs.
 */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKPOINTS_DIR, EXPERIMENTS_DIR, type ExperimentConfig, type ExperimentStatus, type MetricsEvent } from '../core/experiments/types';
import type { TrainRequest, WorkerToHost } from '../core/messages';
import { startTrainer, type TrainerProcess } from '../core/train/host';
import { BOP_PRESETS, DEFAULT_RECIPE, fitRecipe, type Preset } from '../core/train/presets';
import { applySetting, parseSetting, requestSummary, settingItems, type SettingKey } from './trainSettings';
import { knownTotalSteps, notificationText } from '../core/train/progress';
import { readConfigFile, readStatusFile } from '../core/experiments/store';
import { experimentArg, experimentForCommand, resolveExperimentDir } from './experimentRefs';
import { DEFAULT_BN_RECALIBRATION, TRAIN_DEFAULTS } from '../core/train/defaults';
import { requireTrust } from './trust';
import { confirmDatasetFit } from './datasetFitCheck';
import { pickDataset } from './datasetPick';

export interface TrainingMessage {
  experimentId: string;
  message: WorkerToHost;
}

export interface TrainingSession {
  experimentId: string;
  experimentDir: string;
  config: ExperimentConfig;
  backend: string;
  status?: ExperimentStatus;
  /** Every metrics event of this run so far (a panel opened mid-run replays them). */
  events: MetricsEvent[];
  process: TrainerProcess;
}

/** Live training runs of this window, by experiment id. */
export class TrainingSessions implements vscode.Disposable {
  private readonly sessions = new Map<string, TrainingSession>();
  private readonly emitter = new vscode.EventEmitter<TrainingMessage>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Every WorkerToHost message of every run (filter by experimentId). */
  readonly onMessage = this.emitter.event;
  /** A run started or ended. */
  readonly onDidChangeSessions = this.changed.event;

  get(experimentId: string): TrainingSession | undefined {
    return this.sessions.get(experimentId);
  }

  running(): TrainingSession[] {
    return [...this.sessions.values()];
  }

  isRunning(experimentId: string): boolean {
    return this.sessions.has(experimentId);
  }

  /** Messages of one experiment only. */
  onExperiment(experimentId: string, listener: (m: WorkerToHost) => void): vscode.Disposable {
    return this.onMessage((e) => { if (e.experimentId === experimentId) listener(e.message); });
  }

  /** Starts a trainer process; resolves when the worker has created (or re-opened) the experiment. */
  start(request: TrainRequest, distDir: string, log: vscode.LogOutputChannel, onDataProgress?: (m: Extract<WorkerToHost, { type: 'dataProgress' }>) => void): { process: TrainerProcess; started: Promise<TrainingSession | undefined> } {
    let session: TrainingSession | undefined;
    let resolveStarted!: (s: TrainingSession | undefined) => void;
    const started = new Promise<TrainingSession | undefined>((r) => { resolveStarted = r; });
    const proc = startTrainer(request, (m) => {
      if (m.type === 'started') {
        session = { experimentId: m.experimentId, experimentDir: m.experimentDir, config: m.config, backend: m.backend, events: [], process: proc };
        this.sessions.set(m.experimentId, session);
        void vscode.commands.executeCommand('setContext', 'bnn.trainingRunning', true);
        this.changed.fire();
        resolveStarted(session);
        log.info(`training ${m.experimentId} started (${m.backend}) in ${m.experimentDir}`);
      } else if (m.type === 'metrics' && session) {
        session.events.push(m.event);
      } else if ((m.type === 'status' || m.type === 'done') && session) {
        session.status = m.status;
      } else if (m.type === 'dataProgress') {
        onDataProgress?.(m);
      } else if (m.type === 'log') {
        log[m.level === 'error' ? 'error' : m.level === 'warn' ? 'warn' : 'info'](`trainer: ${m.message}`);
      } else if (m.type === 'error') {
        log.error(`trainer: ${m.message}`);
      }
      const id = 'experimentId' in m && m.experimentId ? m.experimentId : session?.experimentId;
      if (id) this.emitter.fire({ experimentId: id, message: m });
    }, { distDir });
    void proc.done.then((result) => {
      if (!session) resolveStarted(undefined);
      if (result.experimentId) this.sessions.delete(result.experimentId);
      void vscode.commands.executeCommand('setContext', 'bnn.trainingRunning', this.sessions.size > 0);
      this.changed.fire();
      if (result.status?.error?.stderrTail) log.error(`trainer stderr (tail):\n${result.status.error.stderrTail}`);
    });
    return { process: proc, started };
  }

  stop(experimentId: string): boolean {
    const s = this.sessions.get(experimentId);
    if (!s) return false;
    s.process.cancel();
    return true;
  }

  dispose(): void {
    // the window is closing: stop every run at its next step (the last checkpoint stays resumable)
    for (const s of this.sessions.values()) s.process.cancel();
    this.emitter.dispose();
    this.changed.dispose();
  }
}

let sessionsSingleton: TrainingSessions | undefined;

/** The running sessions service (after registerTraining ran). */
export function trainingSessions(): TrainingSessions | undefined {
  return sessionsSingleton;
}

// ---- argument resolution: commands accept URIs, tree items, ids and folder paths -----------------------------------

function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (arg && typeof arg === 'object') {
    const o = arg as Record<string, unknown>;
    for (const k of ['resourceUri', 'uri']) if (o[k] instanceof vscode.Uri) return o[k] as vscode.Uri;
    for (const k of ['fsPath', 'file', 'path']) if (typeof o[k] === 'string') return vscode.Uri.file(o[k] as string);
  }
  if (typeof arg === 'string' && arg.endsWith('.bnn.json')) return vscode.Uri.file(arg);
  return undefined;
}

function workspaceRoot(forFile?: vscode.Uri): string | undefined {
  const f = forFile ? vscode.workspace.getWorkspaceFolder(forFile) : vscode.workspace.workspaceFolders?.[0];
  return f?.uri.fsPath;
}

function experimentsDirFor(forFile?: vscode.Uri): string | undefined {
  const root = workspaceRoot(forFile);
  return root ? path.join(root, EXPERIMENTS_DIR) : undefined;
}

/** The running experiment an argument names: its id as a live session knows it, else the folder it resolves to. */
function experimentIdOf(arg: unknown, sessions: TrainingSessions): string | undefined {
  const given = experimentArg(arg);
  if (given === undefined) return undefined;
  if (sessions.isRunning(given)) return given;
  try {
    return path.basename(resolveExperimentDir(arg));
  } catch {
    return given;
  }
}

// ---- the commands ---------------------------------------------------------------------------------------------------

/** The model to train; 'again' when the user picks the re-run of the last training (offered when `last` is given). */
async function pickModel(arg: unknown, last?: string): Promise<vscode.Uri | 'again' | undefined> {
  const given = uriOf(arg) ?? (vscode.window.activeTextEditor?.document.fileName.endsWith('.bnn.json') && !arg ? vscode.window.activeTextEditor.document.uri : undefined);
  if (given) return given;
  const files = await vscode.workspace.findFiles('**/*.bnn.json', '**/{node_modules,.bnn}/**', 200);
  if (!files.length) {
    void vscode.window.showErrorMessage('No *.bnn.json model in this workspace. Create one with "BNN: New Model" first.');
    return undefined;
  }
  const again = last ? [{ label: '$(history) Run the last training again…', description: last, uri: 'again' as const }, { label: '', kind: vscode.QuickPickItemKind.Separator, uri: undefined }] : [];
  const pick = await vscode.window.showQuickPick(
    [...again, ...files.map((u) => ({ label: path.basename(u.fsPath), description: vscode.workspace.asRelativePath(u), uri: u }))],
    { title: 'Train BNN (1/5): model', placeHolder: 'Which model to train?' },
  );
  return pick?.uri;
}

/** The recipes come first, the default one at the top: their schedules are fitted to the epochs asked for next. */
async function pickPreset(): Promise<string | undefined> {
  const recipes = BOP_PRESETS.filter((p) => p.recipeEpochs).sort((a, b) => Number(b.id === DEFAULT_RECIPE) - Number(a.id === DEFAULT_RECIPE));
  const others = BOP_PRESETS.filter((p) => !p.recipeEpochs);
  const item = (p: Preset) => p.recipeEpochs
    ? { label: p.id === DEFAULT_RECIPE ? `$(star-full) ${p.label}` : p.label, description: `${p.id === DEFAULT_RECIPE ? 'default · ' : ''}schedules fitted to your epochs${p.batchSize ? ` · batch ${p.batchSize}` : ''}`, detail: `${p.detail}; for another number of epochs the decays are stretched or shrunk to it, so they end where the ${p.recipeEpochs}-epoch recipe ends`, id: p.id }
    : { label: p.label, description: p.batchSize ? `batch ${p.batchSize}` : undefined, detail: p.detail, id: p.id };
  const pick = await vscode.window.showQuickPick(
    [...recipes.map(item), { label: 'Other presets', kind: vscode.QuickPickItemKind.Separator, id: '' }, ...others.map(item)],
    { title: 'Train BNN (3/5): optimizer', placeHolder: 'Bop is the latent-free optimizer of Helwegen et al. (2019)', matchOnDetail: true },
  );
  return pick?.id || undefined;
}

async function askEpochs(initial: number, min = 1, step?: string): Promise<number | undefined> {
  const v = await vscode.window.showInputBox({
    title: step ?? 'Train BNN (4/5): epochs',
    value: String(initial),
    prompt: 'Number of passes over the training data',
    validateInput: (s) => (/^\d+$/.test(s.trim()) && Number(s) >= min && Number(s) <= 100000 ? undefined : `a whole number from ${min} to 100000`),
  });
  return v === undefined ? undefined : Number(v);
}

/**
 * Train BNN's last step: the settings with their values; Start (the first item, so Enter starts) or change one and
 * come back here. Undefined when the user presses Escape.
 */
async function reviewSettings(request: TrainRequest, title: string): Promise<TrainRequest | undefined> {
  let req = request;
  for (;;) {
    type Item = vscode.QuickPickItem & { key?: SettingKey };
    const items: Item[] = [
      { label: '$(play) Start training', description: requestSummary(req, path.basename(req.modelPath, '.bnn.json')) },
      { label: 'Change a setting', kind: vscode.QuickPickItemKind.Separator },
      ...settingItems(req).map((s) => ({ label: s.label, description: s.value, key: s.key })),
    ];
    const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Enter starts; pick a setting to change it' });
    if (!pick) return undefined;
    if (!pick.key) return req;
    const item = settingItems(req).find((s) => s.key === pick.key)!;
    const text = await vscode.window.showInputBox({
      title: `${title}: ${item.label}`, prompt: item.prompt, value: item.key === 'name' ? (req.name ?? '') : item.value,
      validateInput: (t) => { const r = parseSetting(item.key, t); return 'error' in r ? r.error : undefined; },
    });
    if (text === undefined) continue;
    const parsed = parseSetting(item.key, text);
    if (!('error' in parsed)) req = applySetting(req, item.key, parsed.value);
  }
}

/** Runs a request with a progress notification; resolves when the run ends. */
async function runWithProgress(sessions: TrainingSessions, request: TrainRequest, title: string, distDir: string, log: vscode.LogOutputChannel): Promise<void> {
  let reportData: (message: string) => void = () => {};
  const { process: proc, started } = sessions.start(request, distDir, log, (m) => reportData(m.total > 1 ? `${m.message} ${m.done}/${m.total}…` : `${m.message}…`));
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    // a run cancelled while its data is read has no step to stop at: the trainer process is ended
    let running = false;
    void started.then((s) => { running = !!s; });
    token.onCancellationRequested(() => { if (running) proc.cancel(); else proc.kill(); });
    progress.report({ message: 'starting the trainer…' });
    reportData = (message) => progress.report({ message });
    const session = await started;
    // the trainer's first status (with the run's total steps) arrives with 'started', before this subscribes: the
    // session kept it
    let totalSteps = knownTotalSteps(session?.status, session?.config);
    const totalEpochs = session?.config.epochs ?? request.epochs;
    let lastFraction = 0;
    let lastReport = 0;
    const sub = session ? sessions.onExperiment(session.experimentId, (m) => {
      if (m.type === 'status') totalSteps = m.status.totalSteps ?? totalSteps;
      if (m.type !== 'metrics') return;
      const e = m.event;
      const now = Date.now();
      if (e.kind === 'step' && now - lastReport < 500) return; // a notification needs no 10 Hz
      lastReport = now;
      const fraction = totalSteps ? e.step / totalSteps : 0;
      const increment = Math.max(0, (fraction - lastFraction) * 100);
      lastFraction = Math.max(lastFraction, fraction);
      progress.report({ message: notificationText(e, totalSteps, totalEpochs), increment });
    }) : undefined;
    const result = await proc.done;
    sub?.dispose();
    const st = result.status;
    const pct = (v?: number): string => (v === undefined ? '—' : `${(v * 100).toFixed(2)}%`);
    // The outcome is shown after the progress notification closes: waiting for the user to dismiss it here would keep
    // the finished run's progress (and its Cancel button) on screen.
    if (st?.state === 'completed') {
      void vscode.window.showInformationMessage(
        `Training ${result.experimentId} completed: val accuracy ${pct(st.final?.valAccuracy)}, test accuracy ${pct(st.final?.testAccuracy)}.`,
        'Open Charts', 'Reveal Experiment').then((choice) => {
        if (choice === 'Open Charts') void vscode.commands.executeCommand('bnn.openCharts', result.experimentId);
        if (choice === 'Reveal Experiment') void vscode.commands.executeCommand('bnn.revealExperiment', result.experimentId);
      });
    } else if (st?.state === 'cancelled') {
      void vscode.window.showInformationMessage(`Training ${result.experimentId} stopped at step ${st.step}; its last checkpoint is kept (Resume Training continues it).`);
    } else {
      const msg = st?.error?.message ?? result.error ?? 'the trainer stopped unexpectedly';
      if (result.error && !st) log.error(result.error);
      void vscode.window.showErrorMessage(`Training ${result.experimentId ?? ''} failed: ${msg.split('\n')[0]}`, 'Show Log').then((choice) => {
        if (choice === 'Show Log') log.show(true);
      });
    }
  });
}

export function registerTraining(context: vscode.ExtensionContext, output?: vscode.LogOutputChannel): TrainingSessions {
  const log = output ?? vscode.window.createOutputChannel('BNN Studio Training', { log: true });
  if (!output) context.subscriptions.push(log);
  const sessions = new TrainingSessions();
  sessionsSingleton = sessions;
  context.subscriptions.push(sessions);
  const distDir = path.join(context.extensionPath, 'dist');
  const settings = () => vscode.workspace.getConfiguration('bnnStudio');
  // 0 (the default) lets the trainer choose: one thread per core for a new run, the recorded count on resume
  const threadsSetting = (): number | undefined => {
    const t = settings().get<number>('trainer.threads', 0);
    return Number.isInteger(t) && t >= 1 ? t : undefined;
  };

  const LAST_REQUEST = 'bnn.lastTrainRequest';
  const lastRequest = (): TrainRequest | undefined => {
    const r = context.workspaceState.get<TrainRequest>(LAST_REQUEST);
    return r && typeof r.modelPath === 'string' && fs.existsSync(r.modelPath) ? r : undefined;
  };
  const start = async (request: TrainRequest) => {
    await context.workspaceState.update(LAST_REQUEST, request);
    await runWithProgress(sessions, request, `Training ${request.name ?? path.basename(request.modelPath, '.bnn.json')}`, distDir, log);
  };

  context.subscriptions.push(vscode.commands.registerCommand('bnn.trainAgain', async () => {
    if (!(await requireTrust('training'))) return;
    try {
      const last = lastRequest();
      if (!last) {
        void vscode.window.showInformationMessage('No earlier Train BNN run in this workspace to run again: start one with "BNN: Train BNN".');
        return;
      }
      const request = await reviewSettings({ ...last, name: undefined }, 'Train BNN: run the last training again');
      if (request) await start(request);
    } catch (err) {
      log.error(`Train BNN: ${(err as Error).stack ?? err}`);
      void vscode.window.showErrorMessage(`Train BNN: ${(err as Error).message}`);
    }
  }));

  context.subscriptions.push(vscode.commands.registerCommand('bnn.train', async (arg?: unknown) => {
    if (!(await requireTrust('training'))) return;
    try {
      const last = arg === undefined ? lastRequest() : undefined;
      const model = await pickModel(arg, last && requestSummary(last, path.basename(last.modelPath, '.bnn.json')));
      if (model === 'again') {
        await vscode.commands.executeCommand('bnn.trainAgain');
        return;
      }
      if (!model) return;
      const experimentsDir = experimentsDirFor(model);
      if (!experimentsDir) {
        void vscode.window.showErrorMessage('Open a folder or workspace first: experiments are saved in its .bnn/experiments folder.');
        return;
      }
      const dataDir = settings().get<string>('dataDir') || undefined;
      // the Datasets view's "Train on Dataset" names the data
      const given = arg && typeof arg === 'object' && typeof (arg as { data?: unknown }).data === 'string' ? (arg as { data: string }).data : undefined;
      const data = given ?? await pickDataset(dataDir);
      if (!data) return;
      if (!(await confirmDatasetFit(model, data, dataDir, distDir))) return;
      const presetId = await pickPreset();
      if (!presetId) return;
      const epochs = await askEpochs(TRAIN_DEFAULTS.epochs);
      if (!epochs) return;
      // a recipe's decays fitted to the epochs; still counted in epochs, resolved to steps by the trainer once it
      // knows the data's size
      const preset = fitRecipe(presetId, epochs);
      const batchSize = preset.batchSize ?? TRAIN_DEFAULTS.batchSize;
      const backend = settings().get<string>('trainer.backend', 'auto');
      const proposed: TrainRequest = {
        modelPath: model.fsPath, data, dataDir, epochs, batchSize, optimizer: preset.optimizer, seed: TRAIN_DEFAULTS.seed, valSplit: TRAIN_DEFAULTS.valSplit, experimentsDir,
        backend: backend === 'auto' ? undefined : backend, threads: threadsSetting(),
        bnRecalibration: settings().get<number>('trainer.batchNormRecalibration', DEFAULT_BN_RECALIBRATION),
      };
      const request = await reviewSettings(proposed, 'Train BNN (5/5): settings');
      if (!request) return;
      await start(request);
    } catch (err) {
      log.error(`Train BNN: ${(err as Error).stack ?? err}`);
      void vscode.window.showErrorMessage(`Train BNN: ${(err as Error).message}`);
    }
  }));

  context.subscriptions.push(vscode.commands.registerCommand('bnn.stopTraining', async (arg?: unknown) => {
    let id = arg !== undefined ? experimentIdOf(arg, sessions) : undefined;
    const running = sessions.running();
    if (!id) {
      if (!running.length) { void vscode.window.showInformationMessage('No training is running.'); return; }
      if (running.length === 1) id = running[0].experimentId;
      else id = (await vscode.window.showQuickPick(running.map((s) => ({ label: s.experimentId, description: s.backend })), { placeHolder: 'Stop which run?' }))?.label;
    }
    if (!id) return;
    if (!sessions.stop(id)) void vscode.window.showInformationMessage(`${id} is not running in this window.`);
  }));

  context.subscriptions.push(vscode.commands.registerCommand('bnn.resumeExperiment', async (arg?: unknown) => {
    if (!(await requireTrust('resuming training'))) return;
    try {
      const dir = await experimentForCommand(arg, {
        title: 'Resume Training', placeHolder: 'Resume which experiment?', none: 'No experiment with a checkpoint to resume.',
        filter: (e) => e.state !== 'running' && e.config?.engine === 'bnn-studio' && fs.existsSync(path.join(e.dir, CHECKPOINTS_DIR, e.status?.lastCheckpoint ?? 'last', 'model.json')),
      });
      if (!dir) return;
      const config = readConfigFile(dir);
      if (sessions.isRunning(config.id)) { void vscode.window.showInformationMessage(`${config.id} is already training.`); return; }
      if (config.engine !== 'bnn-studio') { void vscode.window.showErrorMessage(`${config.id} was trained by ${config.engine}; only BNN Studio runs can be resumed here.`); return; }
      const doneEpochs = readStatusFile(dir)?.epoch ?? 0;
      const epochs = doneEpochs >= config.epochs ? await askEpochs(config.epochs + 10, config.epochs + 1) : config.epochs;
      if (!epochs) return;
      const request: TrainRequest = {
        modelPath: config.modelPath, data: config.dataset.path ?? config.dataset.name, dataDir: settings().get<string>('dataDir') || undefined,
        epochs, batchSize: config.batchSize, optimizer: config.optimizer, seed: config.seed, valSplit: config.valSplit,
        experimentsDir: path.dirname(dir), resume: dir,
        backend: (() => { const b = settings().get<string>('trainer.backend', 'auto'); return b === 'auto' ? undefined : b; })(),
        threads: threadsSetting(),
      };
      await runWithProgress(sessions, request, `Resuming ${config.id}`, distDir, log);
    } catch (err) {
      log.error(`Resume Training: ${(err as Error).stack ?? err}`);
      void vscode.window.showErrorMessage(`Resume Training: ${(err as Error).message}`);
    }
  }));
  return sessions;
}
