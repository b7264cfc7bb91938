/**
 * The naming rules of a model file, in the words every message uses (the loader, "New Model", import). The patterns
 * themselves live in the schema (media/bnn-model.schema.json), the one definition of the format; the test
 * test/unit/modelNames.test.ts checks these words against them.
 *
 * A model name becomes part of experiment ids, file and folder names and CLI arguments, so it is a file-name-safe
 * word: no leading '-' (it would read as an option) or '.', no trailing '.' (Windows drops it). A layer name becomes a
 * Keras layer name and a weight name (`<layer>/kernel`), so it has the shape of an identifier. Neither reaches
 * generated code raw: C, Python and Markdown get them through src/core/escape.ts.
 */
import schema from '../../../media/bnn-model.schema.json';

interface NameSchema { pattern: string; maxLength: number }
const s = schema as unknown as { properties: { name: NameSchema }; definitions: { layerName: NameSchema } };

export const MODEL_NAME_PATTERN = new RegExp(s.properties.name.pattern);
export const MODEL_NAME_MAX_LENGTH = s.properties.name.maxLength;
export const LAYER_NAME_PATTERN = new RegExp(s.definitions.layerName.pattern);
export const LAYER_NAME_MAX_LENGTH = s.definitions.layerName.maxLength;

export const MODEL_NAME_RULE = `letters, digits, _, . and -, not starting with - or . and not ending with ., at most ${MODEL_NAME_MAX_LENGTH} characters`;
export const LAYER_NAME_RULE = `letters, digits and _, not starting with a digit, at most ${LAYER_NAME_MAX_LENGTH} characters`;
