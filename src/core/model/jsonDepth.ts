/**
 * Nesting-depth guard for JSON text, run before any recursive parse or walk. jsonc-parser's parseTree, ajv and our
 * own tree walks all recurse once per level, so a file nested 100,000 brackets deep would overflow the stack (in the
 * CLI, and in the extension host when the editor validates it). The scan uses jsonc-parser's scanner, which is a
 * loop, so it is safe at any depth.
 */
import { createScanner, SyntaxKind } from 'jsonc-parser';

/** No model, checkpoint or Keras file needs more than a few dozen levels; Keras nests about 8 deep. */
export const MAX_JSON_DEPTH = 64;

export interface DepthExcess {
  /** Offset of the bracket that went one level too deep. */
  offset: number;
  limit: number;
}

export function findExcessiveNesting(text: string, limit = MAX_JSON_DEPTH): DepthExcess | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.OpenBraceToken || kind === SyntaxKind.OpenBracketToken) {
      if (++depth > limit) return { offset: scanner.getTokenOffset(), limit };
    } else if (kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CloseBracketToken) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

export function nestingMessage(e: DepthExcess): string {
  return `nested more than ${e.limit} levels deep: not a model file (a model needs about 4 levels)`;
}
