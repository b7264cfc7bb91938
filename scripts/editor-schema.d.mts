// Types for scripts/editor-schema.mjs, so unit tests can import it.
export function editorSchema(schema: unknown): unknown;
