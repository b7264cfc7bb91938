/**
 * Flash and RAM of a device result as two facts (issue 16 item 3): the model's arrays against the estimate, and the
 * firmware total on its own — never the firmware total against the model estimate, which read as a 21% miss.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatDeviceResult } from '../../src/core/device/bench';
import { firmwareTotalText, modelArraysText } from '../../src/core/device/memoryText';
import { upgradeDeviceResult } from '../../src/core/experiments/deviceResult';
import { listDeviceResults, writeDeviceResult } from '../../src/core/experiments/store';
import type { DeviceResult } from '../../src/core/experiments/types';

const base = { board: 'qemu-stm32', time: '2026-12-01T10:00:00.000Z', samples: 200, deviceAccuracy: 0.8, hostAccuracy: 0.8, agreement: 1, latency: { median: 164246, p90: 164300, unit: 'instructions (emulated)' as const }, modelHash: '0123456789abcdef' };
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;

describe('device result memory: model arrays vs estimate, and the firmware total', () => {
  it('reads a result saved in the old shape (used = firmware total, estimate = the model\'s)', () => {
    const old = { ...base, flash: { used: 43930, estimate: 36304, modelBytes: 36304 }, ram: { used: 9000, estimate: 2336 } };
    const r = upgradeDeviceResult(old as unknown as Partial<DeviceResult>);
    assert.deepEqual(r.flash, { modelArrays: 36304, modelEstimate: 36304, firmwareTotal: 43930 });
    // no modelBytes: the arrays were not measured apart, and the compiled C stores what the plan says
    assert.deepEqual(r.ram, { modelArrays: 2336, modelEstimate: 2336, firmwareTotal: 9000 });
  });

  it('leaves a result in the current shape as it is', () => {
    const cur = { ...base, flash: { modelArrays: 1, modelEstimate: 2, firmwareTotal: 3, firmwareEstimate: 4 }, ram: { modelArrays: 5, modelEstimate: 6, firmwareTotal: 7 } };
    assert.deepEqual(upgradeDeviceResult(cur), cur);
  });

  it('listDeviceResults gives old files in the new shape', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-devmem-'));
    try {
      fs.mkdirSync(path.join(dir, 'device'));
      fs.writeFileSync(path.join(dir, 'device', 'qemu-stm32-20261201-100000.json'), JSON.stringify({ ...base, flash: { used: 43930, estimate: 36304, modelBytes: 36304 }, ram: { used: 9000, estimate: 2336, modelBytes: 2336 } }));
      const [e] = await listDeviceResults(dir);
      assert.deepEqual(e.result?.flash, { modelArrays: 36304, modelEstimate: 36304, firmwareTotal: 43930 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says arrays = estimate when they match, both numbers when they do not, and the firmware total apart', () => {
    assert.equal(modelArraysText({ modelArrays: 36304, modelEstimate: 36304, firmwareTotal: 43930 }, kb), '35.5 KB = estimate');
    assert.equal(modelArraysText({ modelArrays: 36400, modelEstimate: 36304, firmwareTotal: 43930 }, kb), '35.5 KB (estimate 35.5 KB)');
    assert.equal(firmwareTotalText({ modelArrays: 36304, modelEstimate: 36304, firmwareTotal: 43930, firmwareEstimate: 48592 }, kb, 1024 * 1024), '42.9 KB of 1024.0 KB (expected 47.5 KB)');
  });

  it('the CLI paragraph has a model-arrays line and a firmware-total line, with no "used / estimate"', () => {
    const text = formatDeviceResult({ ...base, flash: { modelArrays: 36304, modelEstimate: 36304, firmwareTotal: 43930, firmwareEstimate: 48592 }, ram: { modelArrays: 2336, modelEstimate: 2336, firmwareTotal: 9000, firmwareEstimate: 20000 } });
    assert.match(text, /^model arrays {5}flash 36,304 B = estimate; RAM 2,336 B = estimate$/m);
    assert.match(text, /^firmware total {3}flash 43,930 B of 1,048,576 B \(expected 48,592 B\); RAM 9,000 B of 131,072 B \(expected 20,000 B\) with the stack/m);
    assert.doesNotMatch(text, /used|\/ estimate/);
  });

  it('device results carry the folder\'s formatVersion; a newer one is named, not misread', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-devver-'));
    try {
      const cur = { ...base, flash: { modelArrays: 1, modelEstimate: 1, firmwareTotal: 3 }, ram: { modelArrays: 1, modelEstimate: 1, firmwareTotal: 3 } };
      const file = writeDeviceResult(dir, cur);
      assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).formatVersion, 1);
      fs.writeFileSync(path.join(dir, 'device', 'qemu-stm32-20991231-000000.json'), JSON.stringify({ ...cur, formatVersion: 2 }));
      const entries = await listDeviceResults(dir);
      assert.equal(entries.length, 2);
      assert.deepEqual(entries.filter((e) => e.result).map((e) => e.file), [file]);
      assert.equal(entries.find((e) => e.error)?.error, 'qemu-stm32-20991231-000000.json: formatVersion 2 is not supported (this BNN Studio reads version 1)');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
