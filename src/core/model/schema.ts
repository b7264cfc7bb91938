/** The model file's JSON Schema, compiled once (VS Code's JSON service gets a non-validating copy: scripts/editor-schema.mjs). */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../../media/bnn-model.schema.json';

let compiled: ValidateFunction | undefined;

export function modelSchema(): object {
  return schema;
}

/** Validates a parsed document; returns ajv's errors (empty when valid). */
export function schemaErrors(doc: unknown): ErrorObject[] {
  if (!compiled) {
    // strict: false because draft-07 `default`/`description` beside `$ref` are for the editor, not for validation.
    compiled = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return compiled(doc) ? [] : [...(compiled.errors ?? [])];
}
