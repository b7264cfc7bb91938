/**
 * The samples the Datasets view's preview shows: the first few of every class, as 8-bit thumbnails for images or as
 * the raw windows for time series (the webview draws them). Image folders are read file by file — only the files
 * shown are decoded, at their own size, then shrunk by the 'area' rule to at most THUMBNAIL_SIZE pixels a side;
 * every other format is read whole and sampled. Bytes travel base64-encoded: they cross a worker and a webview.
 */
import { readFileSync } from 'node:fs';
import { sampleSize, type Dataset } from './dataset';
import { convertChannels, decodeImage, resizeImage } from './imageDecode';
import { imageFolderFiles } from './imageFolder';
import { loadLocatedDataset } from './load';
import { locateDataset, type DataLookupOptions } from './locate';
import type { DataReadOptions } from './preprocess';

export const THUMBNAIL_SIZE = 64;
export const DEFAULT_PREVIEW_PER_CLASS = 8;

export interface PreviewSample {
  /** [H, W, C] of `data`. */
  shape: [number, number, number];
  /** base64 of H·W·C bytes, HWC. */
  data: string;
  /** The file it came from (image folders) or its index in the training part. */
  source: string;
}

export interface DatasetPreview {
  name: string;
  /** 'image': draw each sample as a picture; 'series': as lines, one per channel over time (the first axis). */
  kind: 'image' | 'series';
  classes: { name: string; samples: PreviewSample[] }[];
  /** E.g. that thumbnails were shrunk, or why a class shows nothing. */
  notes: string[];
}

/** Pictures for [H, W, 1|3] samples of some size; anything else ([T, 1, C] windows, [F] rows) is plotted. */
export function previewKind(shape: readonly number[]): 'image' | 'series' {
  const [h, w, c] = shape;
  return h >= 8 && w >= 8 && (c === 1 || c === 3) ? 'image' : 'series';
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** Shrinks (never enlarges) to fit THUMBNAIL_SIZE, keeping the aspect ratio. */
function thumbnail(data: Uint8Array, h: number, w: number, c: number): { data: Uint8Array; shape: [number, number, number] } {
  const scale = Math.min(1, THUMBNAIL_SIZE / Math.max(h, w));
  if (scale === 1) return { data, shape: [h, w, c] };
  const th = Math.max(1, Math.round(h * scale));
  const tw = Math.max(1, Math.round(w * scale));
  return { data: resizeImage(data, w, h, c, tw, th, 'area'), shape: [th, tw, c] };
}

function previewImageFolder(name: string, files: { classNames: string[]; files: string[][] }, perClass: number): DatasetPreview {
  const notes: string[] = [];
  let shrunk = false;
  const classes = files.classNames.map((cls, c) => {
    const samples: PreviewSample[] = [];
    for (const file of files.files[c]) {
      if (samples.length >= perClass) break;
      try {
        const img = decodeImage(readFileSync(file));
        const ch = img.grey ? 1 : 3;
        const t = thumbnail(convertChannels(img, ch), img.height, img.width, ch);
        shrunk ||= t.shape[0] !== img.height;
        samples.push({ shape: t.shape, data: b64(t.data), source: file });
      } catch (err) {
        notes.push(`${file}: ${(err as Error).message} (not shown; training skips it)`);
      }
    }
    return { name: cls, samples };
  });
  if (shrunk) notes.unshift(`images shrunk to at most ${THUMBNAIL_SIZE} px a side for the preview; training resizes them to the model's input`);
  return { name, kind: 'image', classes, notes };
}

/** The first `perClass` training samples of each class (test samples when training has too few). */
export function previewFromDataset(ds: Dataset, perClass = DEFAULT_PREVIEW_PER_CLASS): DatasetPreview {
  const per = sampleSize(ds.shape);
  const classes = Array.from({ length: ds.classes }, (_, c) => ({ name: ds.classNames?.[c] ?? String(c), samples: [] as PreviewSample[] }));
  for (const [part, split] of [['train', ds.train], ['test', ds.test]] as const) {
    for (let i = 0; i < split.count; i++) {
      const cls = classes[split.labels[i]];
      if (!cls || cls.samples.length >= perClass) continue;
      cls.samples.push({ shape: ds.shape, data: b64(split.images.subarray(i * per, (i + 1) * per)), source: `${part} sample ${i}` });
    }
  }
  return { name: ds.name, kind: previewKind(ds.shape), classes, notes: ds.warnings ?? [] };
}

/** The preview of a dataset by name or path; throws DataError when it cannot be read. */
export function previewDataset(data: string, lookup: DataLookupOptions = {}, read: DataReadOptions = {}, perClass = DEFAULT_PREVIEW_PER_CLASS): DatasetPreview {
  const loc = locateDataset(data, lookup);
  if (loc.user?.format === 'image-folder') return previewImageFolder(loc.name, imageFolderFiles(loc.user.images), perClass);
  return previewFromDataset(loadLocatedDataset(loc, read), perClass);
}
