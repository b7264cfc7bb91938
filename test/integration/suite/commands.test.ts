import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { loadModelText } from '../../../src/core/model/load';
import { formatBytes, summarize } from '../../../src/core/estimate/summary';
import { DEVICE_DIR, EXPERIMENTS_DIR, METRICS_FILE, STATUS_FILE } from '../../../src/core/experiments/types';
import type { BnnStudioApi, TreeRow } from '../../../src/extension/api';
import { runTitle } from '../../../src/core/experiments/labels';
import { readConfigFile } from '../../../src/core/experiments/files';
import { contributedCommands, extension, inWorkspace, waitFor } from './helpers';
import { ScriptedUser, type Answer, type Prompt } from './scriptedUser';

/**
 * Every contributed command, run as a user would and checked by what it does: the files it writes, the rows the
 * views show, what the user is asked and told (through a scripted user, see scriptedUser.ts). Each command is also
 * dismissed at its first question like a user pressing Escape: it must then end quietly and write nothing.
 */
const execFileAsync = promisify(execFile);
const model = (): vscode.Uri => inWorkspace('models', 'binary-mlp.bnn.json');
const experimentsRoot = (): string => inWorkspace(...EXPERIMENTS_DIR.split('/')).fsPath;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function endsWithin<T>(what: string, p: Thenable<T>, ms = 30_000): Promise<T> {
  return Promise.race([p, sleep(ms).then(() => { throw new Error(`${what} did not end within ${ms} ms`); })]);
}

function api(): BnnStudioApi {
  const exports = extension().exports as BnnStudioApi | undefined;
  assert.ok(exports && typeof exports.treeRows === 'function', 'the extension returns its API from activate()');
  return exports;
}

function flatten(rows: TreeRow[]): TreeRow[] {
  return rows.flatMap((r) => [r, ...flatten(r.children ?? [])]);
}

/** Experiment rows of the Experiments view (under their model groups). */
async function experimentRows(): Promise<TreeRow[]> {
  return flatten(await api().treeRows('bnnExperiments', 2)).filter((r) => r.contextValue?.startsWith('experiment') && r.contextValue !== 'experimentGroup');
}

/** Trains a one-epoch run with the CLI, as a terminal user would, into the workspace's experiments; returns its folder. */
async function trainRun(): Promise<string> {
  const root = experimentsRoot();
  mkdirSync(root, { recursive: true });
  const before = new Set(readdirSync(root));
  const cli = path.join(extension().extensionPath, 'dist', 'cli.js');
  const { stdout } = await execFileAsync(process.execPath, [cli, 'train', model().fsPath, '--data', 'bundled', '--epochs', '1', '--max-samples', '600', '--experiments', root], { timeout: 300_000, maxBuffer: 1 << 26 });
  const id = readdirSync(root).find((d) => !before.has(d) && existsSync(path.join(root, d, 'checkpoints')));
  assert.ok(id, `bnn train made no experiment: ${stdout.slice(-2000)}`);
  return path.join(root, id);
}

/** Runs a command with the scripted user answering; returns the user (prompts recorded) once the command ended. */
async function run(command: string, args: unknown[], answer: (p: Prompt) => Answer = () => undefined): Promise<ScriptedUser> {
  const user = new ScriptedUser().answers(answer);
  try {
    await endsWithin(command, vscode.commands.executeCommand(command, ...args));
  } finally {
    user.dispose();
  }
  assert.deepEqual(user.mistakes, [], `the script's answers fit the prompts:\n${user.transcript()}`);
  return user;
}

function shown(user: ScriptedUser, kind: Prompt['kind'], re: RegExp): Prompt {
  const p = user.of(kind).find((x) => re.test(x.text));
  assert.ok(p, `expected a${kind === 'error' || kind === 'information' ? 'n' : ''} ${kind} matching ${String(re)}; the user saw:\n${user.transcript()}`);
  return p;
}

function noErrors(user: ScriptedUser): void {
  assert.deepEqual(user.of('error').map((p) => p.text), [], `no error shown; the user saw:\n${user.transcript()}`);
}

function webviewTabs(): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview).map((t) => t.label);
}

