// Release builds only: h5wasm's Emscripten bundle carries its 3.5 MB WebAssembly HDF5 as one escaped string literal,
// which the .vsix's deflate packs to 1.07 MB. Taken out and stored Brotli-compressed next to the bundle
// (dist/h5wasm.wasm.br, 0.68 MB) it costs 0.39 MB less, and keeps every platform package within its 5 MB
// (README, "Install in VS Code"); Node's own zlib unpacks it when a Keras .h5 file is first imported.
import { readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';

/** The one template literal holding the wasm bytes (the only one with \x escapes): its start and end offsets. */
export function findWasmLiteral(src) {
  const at = src.indexOf('\\x');
  if (at < 0) return undefined;
  const open = src.lastIndexOf('`', at);
  let i = open + 1;
  for (; i < src.length; i++) {
    if (src[i] === '\\') { i++; continue; }
    if (src[i] === '`') break;
    if (src[i] === '$' && src[i + 1] === '{') return undefined; // an interpolation: not a plain binary string
  }
  if (src.indexOf('\\x', i + 1) >= 0) return undefined; // more than one: not the layout this expects
  return { open, close: i };
}

export function packH5wasm(file = 'dist/h5wasm.mjs', out = 'dist/h5wasm.wasm.br') {
  const src = readFileSync(file, 'utf8');
  const lit = findWasmLiteral(src);
  if (!lit) throw new Error(`h5wasm-pack: no single wasm string literal in ${file} (h5wasm's layout changed?): build without --production, or update scripts/h5wasm-pack.mjs`);
  const str = (0, eval)(src.slice(lit.open, lit.close + 1));
  const bytes = Buffer.from(str, 'latin1');
  if (bytes.toString('latin1') !== str || bytes.readUInt32BE(0) !== 0x0061736d) throw new Error(`h5wasm-pack: the literal in ${file} is not a wasm binary string`);
  writeFileSync(out, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }));
  const loader = "import { readFileSync as __bnnRead } from 'node:fs';\nimport { brotliDecompressSync as __bnnUnbrotli } from 'node:zlib';\n"
    + "const __bnnWasmString = () => __bnnUnbrotli(__bnnRead(new URL('./h5wasm.wasm.br', import.meta.url))).toString('latin1');\n";
  writeFileSync(file, loader + src.slice(0, lit.open) + '__bnnWasmString()' + src.slice(lit.close + 1));
}
