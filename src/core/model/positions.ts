/** Offsets → 0-based line/character positions, and JSON paths → source ranges (via jsonc-parser's tree). */
import { findNodeAtLocation, type Node } from 'jsonc-parser';

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo] };
  }
  range(offset: number, length: number): Range {
    return { start: this.position(offset), end: this.position(offset + length) };
  }
}

/**
 * The node a JSON path points at. When the path names a property that is absent, the deepest existing ancestor is
 * returned; `key` asks for the property's key instead of its value (for "unknown property" errors).
 */
export function nodeForPath(root: Node | undefined, path: (string | number)[], key = false): Node | undefined {
  if (!root) return undefined;
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, path.slice(0, n));
    if (!node) continue;
    if (key && n === path.length && node.parent?.type === 'property' && node.parent.children?.[0]) return node.parent.children[0];
    return node;
  }
  return root;
}
