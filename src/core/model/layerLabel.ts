/**
 * The one way a layer is named to the user — Problems, hovers, the Models tree, the CLI: its 1-based position in
 * "layers" (as a person counts, and as the CodeLens and the summary table list them) with its type and name,
 * e.g. `layer 4 (QuantConv2D 'quant_conv2d_1')`, or `layer 4 'quant_conv2d_1'` where the type is said already.
 * Indices stay 0-based inside the code and in JSON paths.
 */
export function layerLabel(index: number, type?: string, name?: string): string {
  const quoted = name !== undefined ? `'${name}'` : undefined;
  if (type === undefined) return `layer ${index + 1}${quoted ? ` ${quoted}` : ''}`;
  return `layer ${index + 1} (${type}${quoted ? ` ${quoted}` : ''})`;
}

/** The short form for narrow places (breadcrumbs, tree descriptions): `4 · quant_conv2d_1`. */
export function layerShortLabel(index: number, name: string): string {
  return `${index + 1} · ${name}`;
}
