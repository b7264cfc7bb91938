import * as fs from 'node:fs';
import * as path from 'node:path';
import { findExperimentDir, resolveExperimentsDir } from '../../core/experiments/store';
import { EXPORT_FORMATS, ExportError, exportFiles, findBnnLayersBundle, loadExportSource, writeExport, type ExportFormat } from '../../core/interop/exportModel';
import { InputError, parseArgs, UsageError, type CliCommand } from '../errors';

export const exportCommand: CliCommand = {
  name: 'export',
  usage: 'bnn export <experiment|checkpoint dir> --format tfjs|keras --out <dir> [--checkpoint <name>] [--experiments DIR] [--force]',
  summary: 'export a trained model: TF.js layers model (tf.loadLayersModel + bnn-layers.js) or Larq/Keras JSON + weights',
  async run(args) {
    const { positional, flags, bools } = parseArgs(args, { flags: ['format', 'out', 'checkpoint', 'experiments'], booleans: ['force'] });
    if (!positional[0]) throw new UsageError('missing <experiment> argument (an id, an experiment folder or a checkpoint folder)');
    if (positional.length > 1) throw new UsageError(`unexpected argument '${positional[1]}'`);
    const format = flags.format as ExportFormat | undefined;
    if (!format || !EXPORT_FORMATS.includes(format)) throw new UsageError(`--format must be ${EXPORT_FORMATS.join(' or ')}${format ? ` (got '${format}')` : ''}`);
    if (!flags.out) throw new UsageError('missing --out <dir>');
    let source = positional[0];
    if (!fs.existsSync(path.join(source, 'model.json'))) {
      try {
        source = findExperimentDir(resolveExperimentsDir({ dir: flags.experiments }), positional[0]);
      } catch (err) {
        throw new InputError((err as Error).message);
      }
    }
    try {
      const trained = loadExportSource(source, flags.checkpoint);
      process.stderr.write(`checkpoint: ${trained.checkpoint}\n`);
      const bundle = format === 'tfjs' ? findBnnLayersBundle(__dirname) : undefined;
      const files = exportFiles(trained, format, { layersJs: bundle ? fs.readFileSync(bundle, 'utf8') : undefined, generatedBy: 'BNN Studio `bnn export`' });
      const written = writeExport(flags.out, files, bools.has('force'));
      const what = format === 'tfjs' ? 'TensorFlow.js layers model' : 'Larq/Keras model';
      process.stdout.write(`${trained.spec.name} (epoch ${trained.meta.epoch}, step ${trained.meta.step}) → ${flags.out}: ${what}\n  files ${written.join(', ')}\n`);
      process.stdout.write(format === 'tfjs'
        ? '  load  registerBnnLayers(tf) from bnn-layers.js, then tf.loadLayersModel(\'…/model.json\'); inputs x = u8 / 127.5 - 1\n'
        : '  load  python load_weights.py (Larq + TensorFlow < 2.16), or read_weights() with numpy alone\n');
      return 0;
    } catch (err) {
      if (err instanceof ExportError) throw new InputError(err.message);
      throw err;
    }
  },
};
