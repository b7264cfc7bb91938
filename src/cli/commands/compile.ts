import { existsSync } from 'node:fs';
import { findBoard, BOARDS, DEFAULT_BOARD_ID } from '../../core/boards';
import { compileModel } from '../../core/compile/compile';
import { CompileInputError, defaultOutDir, loadCompileSource, writeCompiledFiles } from '../../core/compile/source';
import { TrainedModelFormatError } from '../../core/compile/trainedJson';
import { CompileError } from '../../core/compile/types';
import { assessBudget, budgetProblem, DoesNotFitError } from '../../core/estimate/fit';
import { SpecError } from '../../core/deploy/shapes';
import { FIRST_LAYER_KERNELS, type FirstLayerKernel } from '../../core/deploy/plan';
import { InputError, parseArgs, UsageError, type CliCommand } from '../errors';
import { experimentDirArg } from './flash';

function bytes(n: number): string {
  return n >= 10240 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`;
}

/** --first-layer: 'lean' builds the first layer without its lookup tables / code planes (up to 16 KB less RAM). */
export function firstLayerFlag(value: string | undefined): FirstLayerKernel {
  const v = (value ?? 'fast') as FirstLayerKernel;
  if (!FIRST_LAYER_KERNELS.includes(v)) throw new UsageError(`--first-layer must be ${FIRST_LAYER_KERNELS.join(' or ')}, got '${value}'`);
  return v;
}

export const compileCommand: CliCommand = {
  name: 'compile',
  usage: 'bnn compile <experiment|checkpoint dir|model.trained.json> [--board <id>] [--out <dir>] [--checkpoint <name>] [--first-layer fast|lean] [--experiments DIR] [--json]',
  summary: 'generate the bit-packed C model (bnn_model.h/.c) for a board',
  async run(args) {
    const { positional, flags, bools } = parseArgs(args, { flags: ['board', 'out', 'checkpoint', 'experiments', 'first-layer'], booleans: ['json'] });
    const given = positional[0];
    if (!given) throw new UsageError('missing <experiment|checkpoint dir|model.trained.json> argument');
    // A path is taken as it is; anything else is an experiment id, found as eval, bench and flash find it.
    const input = existsSync(given) || flags.experiments === undefined && /[/\\]|\.json$/i.test(given) ? given : experimentDirArg(given, flags.experiments);
    if (positional.length > 1) throw new UsageError(`unexpected argument '${positional[1]}'`);
    const boardId = flags.board ?? DEFAULT_BOARD_ID;
    const board = findBoard(boardId);
    if (!board) throw new InputError(`unknown board '${boardId}' (known: ${BOARDS.map((b) => b.id).join(', ')})`);
    const firstLayer = firstLayerFlag(flags['first-layer']);
    let compiled;
    let outDir: string;
    try {
      const source = loadCompileSource(input, flags.checkpoint);
      if (source.checkpoint) process.stderr.write(`checkpoint: ${source.checkpoint}\n`);
      compiled = compileModel(source.trained, { board: board.id, firstLayer });
      outDir = flags.out ?? defaultOutDir(source, board.id);
      writeCompiledFiles(outDir, compiled.files);
    } catch (err) {
      if (err instanceof CompileError || err instanceof CompileInputError || err instanceof TrainedModelFormatError || err instanceof DoesNotFitError) throw new InputError(err.message);
      if (err instanceof SpecError) throw new InputError(`${input}: ${err.message}`);
      throw err;
    }
    const plan = compiled.plan;
    // compileModel has refused a model that does not fit; one that nearly fills the board is worth a word.
    const fit = assessBudget(plan, board);
    const near = budgetProblem(fit, board);
    const warnings = near ? [near] : [];
    if (bools.has('json')) {
      process.stdout.write(`${JSON.stringify({ out: outDir, files: Object.keys(compiled.files), warnings, ...compiled.manifest }, null, 2)}\n`);
      return 0;
    }
    for (const w of warnings) process.stderr.write(`bnn compile: warning: ${w}\n`);
    const kernels = plan.stages.reduce((a, s) => a + s.kernelBytes, 0);
    process.stdout.write([
      `compiled '${compiled.manifest.model}' for ${board.id} (${board.name}) → ${outDir}`,
      `  files   ${Object.keys(compiled.files).join(', ')}`,
      `  flash   ${bytes(plan.flashBytes)} (kernels ${bytes(kernels)}, thresholds/scales ${bytes(plan.flashBytes - kernels)}) + firmware ${bytes(fit.flash.firmware)} of ${bytes(board.flashBytes)}`,
      `  RAM     ${bytes(plan.ramBytes)} (activation arena ${bytes(plan.arena.bytes)}${plan.scratchBytes ? `, first-layer working memory ${bytes(plan.scratchBytes)}` : ''}${plan.paddedBytes ? `, padded conv input ${bytes(plan.paddedBytes)}` : ''}) + firmware ${bytes(fit.ram.firmware)} of ${bytes(board.ramBytes)}`,
      `  scores  ${compiled.model.classes} × ${compiled.model.scoresAreFloat ? 'float32' : 'int32'}; input ${compiled.model.inputBytes} bytes`,
      `  hash    ${compiled.hash}`,
      '',
    ].join('\n'));
    return 0;
  },
};
