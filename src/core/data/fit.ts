/**
 * Whether a dataset suits a model, said before training starts (the Datasets view, Train BNN): for each mismatch what
 * training would do about it (an image folder is resized and its channels converted) or, when it cannot, what the
 * user should change. The same rules as the loaders': image folders are brought to the model's input, arrays must
 * already have its shape (datasetModelMismatch), and the class count must equal the model's outputs.
 */
import type { ModelSpec } from '../model/spec';
import { datasetModelMismatch } from './dataset';
import { DEFAULT_RESIZE, type ResizeMode } from './imageDecode';
import { modelImageShape } from './imageFolder';
import type { DatasetSummary } from './summary';

export interface FitNote {
  /** 'error': training would stop; 'warning': training converts the data, the user should know. */
  severity: 'error' | 'warning';
  message: string;
  /** What will be done about it, or what to change. */
  action: string;
}

type ModelShape = Pick<ModelSpec, 'name' | 'input' | 'classes'>;

const dims = (s: readonly number[]): string => `[${s.join(', ')}]`;

function imageFolderNotes(shape: [number, number, number], spec: ModelShape, resize: ResizeMode): FitNote[] {
  const want = modelImageShape(spec.input.shape);
  const [h, w, c] = shape;
  if (!want) {
    const n = spec.input.shape.reduce((a, b) => a * b, 1);
    if (h * w * c === n) return [];
    return [{ severity: 'error', message: `images are ${w}×${h}×${c} (${h * w * c} values) but model '${spec.name}' takes a vector of ${n}`,
      action: `give the model an image input, e.g. "input": {"shape": [${h}, ${w}, ${c}]} followed by a Flatten layer: image folders are resized only to an image input` }];
  }
  const notes: FitNote[] = [];
  if (h !== want[0] || w !== want[1]) {
    notes.push({ severity: 'warning', message: `images are ${w}×${h} (the first one; sizes may vary) but model '${spec.name}' takes ${want[1]}×${want[0]}`,
      action: `each image will be resized to ${want[1]}×${want[0]} by '${resize}' (bnn train --resize bilinear|area|center-crop); to keep the detail, change the model's input to ${dims([h, w, want[2]])}` });
  }
  if (c !== want[2]) {
    notes.push({ severity: 'warning', message: `images have ${c === 1 ? '1 channel (grey)' : '3 channels (RGB)'} but model '${spec.name}' takes ${want[2]}`,
      action: want[2] === 1 ? 'RGB will be converted to grey by ITU-R BT.601 luma, Y = floor((299 R + 587 G + 114 B + 500) / 1000)' : 'grey will be replicated to R, G and B' });
  }
  return notes;
}

function classNote(classes: number, spec: ModelShape): FitNote {
  return { severity: 'error', message: `the dataset has ${classes} classes but model '${spec.name}' has ${spec.classes} outputs`,
    action: `set "classes": ${classes} in the model file, or train it on a dataset of ${spec.classes} classes` };
}

/** The notes for training `spec` on the summarised dataset (none: it fits as it is). */
export function datasetFit(s: DatasetSummary, spec: ModelShape, resize: ResizeMode = DEFAULT_RESIZE): FitNote[] {
  if (!s.shape) return [];
  const notes: FitNote[] = [];
  // the shape rule alone: the class count is checked below with its own advice
  const shapeProblems = s.format === 'image-folder' ? [] : datasetModelMismatch({ name: s.name, shape: s.shape, classes: spec.classes }, spec);
  if (s.format === 'image-folder') notes.push(...imageFolderNotes(s.shape, spec, resize));
  else if (shapeProblems.length) {
    notes.push({ severity: 'error', message: shapeProblems[0],
      action: `reshape the samples to ${dims(spec.input.shape)} (in NumPy: x.reshape(-1, ${spec.input.shape.join(', ')})), or change the model's input to ${dims(s.shape.filter((d, i) => i === 0 || d !== 1))}` });
  }
  if (s.classes !== undefined && s.classes !== spec.classes) notes.push(classNote(s.classes, spec));
  return notes;
}