let runA = '';
let runB = '';

const EXERCISES: Record<string, () => Promise<void>> = {
  'bnn.showSummary': async () => {
    await vscode.commands.executeCommand('bnn.showSummary', model());
    const doc = await waitFor('the summary document', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'bnn-summary'));
    assert.match(doc.getText(), /binary_mlp/);
    assert.match(doc.getText(), /Board: /);
  },

  'bnn.showGraph': async () => {
    await vscode.commands.executeCommand('bnn.showGraph', model());
    await waitFor('the graph view\'s tab', () => webviewTabs().includes('Graph: binary-mlp'));
    // a second call reveals the same view rather than opening another
    await vscode.commands.executeCommand('bnn.showGraph', model());
    await sleep(300);
    assert.equal(webviewTabs().filter((t) => t === 'Graph: binary-mlp').length, 1, JSON.stringify(webviewTabs()));
  },

  'bnn.refreshModels': async () => {
    const file = inWorkspace('refresh-check', 'late_arrival.bnn.json').fsPath;
    mkdirSync(path.dirname(file), { recursive: true });
    const text = JSON.stringify({ name: 'late_arrival', input: { shape: [8, 8, 1] }, classes: 2, layers: [{ type: 'Flatten' }, { type: 'QuantDense', units: 2 }] });
    writeFileSync(file, text);
    try {
      const user = await run('bnn.refreshModels', []);
      noErrors(user);
      const row = await waitFor('the new model in the Models view', async () => (await api().treeRows('bnnModels')).find((r) => r.label === 'late_arrival'));
      const t = summarize(loadModelText(text, file).spec!).totals;
      assert.equal(row.description, `${formatBytes(t.flashBytes)} flash · ${formatBytes(t.ramBytes)} RAM`);
    } finally {
      rmSync(path.dirname(file), { recursive: true, force: true });
    }
  },

  'bnn.selectBoard': async () => {
    await vscode.commands.executeCommand('bnn.selectBoard', 'nucleo-f446re');
    await waitFor('bnnStudio.board = nucleo-f446re', () => vscode.workspace.getConfiguration('bnnStudio').get('board') === 'nucleo-f446re');
    // A board belongs to the project: it is stored in the workspace's settings, not the user's.
    assert.equal(vscode.workspace.getConfiguration('bnnStudio').inspect('board')?.workspaceValue, 'nucleo-f446re');
    const user = await run('bnn.selectBoard', []);
    const pick = user.of('quickPick')[0];
    assert.ok(pick, `a board pick; the user saw:\n${user.transcript()}`);
    for (const b of ['Nucleo-F401RE', 'Nano 33 BLE']) assert.ok(pick.items.some((i) => i.includes(b)), `board pick items: ${pick.items.join(' | ')}`);
    assert.equal(vscode.workspace.getConfiguration('bnnStudio').get('board'), 'nucleo-f446re', 'Escape keeps the board');
    await vscode.workspace.getConfiguration('bnnStudio').update('board', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor('the default board again', () => vscode.workspace.getConfiguration('bnnStudio').get('board') === 'qemu-stm32');
  },

  'bnn.newModel': async () => {
    const folder = inWorkspace('new-models');
    mkdirSync(folder.fsPath, { recursive: true });
    try {
      const cancelled = await run('bnn.newModel', []);
      assert.deepEqual(cancelled.prompts.map((p) => p.kind), ['quickPick'], 'Escape at the template pick ends the command');
      assert.deepEqual(readdirSync(folder.fsPath), []);
      const user = await run('bnn.newModel', [], (p) => {
        if (p.kind === 'quickPick') return 'Binary MLP (28×28×1)';
        if (p.kind === 'openDialog') return folder;
        if (p.kind === 'inputBox') return 'scripted_mlp';
        return undefined;
      });
      noErrors(user);
      const file = path.join(folder.fsPath, 'scripted_mlp.bnn.json');
      assert.ok(existsSync(file), `the model file was written; the user saw:\n${user.transcript()}`);
      const loaded = loadModelText(readFileSync(file, 'utf8'), file);
      assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
      assert.equal(loaded.spec?.name, 'scripted_mlp');
      assert.deepEqual(loaded.spec?.layers.filter((l) => l.type === 'QuantDense').map((l) => l.type === 'QuantDense' && l.units), [256, 256, 10]);
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file, 'and opened');
      const t = summarize(loaded.spec).totals;
      const row = await waitFor('the new model in the Models view', async () => (await api().treeRows('bnnModels')).find((r) => r.label === 'scripted_mlp'));
      assert.equal(row.description, `${formatBytes(t.flashBytes)} flash · ${formatBytes(t.ramBytes)} RAM`);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      rmSync(folder.fsPath, { recursive: true, force: true });
    }
  },

  'bnn.importModel': async () => {
    // The Larq/Keras JSON a user exported with model.to_json(): import it and accept the proposed file name.
    const dir = inWorkspace('import');
    mkdirSync(dir.fsPath, { recursive: true });
    const source = vscode.Uri.joinPath(dir, 'larq-mnist-keras2.json');
    writeFileSync(source.fsPath, readFileSync(path.join(extension().extensionPath, 'test', 'fixtures', 'keras', 'larq-mnist-keras2.json')));
    const user = await run('bnn.importModel', [source], (p) => (p.kind === 'saveDialog' ? vscode.Uri.file(p.value!) : undefined));
    noErrors(user);
    const save = user.of('saveDialog')[0];
    assert.ok(save?.value?.endsWith('.bnn.json'), `proposes a *.bnn.json next to the source: ${save?.value}`);
    const created = save.value!;
    const loaded = loadModelText(readFileSync(created, 'utf8'), created);
    assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), [], 'the imported model is valid');
    assert.equal(loaded.spec?.layers.length, 11);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, created, 'and opened');
    // It says what it imported, and warns about the zero-padded binarized input (layer 4) it did not silently change.
    const said = [...user.of('information'), ...user.of('warning')].find((p) => p.text.startsWith('Imported larq-mnist-keras2.json'));
    assert.ok(said, `says what was imported; the user saw:\n${user.transcript()}`);
    assert.match(said.text, /pads its binarized input with 0/);
    const cancelled = await run('bnn.importModel', []);
    assert.deepEqual(cancelled.prompts.map((p) => p.kind), ['openDialog']);
  },

  'bnn.exportLarqScript': async () => {
    const folder = inWorkspace('larq-export');
    mkdirSync(folder.fsPath, { recursive: true });
    try {
      const user = await run('bnn.exportLarqScript', [model()], (p) => {
        if (p.kind === 'quickPick') return p.text === 'Optimizer preset' ? p.items[0] : 'fashion-mnist';
        if (p.kind === 'openDialog') return folder;
        return undefined;
      });
      noErrors(user);
      const project = path.join(folder.fsPath, 'binary_mlp-larq');
      const train = readFileSync(path.join(project, 'train.py'), 'utf8');
      assert.match(train, /^MODEL = \{"name": "binary_mlp"/m);
      assert.match(readFileSync(path.join(project, 'requirements.txt'), 'utf8'), /^larq\b/m);
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, path.join(project, 'train.py'), 'opens train.py');
      try {
        await execFileAsync('python3', ['-m', 'py_compile', path.join(project, 'train.py')]);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // no Python here: the unit tests run the script
      }
      const cancelled = await run('bnn.exportLarqScript', [model()]);
      assert.deepEqual(cancelled.prompts.map((p) => p.text), ['Optimizer preset']);
    } finally {
      rmSync(folder.fsPath, { recursive: true, force: true });
    }
  },

  'bnn.exportTorchProject': async () => {
    const folder = inWorkspace('torch-export');
    mkdirSync(folder.fsPath, { recursive: true });
    try {
      const user = await run('bnn.exportTorchProject', [model()], (p) => {
        if (p.kind === 'quickPick') return p.items[0]; // the 'bop' preset, then the bundled dataset
        if (p.kind === 'openDialog') return folder;
        return undefined;
      });
      noErrors(user);
      const project = path.join(folder.fsPath, 'binary_mlp-torch');
      const config = JSON.parse(readFileSync(path.join(project, 'config.json'), 'utf8'));
      assert.equal(config.kind, 'bnn-studio-torch-project');
      assert.equal(config.model.name, 'binary_mlp');
      assert.equal(config.optimizer.preset, 'bop');
      assert.ok(existsSync(config.dataset.files.trainImages), config.dataset.files.trainImages);
      // the shipped sources, copied as they are
      const shipped = path.join(extension().extensionPath, 'python', 'bnn_torch');
      for (const f of readdirSync(shipped).filter((n) => n.endsWith('.py'))) assert.equal(readFileSync(path.join(project, f), 'utf8'), readFileSync(path.join(shipped, f), 'utf8'), f);
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, path.join(project, 'train.py'), 'opens train.py');
      assert.match(user.of('information').map((m) => m.text).join('\n'), /torch\.distributed\.run --nproc_per_node 2/);
      const cancelled = await run('bnn.exportTorchProject', [model()]);
      assert.deepEqual(cancelled.prompts.map((p) => p.text), ['Optimizer preset']);
    } finally {
      rmSync(folder.fsPath, { recursive: true, force: true });
    }
  },

  'bnn.trainWithTorch': async () => {
    const user = await run('bnn.trainWithTorch', [model()]);
    const error = user.of('error')[0];
    if (error) {
      // No torch (or no Python): the error says what to install, and offers the project instead.
      assert.match(error.text, /^Train with PyTorch: .*apt-get install python3-torch/);
      assert.deepEqual(error.items, ['Open Settings', 'Export Project Instead']);
    } else {
      assert.deepEqual(user.prompts.map((p) => p.text), ['Optimizer preset'], 'with torch installed it asks for the preset');
    }
    assert.ok(!existsSync(inWorkspace('.bnn', 'torch').fsPath), 'Escape leaves no PyTorch project behind');
  },

  'bnn.trainWithLarq': async () => {
    const user = await run('bnn.trainWithLarq', [model()]);
    const error = user.of('error')[0];
    if (error) {
      // No Larq (or no Python): the error says what to install, and offers the script instead.
      assert.match(error.text, /^Train with Larq: .*(pip install larq|no Python interpreter)/);
      assert.deepEqual(error.items, ['Open Settings', 'Export Script Instead']);
    } else {
      assert.deepEqual(user.prompts.map((p) => p.text), ['Optimizer preset'], 'with Larq installed it asks for the preset');
    }
    assert.ok(!existsSync(inWorkspace('.bnn', 'larq').fsPath), 'Escape leaves no Larq project behind');
  },

  'bnn.exportTfjs': async () => {
    const folder = inWorkspace('tfjs-export');
    mkdirSync(folder.fsPath, { recursive: true });
    try {
      const user = await run('bnn.exportTfjs', [runA], (p) => {
        if (p.kind === 'quickPick') return 'TensorFlow.js layers model';
        if (p.kind === 'openDialog') return folder;
        return undefined;
      });
      noErrors(user);
      shown(user, 'information', /^Exported binary_mlp as TensorFlow\.js layers model to /);
      const out = path.join(folder.fsPath, 'binary_mlp-tfjs');
      const mj = JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8')) as { modelTopology: { config: { layers: unknown[] } }; weightsManifest: { paths: string[] }[] };
      assert.equal(mj.modelTopology.config.layers.length, 8, 'the binary MLP\'s 8 layers');
      for (const f of mj.weightsManifest.flatMap((g) => g.paths)) assert.ok(existsSync(path.join(out, f)), `weights file ${f}`);
      assert.ok(existsSync(path.join(out, 'bnn-layers.js')));
      const cancelled = await run('bnn.exportTfjs', [runA]);
      assert.deepEqual(cancelled.prompts.map((p) => p.kind), ['quickPick']);
      const bad = await run('bnn.exportTfjs', ['no-such-run']);
      shown(bad, 'error', /no experiment 'no-such-run'/);
    } finally {
      rmSync(folder.fsPath, { recursive: true, force: true });
    }
  },

  'bnn.revealLayer': async () => {
    await vscode.commands.executeCommand('bnn.revealLayer', model(), 1);
    const editor = await waitFor('an editor on the model', () => vscode.window.activeTextEditor?.document.uri.toString() === model().toString() && vscode.window.activeTextEditor);
    assert.match(editor.document.getText(editor.selection), /QuantDense/);
  },

  'bnn.train': async () => {
    // The full run is test/integration/suite/training.test.ts; here Escape at each question starts nothing.
    const before = readdirSync(experimentsRoot()).sort();
    const atDataset = await run('bnn.train', [model()]);
    assert.deepEqual(atDataset.prompts.map((p) => p.text), ['Train BNN (2/5): dataset']);
    assert.ok(atDataset.prompts[0].items.includes('bundled'));
    const atPreset = await run('bnn.train', [model()], (p) => (p.text.includes('dataset') ? 'bundled' : undefined));
    assert.equal(atPreset.prompts.length, 2, atPreset.transcript());
    noErrors(atPreset);
    assert.deepEqual(readdirSync(experimentsRoot()).sort(), before, 'no experiment folder was created');
  },

  'bnn.trainAgain': async () => {
    // Either nothing to run again yet, or the last run's settings to start from; Escape there starts nothing.
    const before = readdirSync(experimentsRoot()).sort();
    const user = await run('bnn.trainAgain', []);
    noErrors(user);
    const first = user.prompts[0];
    assert.ok(first && (/^No earlier Train BNN run/.test(first.text) || first.text === 'Train BNN: run the last training again'), user.transcript());
    assert.deepEqual(readdirSync(experimentsRoot()).sort(), before, 'no experiment folder was created');
  },

  'bnn.stopTraining': async () => {
    const none = await run('bnn.stopTraining', []);
    shown(none, 'information', /^No training is running\.$/);
    const notHere = await run('bnn.stopTraining', [path.basename(runA)]);
    shown(notHere, 'information', new RegExp(`^${path.basename(runA)} is not running in this window\\.$`));
    assert.equal(JSON.parse(readFileSync(path.join(runA, STATUS_FILE), 'utf8')).state, 'completed', 'the finished run is untouched');
  },

  'bnn.resumeExperiment': async () => {
    // A finished 1-epoch run asks how many epochs in all, proposing 10 more; Escape resumes nothing.
    const metrics = readFileSync(path.join(runA, METRICS_FILE), 'utf8');
    const user = await run('bnn.resumeExperiment', [runA]);
    const box = user.of('inputBox')[0];
    assert.ok(box, `asks for the epochs; the user saw:\n${user.transcript()}`);
    assert.equal(box.value, '11');
    assert.equal(readFileSync(path.join(runA, METRICS_FILE), 'utf8'), metrics, 'nothing was appended');
    const bad = await run('bnn.resumeExperiment', ['no-such-run']);
    shown(bad, 'error', /^Resume Training: .*no experiment 'no-such-run'/);
  },

  'bnn.compile': async () => {
    const user = await run('bnn.compile', [runA]);
    noErrors(user);
    // It opens the header it wrote, inside the run's folder, for the selected board.
    const opened = vscode.window.activeTextEditor?.document.uri.fsPath ?? '';
    assert.ok(opened.startsWith(runA + path.sep) && opened.endsWith(path.join('compiled', 'qemu-stm32', 'bnn_model.h')), `opened ${opened}`);
    const header = readFileSync(opened, 'utf8');
    assert.match(readFileSync(path.join(path.dirname(opened), 'bnn_model.c'), 'utf8'), /#include "bnn_model\.h"/);
    // The numbers said are the estimator's for this model (the Models view shows the same).
    const spec = loadModelText(readFileSync(model().fsPath, 'utf8'), model().fsPath).spec!;
    const t = summarize(spec).totals;
    const said = shown(user, 'information', /^BNN: compiled 'binary_mlp' for /);
    assert.ok(said.text.includes(`${t.flashBytes} B flash, ${t.ramBytes} B RAM`), `"${said.text}" vs the estimate ${t.flashBytes} B / ${t.ramBytes} B`);
    assert.match(header, new RegExp(`#define BNN_FLASH_BYTES\\s+${t.flashBytes}\\n`));
    const bad = await run('bnn.compile', ['no-such-run']);
    shown(bad, 'error', /^BNN: cannot compile: .*no experiment 'no-such-run'/);
  },

  'bnn.runOnEmulator': async () => {
    // The run on QEMU itself is test/integration/suite/device.test.ts.
    const cancelled = await run('bnn.runOnEmulator', []);
    const pick = cancelled.of('quickPick')[0];
    assert.ok(pick && pick.items.includes(path.basename(runA)), `offers the finished runs; the user saw:\n${cancelled.transcript()}`);
    assert.ok(!existsSync(path.join(runA, DEVICE_DIR)), 'nothing ran');
    const bad = await run('bnn.runOnEmulator', ['no-such-run']);
    shown(bad, 'error', /^Run on Emulated Board: .*no experiment 'no-such-run'/);
  },

  'bnn.flash': async () => {
    // No board on this machine: it says so and offers the emulated board instead; declining flashes nothing.
    const user = await run('bnn.flash', [runA]);
    const w = shown(user, 'warning', /^No supported board is connected .*: \d+ serial ports? seen, none a supported board|could not be listed/);
    assert.match(w.text, /flashing tools: openocd (found|missing), st-flash (found|missing), arduino-cli (found|missing)\.$/);
    assert.deepEqual(w.items, ['Run on Emulated Board', 'Show Details', 'Open Serial Monitor']);
    assert.equal(user.of('quickPick').length, 0, 'no experiment is asked for before the board is known');
    assert.ok(!existsSync(path.join(runA, DEVICE_DIR)), 'nothing ran');
    // The board is looked for first, so an unknown run id is never reached without one.
    const bad = await run('bnn.flash', ['no-such-run']);
    shown(bad, 'warning', /^No supported board is connected/);
  },

  'bnn.refreshDatasets': async () => {
    noErrors(await run('bnn.refreshDatasets', []));
  },

  'bnn.previewDataset': async () => {
    // Escape at the dataset pick previews nothing and says nothing wrong
    noErrors(await run('bnn.previewDataset', []));
  },

  'bnn.trainOnDataset': async () => {
    // Escape at the dataset pick starts no training
    noErrors(await run('bnn.trainOnDataset', []));
  },

  'bnn.serialMonitor': async () => {
    // Escape at the port pick opens nothing; the pick always offers to type a path
    const user = await run('bnn.serialMonitor', []);
    noErrors(user);
    const pick = user.of('quickPick')[0];
    assert.ok(pick && pick.items.includes('$(edit) Enter a port path…'), user.transcript());
    assert.equal(vscode.window.terminals.filter((t) => t.name.startsWith('Serial ')).length, 0);
  },

  'bnn.openCharts': async () => {
    const user = await run('bnn.openCharts', [runA]);
    noErrors(user);
    // the tab reads model · optimizer · time (labels.ts), not the folder id
    const title = `Training: ${runTitle({ id: path.basename(runA), config: readConfigFile(runA) })}`;
    await waitFor(() => `a "${title}" panel (tabs: ${JSON.stringify(webviewTabs())})`, () => webviewTabs().includes(title));
    const bad = await run('bnn.openCharts', ['no-such-run']);
    shown(bad, 'error', /no experiment 'no-such-run'/);
  },

  'bnn.compareExperiments': async () => {
    const user = await run('bnn.compareExperiments', [runA, [runA, runB]]);
    noErrors(user);
    await waitFor(() => `a "Compare 2 runs" panel (tabs: ${JSON.stringify(webviewTabs())})`, () => webviewTabs().includes('Compare 2 runs'));
    // From the palette: both runs picked (by their ids; their labels, the same optimizer settings, are alike).
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('the panel to close', () => !webviewTabs().includes('Compare 2 runs'));
    const picked = await run('bnn.compareExperiments', [], (p) => (p.kind === 'quickPick' ? [path.basename(runA), path.basename(runB)] : undefined));
    assert.equal(picked.of('quickPick').length, 1, picked.transcript());
    await waitFor(() => `a "Compare 2 runs" panel again (tabs: ${JSON.stringify(webviewTabs())})`, () => webviewTabs().includes('Compare 2 runs'));
  },

  'bnn.revealExperiment': async () => {
    const user = await run('bnn.revealExperiment', [runA]);
    noErrors(user);
    const bad = await run('bnn.revealExperiment', ['no-such-run']);
    shown(bad, 'error', /no experiment 'no-such-run'/);
  },

  'bnn.renameExperiment': async () => {
    // The user types a name: the row reads it, config.json keeps it, the folder keeps its id; an empty name clears it.
    const user = await run('bnn.renameExperiment', [runB], (p) => (p.kind === 'inputBox' ? 'wide γ sweep' : undefined));
    noErrors(user);
    assert.equal(JSON.parse(readFileSync(path.join(runB, 'config.json'), 'utf8')).name, 'wide γ sweep');
    assert.ok(existsSync(runB), 'the folder keeps its id');
    await waitFor('the renamed row', async () => (await experimentRows()).some((r) => r.label === 'wide γ sweep'));
    const cleared = await run('bnn.renameExperiment', [runB], (p) => (p.kind === 'inputBox' ? '' : undefined));
    noErrors(cleared);
    assert.equal(JSON.parse(readFileSync(path.join(runB, 'config.json'), 'utf8')).name, undefined);
    const bad = await run('bnn.renameExperiment', ['no-such-run']);
    shown(bad, 'error', /no experiment 'no-such-run'/);
  },

  'bnn.deleteExperiment': async () => {
    // A copy of a finished run, so the other tests keep theirs.
    const copy = path.join(experimentsRoot(), `${path.basename(runB)}-copy`);
    cpSync(runB, copy, { recursive: true });
    const config = JSON.parse(readFileSync(path.join(copy, 'config.json'), 'utf8')) as { id: string };
    config.id = path.basename(copy);
    writeFileSync(path.join(copy, 'config.json'), JSON.stringify(config));
    await vscode.commands.executeCommand('bnn.refreshExperiments');
    const rowsBefore = (await experimentRows()).length;
    const kept = await run('bnn.deleteExperiment', [copy]);
    const ask = shown(kept, 'warning', new RegExp(`^Delete experiment "${path.basename(copy)}"\\?$`));
    assert.equal(ask.modal, true);
    assert.ok(existsSync(copy), 'Cancel keeps the folder');
    const gone = await run('bnn.deleteExperiment', [copy], (p) => (p.kind === 'warning' ? 'Delete' : undefined));
    noErrors(gone);
    assert.ok(!existsSync(copy), 'Delete removes the folder');
    await waitFor('the Experiments view to lose a row', async () => (await experimentRows()).length === rowsBefore - 1);
  },

  'bnn.refreshExperiments': async () => {
    const copy = path.join(experimentsRoot(), `${path.basename(runB)}-refresh`);
    cpSync(runB, copy, { recursive: true });
    const config = JSON.parse(readFileSync(path.join(copy, 'config.json'), 'utf8')) as { id: string };
    config.id = path.basename(copy);
    writeFileSync(path.join(copy, 'config.json'), JSON.stringify(config));
    try {
      const before = (await experimentRows()).length;
      const user = await run('bnn.refreshExperiments', []);
      noErrors(user);
      await waitFor('the copied run in the Experiments view', async () => (await experimentRows()).length === before + 1);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  },
};

describe('Every contributed command does what it says', function () {
  this.timeout(120_000);

  before(async function () {
    this.timeout(600_000);
    await waitFor('the extension to activate', () => extension().isActive, 30_000);
    runA = await trainRun();
    runB = await trainRun();
    await vscode.commands.executeCommand('bnn.refreshExperiments');
    await waitFor('both runs in the Experiments view', async () => (await experimentRows()).length >= 2);
  });

  after(async () => {
    for (const d of [runA, runB]) if (d) rmSync(d, { recursive: true, force: true });
    await vscode.commands.executeCommand('bnn.refreshExperiments');
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('covers every contributed command', () => {
    assert.deepEqual(contributedCommands().map((c) => c.command).filter((c) => !EXERCISES[c]), []);
  });

  for (const { command } of contributedCommands()) {
    it(command, async () => {
      await EXERCISES[command]();
    });
  }
});
