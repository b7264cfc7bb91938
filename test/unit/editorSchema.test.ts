import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { editorSchema } from '../../scripts/editor-schema.mjs';
import { modelSchema, schemaErrors } from '../../src/core/model/schema';

const fixtures = path.join(__dirname, '..', 'fixtures', 'malformed');
const parsed = readdirSync(fixtures).filter((f) => f.endsWith('.bnn.json')).flatMap((f) => {
  try {
    return [{ file: f, doc: JSON.parse(readFileSync(path.join(fixtures, f), 'utf8')) as unknown }];
  } catch {
    return [];
  }
});

/** Every enum/const value reachable in a schema, with the path of names leading to it. */
function offered(node: unknown, at = '', key: 'enum' | 'examples' = 'enum', out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n, i) => offered(n, `${at}/${i}`, key, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'if') continue;
      if (k === key && Array.isArray(v)) for (const x of v) out.add(`${at}=${JSON.stringify(x)}`);
      else offered(v, `${at}/${k === 'oneOf' || k === 'anyOf' ? 'of' : k}`, key, out);
    }
  }
  return out;
}

describe('the model schema as VS Code\'s JSON service gets it', () => {
  const editor = editorSchema(modelSchema());

  it('rejects nothing, so that a schema problem is listed once (by BNN Studio), not also as the JSON service\'s warning', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(editor as object);
    const rejectedByFormat = parsed.filter((p) => schemaErrors(p.doc).length > 0);
    assert.ok(rejectedByFormat.length >= 15, `the malformed corpus has schema problems (${rejectedByFormat.length})`);
    for (const p of parsed) assert.ok(validate(p.doc), `${p.file}: ${JSON.stringify(validate.errors)}`);
  });

  it('still offers every allowed value and property as a completion', () => {
    const values = offered(modelSchema());
    const hints = offered(editor, '', 'examples');
    assert.ok(values.size >= 10);
    for (const v of values) assert.ok(hints.has(v), `${v} is offered`);
    const names = (s: unknown) => JSON.stringify(s, (k, v: unknown) => (k === 'if' ? undefined : v)).match(/"properties":\{"[^"]+"/g)?.length;
    assert.equal(names(editor), names(modelSchema()), 'the same property lists');
  });

  it('keeps the descriptions shown on hover', () => {
    const descriptions = (s: unknown) => JSON.stringify(s).match(/"description":"[^"]*"/g)?.sort();
    assert.deepEqual(descriptions(editor), descriptions(modelSchema()));
  });
});
