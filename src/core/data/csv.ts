/**
 * CSV datasets, one sample per row (as Edge Impulse and pandas' to_csv export them): a label column — by header name
 * or 0-based index; default the column named `label`, else the first — and the other columns as the features, in the
 * model's input order. The header is optional: a first row with a cell that is not a number is one. Labels are class
 * indices, or class names (then ordered as Keras orders class folders: sorted). Parsed by csv-parse (quoting, CRLF,
 * BOM); each record is turned into numbers as it is parsed, so only the numbers are kept in memory.
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { checkDataSize, MAX_DATA_FILE_BYTES } from './arrays';
import { DataError } from './errors';
import { datasetFromArrays, type DataReadOptions } from './preprocess';
import type { Dataset } from './dataset';

/** CSV text costs several times its size while parsed: a quarter of the binary formats' limit. */
export const MAX_CSV_BYTES = MAX_DATA_FILE_BYTES / 4;

const isNumber = (cell: string): boolean => cell.trim() !== '' && Number.isFinite(Number(cell));

interface Parsed {
  header?: string[];
  labelColumn: number;
  features: number[];
  labelCells: string[];
  /** The line each row ends on (1-based), for errors found after parsing. */
  lines: number[];
  rows: number;
  columns: number;
}

function chooseLabelColumn(header: string[] | undefined, columns: number, want: string | number | undefined, file: string): number {
  if (typeof want === 'number') {
    if (!(Number.isInteger(want) && want >= 0 && want < columns)) throw new DataError(`label column ${want} does not exist: the rows have ${columns} columns (0..${columns - 1})`, file);
    return want;
  }
  if (want !== undefined) {
    if (/^\d+$/.test(want)) return chooseLabelColumn(header, columns, Number(want), file);
    if (!header) throw new DataError(`no header row, so there is no column named '${want}'`, file, 'Give the label column as a 0-based index, or add a header row.');
    const i = header.indexOf(want);
    if (i < 0) throw new DataError(`no column named '${want}' (the header has ${header.map((h) => `'${h}'`).join(', ')})`, file);
    return i;
  }
  const named = header?.findIndex((h) => h.trim().toLowerCase() === 'label') ?? -1;
  return named >= 0 ? named : 0;
}

function parseCsv(file: string, read: DataReadOptions): Parsed {
  checkDataSize(file, undefined, 'file');
  const size = statSync(file).size;
  if (size > MAX_CSV_BYTES) {
    throw new DataError(`CSV file of ${(size / 2 ** 20).toFixed(0)} MiB; BNN Studio parses CSV files of at most ${MAX_CSV_BYTES / 2 ** 20} MiB (the text costs several times its size while parsed)`, file,
      'Save the arrays as .npy or .npz instead (np.save / np.savez), which are read without parsing.');
  }
  const bytes = readFileSync(file);
  const out: Parsed = { labelColumn: 0, features: [], labelCells: [], lines: [], rows: 0, columns: 0 };
  let first = true;
  try {
    parse(bytes, {
      bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, comment: '#',
      on_record: (record: string[], ctx) => {
        const line = ctx.lines;
        if (first) {
          first = false;
          out.columns = record.length;
          if (out.columns < 2) throw new DataError(`the first row has ${out.columns} column: a label and at least one feature are needed`, `${file}:${line}`);
          // A header has a cell that is not a number other than the label's (class names); a label asked for by name
          // has no such exception (its index is NaN).
          const plainLabel = read.labelColumn === undefined ? 0 : Number(read.labelColumn);
          if (record.some((c, i) => i !== plainLabel && !isNumber(c))) {
            out.header = record;
            out.labelColumn = chooseLabelColumn(record, out.columns, read.labelColumn, file);
            return null;
          }
          out.labelColumn = chooseLabelColumn(undefined, out.columns, read.labelColumn, file);
        }
        if (record.length !== out.columns) {
          throw new DataError(`${record.length} columns, but ${out.header ? 'the header has' : 'the first row has'} ${out.columns}`, `${file}:${line}`);
        }
        for (let c = 0; c < record.length; c++) {
          if (c === out.labelColumn) continue;
          const cell = record[c];
          if (!isNumber(cell)) {
            throw new DataError(`column ${c + 1}${out.header ? ` ('${out.header[c]}')` : ''} is '${cell}', not a number`, `${file}:${line}`);
          }
          out.features.push(Number(cell));
        }
        out.labelCells.push(record[out.labelColumn]);
        out.lines.push(line);
        out.rows++;
        return null;
      },
    });
  } catch (err) {
    if (err instanceof DataError) throw err;
    const e = err as Error & { lines?: number };
    throw new DataError(`not readable as CSV: ${e.message}`, e.lines ? `${file}:${e.lines}` : file);
  }
  if (out.rows === 0) throw new DataError(out.header ? 'a header but no rows' : 'no rows', file);
  return out;
}

export function loadCsvDataset(file: string, read: DataReadOptions = {}): Dataset {
  const p = parseCsv(file, read);
  const features = p.columns - 1;
  // Class names (any label that is not a number): indices by sorted name, as Keras orders class folders.
  const named = p.labelCells.some((c) => !isNumber(c));
  const classNames = named ? [...new Set(p.labelCells)].sort() : undefined;
  const index = new Map(classNames?.map((n, i) => [n, i]));
  const y = Float64Array.from(p.labelCells, (c) => (named ? index.get(c) ?? -1 : Number(c)));
  const col = p.header ? `'${p.header[p.labelColumn]}'` : String(p.labelColumn + 1);
  y.forEach((v, i) => {
    if (!(Number.isInteger(v) && v >= 0 && v <= 255)) throw new DataError(`label '${p.labelCells[i]}' (column ${col}) is not a class index 0..255`, `${file}:${p.lines[i]}`, 'Labels are whole class indices from 0, or class names in every row.');
  });
  if (classNames && classNames.length > 256) throw new DataError(`${classNames.length} different class names; at most 256 classes are supported`, file);
  const name = path.basename(file).replace(/\.csv$/i, '');
  const labelColumn = p.header ? p.header[p.labelColumn] : p.labelColumn;
  const ds = datasetFromArrays({
    name, dir: file, sources: [file], format: 'csv', labelColumn,
    train: {
      x: { shape: [p.rows, features], data: Float64Array.from(p.features), integer: false },
      y: { shape: [p.rows], data: y, integer: true },
      xWhere: { file, name: `the feature columns` },
      yWhere: { file, name: `label column ${typeof labelColumn === 'string' ? `'${labelColumn}'` : labelColumn}` },
    },
  }, read);
  return classNames ? { ...ds, classNames } : ds;
}
