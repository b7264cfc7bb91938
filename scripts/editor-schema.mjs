// The schema VS Code's JSON language service gets for *.bnn.json (contributes.jsonValidation), derived at build time
// from media/bnn-model.schema.json, the one definition of the format. BNN Studio's own checker reports every schema
// problem with the layer's name, the exact range and a "did you mean"; if the JSON service validated against the same
// rules, each problem would be listed twice in Problems, once as a terse warning. So this copy keeps what drives
// completion and hover (properties, descriptions, defaults, the if/const selecting a layer type's properties, braces
// inserted for objects and arrays) and turns each validating keyword into a hint or drops it: enum and
// const become `examples` (still offered as completions), bounds, patterns, required and closed objects go.
const DROP = new Set(['required', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength',
  'pattern', 'minItems', 'maxItems', 'uniqueItems', 'multipleOf', 'format']);

export function editorSchema(schema) {
  return strip(schema, false);
}

function strip(node, inCondition) {
  if (Array.isArray(node)) return node.map((n) => strip(n, inCondition));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    // An `if` only selects which `then` applies; its const/required must stay for the selection to work.
    if (inCondition) {
      out[key] = strip(value, true);
      continue;
    }
    if (DROP.has(key)) continue;
    if (key === 'additionalProperties' && value === false) continue;
    // A type would be checked too; for objects and arrays a snippet still inserts the braces on completion.
    if (key === 'type') {
      if ((value === 'object' || value === 'array') && !('defaultSnippets' in node)) out.defaultSnippets = [{ body: value === 'object' ? {} : [] }];
      continue;
    }
    if (key === 'enum') {
      out.examples = value;
      continue;
    }
    if (key === 'const') {
      out.examples = [value];
      continue;
    }
    // oneOf fails when a value matches two branches: anyOf keeps both branches' completions without that check.
    if (key === 'oneOf') {
      out.anyOf = strip(value, false);
      continue;
    }
    // Maps of names to schemas: their keys are property names, not keywords.
    if ((key === 'properties' || key === 'definitions' || key === 'patternProperties') && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, strip(sub, false)]));
      continue;
    }
    out[key] = strip(value, key === 'if');
  }
  return out;
}
