/**
 * Token streams of generated code, for tests that check user text cannot change the code's structure: a small C
 * tokenizer (translation phases 1–3 as a C99 compiler runs them) and CPython's own tokenizer for Python.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export type CTokenKind = 'comment' | 'string' | 'char' | 'ident' | 'number' | 'punct' | 'directive' | 'eol';

export interface Token {
  kind: string;
  text: string;
}

const TRIGRAPHS: Record<string, string> = { '=': '#', '(': '[', '/': '\\', ')': ']', "'": '^', '<': '{', '!': '|', '>': '}', '-': '~' };

/**
 * C source → tokens. Trigraphs are replaced and backslash-newlines spliced first (as -std=c99 does), so a name that
 * smuggles `??/` or a trailing backslash shows up as a changed structure. A preprocessor line gives a `directive`
 * token (`#define`, `#if`, …), its tokens, then `eol`; comments and literals are one token each.
 */
export function tokenizeC(source: string): Token[] {
  const src = source.replace(/\?\?([=(/)'<!>-])/g, (_, c: string) => TRIGRAPHS[c]).replace(/\\\r?\n/g, '');
  const out: Token[] = [];
  let i = 0;
  let lineStart = true;
  let inDirective = false;
  const at = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    const m = re.exec(src);
    return m && m.index === i ? m[0] : undefined;
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      if (inDirective) out.push({ kind: 'eol', text: '' });
      inDirective = false;
      lineStart = true;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') { i++; continue; }
    let t: Token;
    let len: number | undefined;
    if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`unterminated comment at offset ${i}`);
      t = { kind: 'comment', text: src.slice(i, end + 2) };
    } else if (src.startsWith('//', i)) {
      const end = src.indexOf('\n', i);
      t = { kind: 'comment', text: src.slice(i, end < 0 ? src.length : end) };
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\n') throw new Error(`newline in a literal at offset ${i}`);
        j += src[j] === '\\' ? 2 : 1;
      }
      if (j >= src.length) throw new Error(`unterminated literal at offset ${i}`);
      t = { kind: c === '"' ? 'string' : 'char', text: src.slice(i, j + 1) };
    } else if (c === '#' && lineStart) {
      const d = at(/#[ \t]*[A-Za-z_]*/y)!;
      t = { kind: 'directive', text: `#${d.slice(1).trim()}` };
      len = d.length;
      inDirective = true;
    } else {
      const word = at(/[A-Za-z_][A-Za-z0-9_]*/y);
      const num = word ? undefined : at(/\.?[0-9](?:[eEpP][+-]|[A-Za-z0-9_.])*/y);
      const punct = word || num ? undefined : at(/<<=|>>=|\.\.\.|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[*/%+\-&^|]=|##|[^\s]/uy);
      t = word ? { kind: 'ident', text: word } : num ? { kind: 'number', text: num } : { kind: 'punct', text: punct! };
    }
    out.push(t);
    i += len ?? t.text.length;
    lineStart = false;
  }
  if (inDirective) out.push({ kind: 'eol', text: '' });
  return out;
}

/** The Python interpreter the tests use: Debian's, or the first python3 on PATH. */
export function findPython(): string | undefined {
  for (const p of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(p, ['-c', 'import sys, tokenize, ast; print(sys.version_info[0])'], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() === '3') return p;
  }
  return undefined;
}

const PY_TOKENS = String.raw`
import ast, json, sys, tokenize
out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        toks = [(tokenize.tok_name[t.type], t.string) for t in tokenize.tokenize(f.readline)]
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    consts = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper():
            try:
                consts[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    out.append({"tokens": toks, "constants": consts})
json.dump(out, sys.stdout)
`;

/** CPython's tokens (type name, text) and the module's literal UPPER_CASE constants, for each file. */
export function tokenizePython(python: string, files: string[]): { tokens: Token[]; constants: Record<string, unknown> }[] {
  const r = spawnSync(python, ['-c', PY_TOKENS, ...files], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`python tokenize failed: ${r.stderr}`);
  const parsed = JSON.parse(r.stdout) as { tokens: [string, string][]; constants: Record<string, unknown> }[];
  return parsed.map((p) => ({ tokens: p.tokens.map(([kind, text]) => ({ kind, text })), constants: p.constants }));
}

/** Writes `text` to `file` as UTF-8 (lone surrogates would be replaced: generated files must not contain any). */
export function writeUtf8(file: string, text: string): void {
  fs.writeFileSync(file, text, 'utf8');
}
