import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataError, loadDataset, resizeImage, FASHION_MNIST_CLASSES, type Dataset } from '../../src/core/data';
import { requirePythonModule } from '../support/tools';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Runs a Python script with numpy and PIL (the library Keras saves and loads images with) in `dir`. */
function py(dir: string, script: string): void {
  execFileSync(PYTHON, ['-c', `import numpy as np, os\nfrom PIL import Image\nos.chdir(${JSON.stringify(dir)})\n${script}`], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function throwsData(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected DataError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

/** The images of each class, in order, as byte strings. */
function byClass(images: Uint8Array, labels: Uint8Array, per: number, name: (l: number) => string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  labels.forEach((l, i) => {
    const k = name(l);
    if (!m.has(k)) m.set(k, []);
    m.get(k)?.push(Buffer.from(images.subarray(i * per, (i + 1) * per)).toString('hex'));
  });
  return m;
}

describe('image folders (Keras image_dataset_from_directory layout)', function () {
  this.timeout(120000);
  let dir: string;
  before(function () {
    requirePythonModule(this, PYTHON, 'numpy', 'apt-get install python3-numpy');
    requirePythonModule(this, PYTHON, 'PIL', 'apt-get install python3-pil');
  });
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'bnn-img-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('Fashion-MNIST written as a PNG folder reads back byte-equal to the IDX tensors, classes in Keras order; a second read comes from the cache', () => {
    const idx = loadDataset('bundled');
    const folders = FASHION_MNIST_CLASSES.map((c) => c.replace('/', '_'));
    const nTrain = 2000;
    writeFileSync(path.join(dir, 'train.u8'), idx.train.images.subarray(0, nTrain * 784));
    writeFileSync(path.join(dir, 'train.labels'), idx.train.labels.subarray(0, nTrain));
    writeFileSync(path.join(dir, 'test.u8'), idx.test.images);
    writeFileSync(path.join(dir, 'test.labels'), idx.test.labels);
    py(dir, `names = ${JSON.stringify(folders)}
for part in ['train', 'test']:
    x = np.fromfile(f'{part}.u8', np.uint8).reshape(-1, 28, 28); y = np.fromfile(f'{part}.labels', np.uint8)
    for i, (img, l) in enumerate(zip(x, y)):
        os.makedirs(f'fmnist/{part}/{names[l]}', exist_ok=True)
        Image.fromarray(img, 'L').save(f'fmnist/{part}/{names[l]}/{i:05d}.png')`);
    const cache = path.join(dir, '.bnn', 'cache');
    const read = (): Dataset => loadDataset(path.join(dir, 'fmnist'), {}, { imageShape: [28, 28, 1], cacheDir: cache });
    const ds = read();
    assert.deepEqual(ds.classNames, [...folders].sort());
    assert.deepEqual(ds.shape, [28, 28, 1]);
    assert.equal(ds.train.count, nTrain);
    assert.equal(ds.test.count, idx.test.count);
    assert.equal(ds.preprocessing?.format, 'image-folder');
    assert.deepEqual(ds.preprocessing?.image?.shape, [28, 28, 1]);
    assert.equal(ds.preprocessing?.testSplit, undefined, 'the test/ sub-root is the test part');
    assert.deepEqual(ds.imageReport, { decoded: nTrain + idx.test.count, cached: 0, resized: 0, corrupt: [] });
    // each class's images, in file order, are the IDX images of that class in their order
    const fromIdx = (s: Dataset['train'], n: number) => byClass(s.images.subarray(0, n * 784), s.labels.subarray(0, n), 784, (l) => folders[l]);
    const fromPng = (s: Dataset['train']) => byClass(s.images, s.labels, 784, (l) => ds.classNames?.[l] ?? '?');
    assert.deepEqual(fromPng(ds.train), fromIdx(idx.train, nTrain));
    assert.deepEqual(fromPng(ds.test), fromIdx(idx.test, idx.test.count));
    // without a model's shape the first image decides: 28×28, grey → one channel
    assert.deepEqual(loadDataset(path.join(dir, 'fmnist'), {}, {}).shape, [28, 28, 1]);

    const again = read();
    assert.deepEqual(again.imageReport, { decoded: 0, cached: nTrain + idx.test.count, resized: 0, corrupt: [] });
    assert.deepEqual(again.train.images, ds.train.images);
    // a changed file (new mtime) is decoded again, the others still come from the cache
    const one = path.join(dir, 'fmnist', 'train', 'Bag', readdirSync(path.join(dir, 'fmnist', 'train', 'Bag')).sort()[0]);
    utimesSync(one, new Date(), new Date(Date.now() + 5000));
    assert.deepEqual({ ...read().imageReport, corrupt: undefined }, { decoded: 1, cached: nTrain + idx.test.count - 1, resized: 0, corrupt: undefined });
  });

  it('RGB PNG and JPEG: RGB as is for 3 channels, ITU-R 601 luma for 1; other sizes resized and reported', () => {
    py(dir, `rng = np.random.default_rng(1)
os.makedirs('rgb/a'); os.makedirs('rgb/b')
yy, xx = np.mgrid[0:12, 0:10]
for k in range(3):
    img = np.stack([(xx * 20 + k * 7) % 256, (yy * 17) % 256, np.full_like(xx, 40 * k)], -1).astype(np.uint8)
    Image.fromarray(img, 'RGB').save(f'rgb/a/{k}.png')
    # full-resolution chroma (4:4:4): the decoders' chroma upsampling (libjpeg's 'fancy', jpeg-js' own) cannot differ
    Image.fromarray(img, 'RGB').save(f'rgb/b/{k}.jpg', quality=95, subsampling=0)
    # what libjpeg (through PIL) decodes, and the luma by the integer BT.601 rule, as references
    ref = np.asarray(Image.open(f'rgb/b/{k}.jpg').convert('RGB')).astype(np.int64)
    ref.astype(np.uint8).tofile(f'ref_jpg_{k}.rgb')
    for name, a in [('png', img.astype(np.int64)), ('jpg', ref)]:
        ((299 * a[..., 0] + 587 * a[..., 1] + 114 * a[..., 2] + 500) // 1000).astype(np.uint8).tofile(f'ref_{name}_{k}.y')
    img.tofile(f'ref_png_{k}.rgb')
Image.fromarray(np.zeros((24, 20, 3), np.uint8), 'RGB').save('rgb/a/big.png')
# a camera's 4:2:0 JPEG: luma is stored at full resolution, so the 1-channel input still agrees with libjpeg's
os.makedirs('cam/x'); os.makedirs('cam/y')
Image.fromarray(img, 'RGB').save('cam/x/0.jpg', quality=90, subsampling=2); Image.fromarray(img[::-1], 'RGB').save('cam/y/0.jpg', quality=90, subsampling=2)
for c in 'xy':
    a = np.asarray(Image.open(f'cam/{c}/0.jpg').convert('RGB')).astype(np.int64)
    ((299 * a[..., 0] + 587 * a[..., 1] + 114 * a[..., 2] + 500) // 1000).astype(np.uint8).tofile(f'ref_cam_{c}.y')`);
    const ref = (f: string) => new Uint8Array(readFileSync(path.join(dir, f)));
    const rgb = loadDataset(path.join(dir, 'rgb'), {}, { imageShape: [12, 10, 3], testSplit: 0 });
    const grey = loadDataset(path.join(dir, 'rgb'), {}, { imageShape: [12, 10, 1], testSplit: 0 });
    assert.deepEqual(rgb.classNames, ['a', 'b']);
    // files sorted by name within a class: 0.png, 1.png, 2.png, big.png, then 0.jpg …
    const sample = (ds: Dataset, i: number) => ds.train.images.subarray(i * ds.shape.reduce((a, b) => a * b), (i + 1) * ds.shape.reduce((a, b) => a * b));
    for (let k = 0; k < 3; k++) {
      assert.deepEqual(sample(rgb, k), ref(`ref_png_${k}.rgb`));
      assert.deepEqual(sample(grey, k), ref(`ref_png_${k}.y`));
      // jpeg-js and libjpeg may differ by a rounding step of the inverse DCT, no more
      const maxDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
      assert.ok(maxDiff(sample(rgb, 4 + k), ref(`ref_jpg_${k}.rgb`)) <= 2, `jpeg ${k} rgb`);
      assert.ok(maxDiff(sample(grey, 4 + k), ref(`ref_jpg_${k}.y`)) <= 2, `jpeg ${k} luma`);
    }
    assert.deepEqual(sample(rgb, 3), new Uint8Array(12 * 10 * 3), 'the black 24×20 image resized is black');
    const cam = loadDataset(path.join(dir, 'cam'), {}, { imageShape: [12, 10, 1], testSplit: 0 });
    ['x', 'y'].forEach((c, i) => assert.ok(sample(cam, i).every((v, j) => Math.abs(v - ref(`ref_cam_${c}.y`)[j]) <= 2), `4:2:0 luma ${c}`));
    assert.ok(rgb.warnings?.some((w) => /1 image was not 10×12 and was resized \(bilinear\)/.test(w)), String(rgb.warnings));
  });

  it('BMP (24-bit, 32-bit, 8-bit palette, grey and 1-bit) and GIF (first frame, transparency black) decode as PIL reads them', () => {
    py(dir, `rng = np.random.default_rng(3)
os.makedirs('mixed/bmp'); os.makedirs('mixed/gif')
rgb = rng.integers(0, 256, (7, 5, 3), dtype=np.uint8)
Image.fromarray(rgb, 'RGB').save('mixed/bmp/0_rgb24.bmp')
Image.fromarray(np.dstack([rgb, np.full((7, 5), 128, np.uint8)]), 'RGBA').save('mixed/bmp/1_rgba32.bmp')
Image.fromarray(rgb, 'RGB').quantize(16).save('mixed/bmp/2_pal8.bmp')
Image.fromarray(rgb[..., 1], 'L').save('mixed/bmp/3_grey.bmp')
Image.fromarray(rgb[..., 0] > 128).save('mixed/bmp/4_mono.bmp')
pal = Image.fromarray(rgb, 'RGB').quantize(32)
pal.save('mixed/gif/0_still.gif')
second = Image.fromarray(255 - rgb, 'RGB').quantize(32)
pal.save('mixed/gif/1_anim.gif', save_all=True, append_images=[second], duration=100)
# index 0 transparent: those pixels are black, whatever colour the palette gives index 0
idx = np.asarray(pal).copy(); idx[0, :] = 0
t = Image.fromarray(idx, 'P'); t.putpalette(pal.getpalette()); t.save('mixed/gif/2_transp.gif', transparency=0)
for name in ['bmp/0_rgb24.bmp', 'bmp/1_rgba32.bmp', 'bmp/2_pal8.bmp', 'bmp/3_grey.bmp', 'bmp/4_mono.bmp', 'gif/0_still.gif', 'gif/1_anim.gif', 'gif/2_transp.gif']:
    a = np.asarray(Image.open('mixed/' + name).convert('RGB')).copy()
    if 'transp' in name: a[idx == 0] = 0
    a.tofile('ref_' + name.replace('/', '_') + '.rgb')`);
    const ds = loadDataset(path.join(dir, 'mixed'), {}, { imageShape: [7, 5, 3], testSplit: 0 });
    assert.deepEqual(ds.classNames, ['bmp', 'gif']);
    assert.equal(ds.train.count, 8);
    assert.deepEqual(ds.imageReport, { decoded: 8, cached: 0, resized: 0, corrupt: [] });
    const per = 7 * 5 * 3;
    ['bmp_0_rgb24.bmp', 'bmp_1_rgba32.bmp', 'bmp_2_pal8.bmp', 'bmp_3_grey.bmp', 'bmp_4_mono.bmp', 'gif_0_still.gif', 'gif_1_anim.gif', 'gif_2_transp.gif'].forEach((f, i) => {
      assert.deepEqual(ds.train.images.subarray(i * per, (i + 1) * per), new Uint8Array(readFileSync(path.join(dir, `ref_${f}.rgb`))), f);
    });
    // truncated and header-corrupt files are skipped and counted like a bad PNG, never a crash or a huge allocation
    const bmpFile = path.join(dir, 'mixed', 'bmp', '0_rgb24.bmp');
    const bytes = readFileSync(bmpFile);
    writeFileSync(path.join(dir, 'mixed', 'bmp', '5_cut.bmp'), bytes.subarray(0, 60));
    const huge = Buffer.from(bytes);
    huge.writeInt32LE(100000, 18); huge.writeInt32LE(100000, 22);
    writeFileSync(path.join(dir, 'mixed', 'bmp', '6_huge.bmp'), huge);
    const rle = Buffer.from(bytes);
    rle.writeUInt32LE(1, 30);
    writeFileSync(path.join(dir, 'mixed', 'bmp', '7_rle.bmp'), rle);
    const gif = readFileSync(path.join(dir, 'mixed', 'gif', '0_still.gif'));
    writeFileSync(path.join(dir, 'mixed', 'gif', '3_cut.gif'), gif.subarray(0, gif.length - 20));
    const bad = loadDataset(path.join(dir, 'mixed'), {}, { imageShape: [7, 5, 3], testSplit: 0 });
    assert.equal(bad.train.count, 8);
    assert.deepEqual(bad.imageReport?.corrupt.map((c) => path.basename(c.file)), ['5_cut.bmp', '6_huge.bmp', '7_rle.bmp', '3_cut.gif']);
    assert.match(bad.imageReport?.corrupt[2].reason ?? '', /run-length encoded BMP \(RLE8\) is not decoded/);
    assert.match(bad.imageReport?.corrupt[1].reason ?? '', /100000×100000 pixels, more than the 64 MP/);
  });

  it('resizes by the documented rules (worked out by hand)', () => {
    const ramp = Uint8Array.of(0, 60, 120, 180);
    // bilinear, half-pixel centres: x_src = (x + 0.5)·4/8 − 0.5, clamped
    assert.deepEqual(Array.from(resizeImage(ramp, 4, 1, 1, 8, 1, 'bilinear')), [0, 15, 45, 75, 105, 135, 165, 180]);
    assert.deepEqual(Array.from(resizeImage(ramp, 4, 1, 1, 2, 1, 'area')), [30, 150]);
    // 3 → 2 by area: [0, 1.5) = (0 + 0.5·90) / 1.5, [1.5, 3) = (0.5·90 + 180) / 1.5
    assert.deepEqual(Array.from(resizeImage(Uint8Array.of(0, 90, 180), 3, 1, 1, 2, 1, 'area')), [30, 150]);
    // center-crop of an 8×2 image to 2×2: the middle two columns, not resampled
    const wide = Uint8Array.from({ length: 16 }, (_, i) => i * 10);
    assert.deepEqual(Array.from(resizeImage(wide, 8, 2, 1, 2, 2, 'center-crop')), [30, 40, 110, 120]);
    // channels stay interleaved
    assert.deepEqual(Array.from(resizeImage(Uint8Array.of(10, 200, 30, 220), 2, 1, 2, 1, 1, 'area')), [20, 210]);
  });

  it('bad input: corrupt images skipped and counted, empty class folders, a single class, unknown test classes', () => {
    py(dir, `def put(p, v=0, size=(6, 6)):
    os.makedirs(os.path.dirname(p), exist_ok=True); Image.fromarray(np.full(size, v, np.uint8), 'L').save(p)
for c in ['cat', 'dog']:
    for i in range(4): put(f'pets/{c}/{i}.png', 50 if c == 'cat' else 200)
put('pets/dog/odd.bmp')
os.makedirs('empty/a'); os.makedirs('empty/b'); put('empty/a/0.png')
put('single/only/0.png'); put('single/only/1.png')
for c in ['a', 'b']: put(f'split/train/{c}/0.png'); put(f'split/train/{c}/1.png')
put('split/test/a/0.png'); put('split/test/zebra/0.png')
for c in ['a', 'b']: put(f'broken/{c}/0.png')`);
    const dogs = path.join(dir, 'pets', 'dog');
    writeFileSync(path.join(dogs, '1.png'), readFileSync(path.join(dogs, '1.png')).subarray(0, 40));
    writeFileSync(path.join(dogs, '2.png'), 'not an image');
    const pets = loadDataset(path.join(dir, 'pets'), {}, { imageShape: [6, 6, 1], testSplit: 0 });
    assert.equal(pets.train.count, 7, '4 cats, 2 readable dog PNGs and the BMP');
    assert.ok(pets.warnings?.some((w) => /^2 images could not be decoded and were skipped: .*dog[\\/]1\.png \(.+\); .*dog[\\/]2\.png \(not a PNG, JPEG, BMP or GIF file/.test(w)), String(pets.warnings));
    assert.ok(!pets.warnings?.some((w) => /odd\.bmp/.test(w)), 'a BMP is decoded, not skipped');
    throwsData(() => loadDataset(path.join(dir, 'empty')), /empty[\\/]b: class folder 'b' has no images/);
    throwsData(() => loadDataset(path.join(dir, 'single')), /every label is 0: a classifier needs at least two classes/);
    throwsData(() => loadDataset(path.join(dir, 'split')), /split[\\/]test: class folder 'zebra' not among the training classes \(a, b\)/);
    writeFileSync(path.join(dir, 'broken', 'b', '0.png'), 'garbage');
    throwsData(() => loadDataset(path.join(dir, 'broken'), {}, { imageShape: [6, 6, 1] }), /broken[\\/]b: class folder 'b' has no readable image/);
    mkdirSync(path.join(dir, 'nothing', 'x'), { recursive: true });
    throwsData(() => loadDataset(path.join(dir, 'nothing')), /no dataset files in this folder/);
  });
});
