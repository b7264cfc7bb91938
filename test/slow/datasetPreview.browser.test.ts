/**
 * The built dataset preview in a real browser (Debian's Chromium, headless), fed what the host sends: the bundled
 * dataset's thumbnails must carry the samples' exact pixels, sensor windows must be drawn as plots, an image-folder
 * sample must ask the host to open its own file, and nothing may break the page's Content-Security-Policy.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { requireTool } from '../support/tools';
import { openPanelPage, type PanelPage } from '../support/panelPage';
import { datasetFit, previewDataset, summarizeDataset } from '../../src/core/data';
import { guardDatasetPreviewMessage } from '../../src/core/webviewMessageGuard';

describe('dataset preview page (Chromium)', function () {
  this.timeout(120_000);
  let p: PanelPage | undefined;
  let dir: string;
  before(function () {
    requireTool(this, '/usr/bin/chromium', 'apt-get install chromium');
    dir = mkdtempSync(path.join(tmpdir(), 'bnn-preview-'));
  });
  afterEach(async () => { await p?.close(); p = undefined; });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const send = async (data: string, model?: { name: string; input: { shape: number[] }; classes: number }): Promise<void> => {
    const summary = summarizeDataset(data);
    p = await openPanelPage({ theme: 'dark', bundle: 'datasetPreview' });
    await p.send({ v: 1, type: 'preview', summary, preview: previewDataset(data), fit: model ? datasetFit(summary, model) : [], model: model?.name });
  };

  it('draws 8 thumbnails a class with the samples\' exact pixels, and says the dataset fits the model', async () => {
    await send('bundled', { name: 'binary_mlp', input: { shape: [28, 28, 1] }, classes: 10 });
    const page = p!.page;
    await page.locator('.class-row').first().waitFor();
    assert.equal(await page.locator('.class-row').count(), 10);
    assert.equal(await page.locator('canvas.image').count(), 80);
    assert.match(await page.locator('.fit').innerText(), /Fits model 'binary_mlp' as it is/);
    assert.match(await page.locator('.class-name').first().innerText(), /T-shirt\/top/);
    // the first thumbnail of class 0 is the first training sample labelled 0, grey replicated to R, G, B
    const want = Buffer.from(previewDataset('bundled').classes[0].samples[0].data, 'base64');
    const got = await page.evaluate(() => {
      const c = document.querySelector('canvas.image') as HTMLCanvasElement;
      return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
    });
    assert.equal(got.length, 784 * 4);
    for (let i = 0; i < 784; i++) assert.deepEqual(got.slice(4 * i, 4 * i + 4), [want[i], want[i], want[i], 255], `pixel ${i}`);
    assert.deepEqual(await p!.problems(), []);
    mkdirSync(path.join(__dirname, '../../test-results'), { recursive: true });
    await page.screenshot({ path: path.join(__dirname, '../../test-results/dataset-preview.png') });
  });

  it('plots sensor windows, one line per axis, and shows a misfit with what to change', async () => {
    const rows = Array.from({ length: 40 }, (_, r) => `${r % 2},${Array.from({ length: 30 }, (_, t) => Math.round(127 + 100 * Math.sin((t + r) / (r % 2 ? 2 : 5)))).join(',')}`);
    const csv = path.join(dir, 'windows.csv');
    writeFileSync(csv, `${rows.join('\n')}\n`);
    await send(csv, { name: 'm', input: { shape: [30, 1, 1] }, classes: 3 });
    const page = p!.page;
    await page.locator('.class-row').first().waitFor();
    assert.equal(await page.locator('.sample.series canvas').count(), 16);
    assert.match(await page.locator('.note.error').innerText(), /2 classes but model 'm' has 3 outputs[\s\S]*set "classes": 2/);
    // a plotted line leaves non-background pixels on its canvas
    const inked = await page.evaluate(() => {
      const c = document.querySelector('.sample.series canvas') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(inked > 50, `only ${inked} pixels drawn`);
    assert.deepEqual(await p!.problems(), []);
  });

  it('an image-folder thumbnail asks the host to open its own file, which the guard lets through', async () => {
    for (const c of ['a', 'b']) {
      mkdirSync(path.join(dir, 'imgs', c), { recursive: true });
      const img = new PNG({ width: 10, height: 10 });
      img.data.fill(c === 'a' ? 40 : 220);
      writeFileSync(path.join(dir, 'imgs', c, '0.png'), PNG.sync.write(img));
    }
    await send(path.join(dir, 'imgs'));
    const page = p!.page;
    await page.locator('canvas.image.clickable').first().click();
    const reveal = (await p!.posted()).find((m) => m.type === 'reveal');
    assert.equal(reveal?.file, path.join(dir, 'imgs', 'a', '0.png'));
    const shown = new Set(previewDataset(path.join(dir, 'imgs')).classes.flatMap((c) => c.samples.map((s) => s.source)));
    assert.equal(guardDatasetPreviewMessage(reveal, shown).ok, true);
  });
});
