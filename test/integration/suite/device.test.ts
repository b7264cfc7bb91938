import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { EXPERIMENTS_DIR, DEVICE_DIR, type DeviceResult } from '../../../src/core/experiments/types';
import { requireTool } from '../../support/tools';
import { extension, inWorkspace, waitFor } from './helpers';

const execFileAsync = promisify(execFile);

describe('Run on Emulated Board', function () {
  this.timeout(900_000);
  let runDir = '';

  before(async function () {
    requireTool(this, 'qemu-system-arm', 'apt-get install qemu-system-arm');
    requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
    // A small trained run to deploy, made the way a terminal user would (bnn train), into the workspace's experiments.
    const root = inWorkspace(...EXPERIMENTS_DIR.split('/')).fsPath;
    mkdirSync(root, { recursive: true });
    const cli = path.join(extension().extensionPath, 'dist', 'cli.js');
    const model = inWorkspace('models', 'binary-mlp.bnn.json').fsPath;
    const { stdout } = await execFileAsync(process.execPath, [cli, 'train', model, '--data', 'bundled', '--epochs', '1', '--max-samples', '1000', '--experiments', root, '--json'], { timeout: 300_000, maxBuffer: 1 << 26 });
    const dirs = readdirSync(root).filter((d) => existsSync(path.join(root, d, 'checkpoints'))).sort();
    assert.ok(dirs.length > 0, `bnn train made no experiment: ${stdout.slice(-2000)}`);
    runDir = path.join(root, dirs[dirs.length - 1]);
  });

  after(async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('builds the firmware, runs the test set on QEMU and saves a device result that agrees with the host', async () => {
    const done = vscode.commands.executeCommand('bnn.runOnEmulator', runDir);
    const deviceDir = path.join(runDir, DEVICE_DIR);
    const file = await waitFor('a device result file', () => existsSync(deviceDir) && readdirSync(deviceDir).find((f) => f.endsWith('.json')), 840_000);
    const saved = JSON.parse(readFileSync(path.join(deviceDir, file), 'utf8')) as { result?: DeviceResult } & Partial<DeviceResult>;
    const r = (saved.result ?? saved) as DeviceResult;
    assert.equal(r.board, 'qemu-stm32');
    assert.ok(r.samples > 0);
    assert.equal(r.agreement, 1, 'the board classifies every sample as the host reference does');
    assert.equal(r.deviceAccuracy, r.hostAccuracy);
    assert.ok(r.deviceAccuracy > 0.1, `better than chance on 10 classes: ${r.deviceAccuracy}`);
    // The command ends with a notification; dismissing it ends the command.
    await new Promise((res) => setTimeout(res, 1000));
    await vscode.commands.executeCommand('notifications.clearAll');
    await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error('bnn.runOnEmulator did not end')), 20_000))]);
  });
});
