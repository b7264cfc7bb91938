/**
 * Fuzzing the model-file path (issue 18): ≥ 10,000 damaged model files per run — keys deleted, values swapped for other
 * types, huge, negative and fractional numbers, unicode and very long strings, duplicated and re-nested values, raw
 * byte edits — plus the bundled CNN truncated at every offset, each through load → estimate → compile in a
 * time-boxed worker. Only the loader's positioned diagnostics may come back; no exception, no hang.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import fc from 'fast-check';
import { TEMPLATES, templateText } from '../../src/core/model/templates';
import { fuzzSeed, runTimeBoxed, type FuzzRun } from './support/timeBox';

const CHECKER = path.join(__dirname, 'support', 'modelCheck.ts');
const PER_CASE_MS = 5_000;
const bases = TEMPLATES.map((t) => templateText(t));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

function paths(v: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k], [...at, k], out);
  return out;
}

function get(v: Json, p: Path): Json {
  return p.reduce<Json>((o, k) => (o as Record<string | number, Json>)[k], v);
}

const NUMBERS = [0, -1, -0, 1e9, -1e9, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, 0.5, 1.5, 3.000001, 1e-9, 65536, 4097];
const STRINGS = ['', ' ', '*/', 'ste_sign', 'QuantDense', 'QuantConv2D', 'MaxPool2D', 'Flatten', 'BatchNormalization', 'same', 'valid', 'x'.repeat(5000), '\u0000', '\u{1F600}', '\uD800', 'über', 'a\nb', '"', '\\', 'ĳ'];
const valueArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(...NUMBERS),
  fc.constantFrom<Json>(...STRINGS),
  fc.constantFrom<Json>(null, true, false, [], {}, [1], [3, 3], [0, 0], [-1, 2], [1, 2, 3], { type: 'QuantDense' }),
  fc.integer({ min: -5, max: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

type Mutation = { op: 'delete' | 'replace' | 'duplicate' | 'nest' | 'addKey'; at: number; value: Json; key: string };
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('delete', 'replace', 'replace', 'replace', 'duplicate', 'nest', 'addKey'),
  at: fc.nat(),
  value: valueArb,
  key: fc.constantFrom('units', 'filters', 'kernelSize', 'strides', 'padding', 'poolSize', 'type', 'name', 'shape', 'classes', 'useBias', 'momentum', 'epsilon', 'scale', 'center', 'activation', 'inputQuantizer', 'kernelQuantizer', 'layers', 'axis', '__proto__', 'constructor'),
});

function mutate(doc: Json, m: Mutation): Json {
  const all = paths(doc).filter((p) => p.length > 0);
  if (!all.length) return m.value;
  const p = all[m.at % all.length];
  const parent = get(doc, p.slice(0, -1)) as Record<string | number, Json> | Json[];
  const key = p[p.length - 1];
  switch (m.op) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1); else delete (parent as Record<string, Json>)[key as string];
      break;
    // Clones: constantFrom hands out one shared object, which placed twice could be nested into itself.
    case 'replace': (parent as Record<string | number, Json>)[key] = structuredClone(m.value); break;
    case 'duplicate':
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(parent[key as number])); else (parent as Record<string, Json>)[key as string] = [get(doc, p), get(doc, p)];
      break;
    case 'nest': (parent as Record<string | number, Json>)[key] = { [m.key]: get(doc, p) }; break;
    case 'addKey': {
      const target = get(doc, p);
      if (target && typeof target === 'object' && !Array.isArray(target)) Object.defineProperty(target, m.key, { value: structuredClone(m.value), enumerable: true, writable: true, configurable: true });
      break;
    }
  }
  return doc;
}

type RawEdit = { at: number; del: number; insert: string };
const rawEditArb: fc.Arbitrary<RawEdit> = fc.record({
  at: fc.nat(),
  del: fc.integer({ min: 0, max: 8 }),
  insert: fc.oneof(fc.constantFrom('', '{', '}', '[', ']', ',', ':', '"', '\\', '-', '1e999', 'null', '\u0000', '\uFEFF', '/*', '//'), fc.string({ unit: 'binary', maxLength: 4 })),
});

const fileArb = fc.record({
  base: fc.nat({ max: bases.length - 1 }),
  mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
  // Most cases keep valid JSON so that they reach the schema, shape and compile stages.
  raw: fc.oneof({ weight: 3, arbitrary: fc.constant<RawEdit[]>([]) }, { weight: 1, arbitrary: fc.array(rawEditArb, { minLength: 1, maxLength: 2 }) }),
  pretty: fc.boolean(),
}).map(({ base, mutations, raw, pretty }) => {
  let doc = JSON.parse(bases[base]) as Json;
  for (const m of mutations) doc = mutate(doc, m);
  let text = JSON.stringify(doc, null, pretty ? 2 : undefined) ?? '';
  for (const e of raw) {
    const at = text.length ? e.at % (text.length + 1) : 0;
    text = text.slice(0, at) + e.insert + text.slice(at + e.del);
  }
  return text;
});

function report(run: FuzzRun<string>, seed: number): string {
  const f = run.failures.slice(0, 3).map((x) => `case ${x.index}: ${x.error}\n--- input (first 400 chars) ---\n${x.input.slice(0, 400)}`).join('\n\n');
  return `${run.failures.length} failing case(s) (FUZZ_SEED=${seed} replays this run)\n${f}`;
}

describe('fuzz: damaged model files through load → estimate → compile', function () {
  this.timeout(180_000);
  const seed = fuzzSeed();

  it('10,000 mutated files: only positioned diagnostics, never an exception or a hang', async () => {
    const inputs = fc.sample(fileArb, { numRuns: 10_000, seed });
    const run = await runTimeBoxed(CHECKER, inputs, PER_CASE_MS);
    console.log(`      seed ${seed}: ${inputs.length} files in ${run.ms} ms — ${JSON.stringify(run.stats)}`);
    assert.equal(run.failures.length, 0, report(run, seed));
    // The mutations must reach the deep stages too, or the fuzzer only tests the JSON parser.
    assert.ok((run.stats.compiled ?? 0) >= 200, `only ${run.stats.compiled ?? 0} cases compiled`);
    assert.ok((run.stats.rejected ?? 0) >= 2_000, `only ${run.stats.rejected ?? 0} cases rejected`);
  });

  it('the bundled CNN truncated at every offset', async () => {
    // Without its final newline: every strict prefix of that is incomplete JSON.
    const text = templateText(TEMPLATES.find((t) => t.id === 'binary-cnn')!).trimEnd();
    const inputs = Array.from({ length: text.length }, (_, i) => text.slice(0, i));
    const run = await runTimeBoxed(CHECKER, inputs, PER_CASE_MS);
    assert.equal(run.failures.length, 0, report(run, 0));
    assert.equal(run.stats.rejected, text.length, 'every strict prefix of a model file is incomplete JSON');
  });
});
