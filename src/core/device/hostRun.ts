/**
 * The compiled C run natively with the host's gcc: the bit-exactness check that needs no board and no QEMU. The same
 * bnn_model.c the firmware links is built with a small stdin/stdout driver and its class and scores are compared with
 * the compiler's TypeScript twin (referenceInfer) sample by sample, exactly (float scores by their IEEE bits).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileModel, type CompiledModel } from '../compile/compile';
import { referenceInfer } from '../compile/reference';
import type { DataLookupOptions } from '../data/locate';
import { loadExperimentModel } from '../train/experimentModel';
import { experimentTestSamples } from './benchExperiment';
import { runTool } from './tools';

/** Reads a uint32 LE count and that many inputs from stdin; prints "class score…" per input (float scores as hex bits). */
const HOST_DRIVER = `#include <stdio.h>
#include <string.h>
#include "bnn_model.h"
int main(void) {
  unsigned char head[4];
  static uint8_t input[BNN_INPUT_SIZE];
  bnn_score_t scores[BNN_NUM_CLASSES];
  if (fread(head, 1, 4, stdin) != 4) return 2;
  unsigned long n = (unsigned long)head[0] | ((unsigned long)head[1] << 8) | ((unsigned long)head[2] << 16) | ((unsigned long)head[3] << 24);
  for (unsigned long s = 0; s < n; s++) {
    if (fread(input, 1, BNN_INPUT_SIZE, stdin) != BNN_INPUT_SIZE) return 3;
    printf("%d", bnn_infer(input, scores));
    for (int i = 0; i < BNN_NUM_CLASSES; i++) {
#if BNN_SCORES_ARE_FLOAT
      uint32_t bits; memcpy(&bits, &scores[i], sizeof bits); printf(" %08lx", (unsigned long)bits);
#else
      printf(" %ld", (long)scores[i]);
#endif
    }
    printf("\\n");
  }
  return 0;
}
`;

export interface HostRunResult {
  samples: number;
  /** Samples whose C class and scores equal the TypeScript reference's exactly. */
  exact: number;
  /** The first sample that differs, if any. */
  firstMismatch?: { index: number; cClass: number; cScores: number[]; refClass: number; refScores: number[] };
  /** Correct classes among the samples (of the C), when labels are given. */
  correct?: number;
}

/** Builds bnn_model.c with `gcc` (path) in a temporary folder, runs it on `inputs`, and compares with the reference. */
export async function runCompiledOnHost(compiled: CompiledModel, inputs: Uint8Array[], opts: { gcc: string; labels?: ArrayLike<number>; signal?: AbortSignal }): Promise<HostRunResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-host-'));
  try {
    for (const [name, text] of Object.entries(compiled.files)) fs.writeFileSync(path.join(dir, name), text);
    fs.writeFileSync(path.join(dir, 'host_driver.c'), HOST_DRIVER);
    const exe = path.join(dir, 'driver');
    // no FMA contraction: the reference rounds after every float operation, as the Cortex-M build does
    await runTool(opts.gcc, ['-std=c99', '-O2', '-ffp-contract=off', '-o', exe, 'bnn_model.c', 'host_driver.c'], { cwd: dir, signal: opts.signal });
    const size = compiled.model.inputBytes;
    const stdin = Buffer.alloc(4 + inputs.length * size);
    stdin.writeUInt32LE(inputs.length, 0);
    inputs.forEach((x, i) => stdin.set(x, 4 + i * size));
    const lines = (await runWithInput(exe, stdin, opts.signal)).trim().split('\n').filter(Boolean);
    if (lines.length !== inputs.length) throw new Error(`the host build of the model answered ${lines.length} of ${inputs.length} samples`);
    const result: HostRunResult = { samples: inputs.length, exact: 0, correct: opts.labels ? 0 : undefined };
    const f32 = new DataView(new ArrayBuffer(4));
    lines.forEach((line, i) => {
      const [cls, ...rest] = line.split(' ');
      const cClass = Number(cls);
      const cScores = rest.map((s) => { if (!compiled.model.scoresAreFloat) return Number(s); f32.setUint32(0, parseInt(s, 16)); return f32.getFloat32(0); });
      const ref = referenceInfer(compiled.model, inputs[i]);
      const same = cClass === ref.class && cScores.length === ref.scores.length && cScores.every((v, k) => Object.is(v, Math.fround(ref.scores[k])));
      if (same) result.exact++;
      else result.firstMismatch ??= { index: i, cClass, cScores, refClass: ref.class, refScores: ref.scores };
      if (opts.labels && cClass === opts.labels[i]) result.correct = (result.correct ?? 0) + 1;
    });
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runWithInput(exe: string, input: Buffer, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(exe, [], { encoding: 'utf8', maxBuffer: 1 << 28, signal }, (err, stdout, stderr) => {
      if (err) reject(new Error(`the host build of the model failed: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
    child.stdin?.end(input);
  });
}

export interface ExperimentHostCheck extends HostRunResult {
  /** "best (epoch 3, step 162, val acc 80.10%)". */
  checkpoint: string;
  hash: string;
}

/** An experiment's checkpoint compiled and run on the host, on the first `samples` of its test split. */
export async function hostCheckExperiment(opts: { experimentDir: string; gcc: string; samples?: number; checkpoint?: string; data?: DataLookupOptions; log?: (line: string) => void; signal?: AbortSignal }): Promise<ExperimentHostCheck> {
  const log = opts.log ?? (() => {});
  const { trained, label, config, configProblem } = loadExperimentModel(opts.experimentDir, opts.checkpoint);
  log(`checkpoint: ${label}`);
  const compiled = compileModel(trained);
  const { inputs, labels } = experimentTestSamples(opts.experimentDir, trained, config, configProblem, opts.samples, opts.data, log);
  const result = await runCompiledOnHost(compiled, inputs, { gcc: opts.gcc, labels, signal: opts.signal });
  return { ...result, checkpoint: label, hash: compiled.hash };
}

/** One paragraph for the CLI. */
export function formatHostCheck(c: ExperimentHostCheck): string {
  const lines = [
    `host build   the compiled C (model ${c.hash}, checkpoint ${c.checkpoint}) built with the host's gcc`,
    `bit-exact    ${c.exact}/${c.samples} samples: class and scores equal the TypeScript reference${c.exact === c.samples ? ' exactly' : ''}`,
  ];
  if (c.correct !== undefined) lines.push(`accuracy     ${((100 * c.correct) / c.samples).toFixed(2)}% on ${c.samples} test samples`);
  const m = c.firstMismatch;
  if (m) lines.push(`first differing sample ${m.index}: C class ${m.cClass} scores [${m.cScores.join(', ')}], reference class ${m.refClass} scores [${m.refScores.join(', ')}]`);
  return lines.join('\n');
}
