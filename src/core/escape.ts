/**
 * The one escaping rule for user-derived text (model, layer, experiment and dataset names, paths, messages read from
 * files) that lands in generated C, Python, HTML or Markdown. Each helper's output cannot change the structure of the
 * code around it, whatever the input — the loader's name rules are a second line, not the only one (issue 18).
 * Every helper is pure and total: no input throws.
 */

const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, '0');

/** A code point as a universal-character-name spelling (`\u00E9`, `\U0001F600`): ASCII only, never ends in `\`. */
function ucn(cp: number): string {
  return cp > 0xffff ? `\\U${hex(cp, 8)}` : `\\u${hex(cp, 4)}`;
}

/**
 * Text for inside a C block comment, on one line: printable ASCII only (anything else, and `\`, spelled as `\uXXXX`,
 * so no line splice and no raw newline), and a space breaks up every `*` `/` pair (no `*` `/` close, no nested `/` `*`)
 * and every `??` (no trigraph: -std=c99 turns `??/` into a backslash).
 */
export function cComment(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    out += cp >= 0x20 && cp <= 0x7e && ch !== '\\' ? ch : ucn(cp);
  }
  return out.replace(/\*(?=\/)|\/(?=\*)|\?(?=\?)/g, '$& ');
}

/**
 * A C string literal (with its quotes) holding `text` as UTF-8: printable ASCII except `"`, `\` and `?` as is, every
 * other byte as a three-digit octal escape (which, unlike `\x`, cannot swallow a following digit).
 */
export function cString(text: string): string {
  let out = '"';
  for (const b of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(b);
    out += b >= 0x20 && b <= 0x7e && c !== '"' && c !== '\\' && c !== '?' ? c : `\\${b.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/**
 * A C identifier `prefix` + `text`, matching [A-Za-z_][A-Za-z0-9_]*, one-to-one: letters and digits stay, `_`
 * becomes `__`, any other code point `_<hex>_`. Two different texts never give the same identifier, and a name that
 * is already a plain identifier stays readable (`conv1` → `bnn_conv1`, `a_b` → `bnn_a__b`).
 */
export function cIdentifier(prefix: string, text: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*_$/.test(prefix)) throw new Error(`internal: C identifier prefix '${prefix}' must be letters/digits ending in _`);
  let out = prefix;
  for (const ch of text) {
    if (/^[A-Za-z0-9]$/.test(ch)) out += ch;
    else if (ch === '_') out += '__';
    else out += `_${ch.codePointAt(0)!.toString(16)}_`;
  }
  return out;
}

/**
 * A Python 3 string literal (with its quotes), ASCII only: `\`, `"`, control characters, U+2028/U+2029 and all
 * non-ASCII as escapes, so it is one token on one line in any encoding and any context (also inside a triple-quoted
 * docstring's neighbourhood, where a raw `"""` would end the docstring).
 */
export function pyString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp >= 0x20 && cp <= 0x7e) out += ch;
    else if (cp < 0x100) out += `\\x${hex(cp, 2).toLowerCase()}`;
    else out += cp > 0xffff ? `\\U${hex(cp, 8).toLowerCase()}` : `\\u${hex(cp, 4).toLowerCase()}`;
  }
  return `${out}"`;
}

/**
 * Text for inside a Python triple-quoted (non-raw) string such as a docstring: pyString's escapes without the quotes,
 * so every `"` is escaped (no `"""` can close it) and every backslash starts a valid escape.
 */
export function pyDocText(text: string): string {
  return pyString(text).slice(1, -1);
}

/** Text for HTML element content or a double- or single-quoted attribute value. */
export function htmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Plain text inside Markdown (VS Code hovers and tooltips, generated READMEs): every character that is markup anywhere
 * (emphasis, code, links, HTML, tables, VS Code's `$(icon)`) is backslash-escaped, and so is a leading character that
 * would start a heading, list or quote; line breaks become spaces (no new block, no new table row).
 */
export function markdownText(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    // `_` inside a word (quant_conv2d_1) can neither open nor close emphasis (CommonMark's flanking rules), and an
    // escaped one showed as a literal backslash in VS Code's hovers: only a `_` at a word's edge is escaped
    .replace(/[\\`*[\]<>!|~$&]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\$&')
    .replace(/^[#+-](?=[\s#]|$)/, '\\$&')
    .replace(/^(\d+)([.)])(?=\s|$)/, '$1\\$2');
}
