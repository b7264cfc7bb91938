/**
 * A chart line must stand out from the background: in VS Code's light themes `--vscode-charts-orange` (#d18616) and
 * `-yellow` are pale on white (2.6:1 and 2.3:1), so the second series nearly vanished. Colours below WCAG's 3:1 for
 * graphics are darkened (or, on a dark background, lightened) in small steps until they reach it; a theme's colours
 * that already pass are used unchanged.
 */

type Rgb = [number, number, number];

/** `#rgb`, `#rrggbb`, `#rrggbbaa` and `rgb()/rgba()` as computed styles give them; undefined for anything else. */
export function parseColor(css: string): Rgb | undefined {
  const s = css.trim().toLowerCase();
  let m = /^#([0-9a-f]{3})$/.exec(s);
  if (m) return [0, 1, 2].map((i) => parseInt(m![1][i] + m![1][i], 16)) as Rgb;
  m = /^#([0-9a-f]{6})(?:[0-9a-f]{2})?$/.exec(s);
  if (m) return [0, 2, 4].map((i) => parseInt(m![1].slice(i, i + 2), 16)) as Rgb;
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return undefined;
}

function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two colours (1 … 21). */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const hex = (c: Rgb) => `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

/** `color`, or the nearest shade of it with at least `min`:1 contrast against `background`. */
export function ensureContrast(color: string, background: string, min = 3): string {
  const c = parseColor(color);
  const bg = parseColor(background);
  if (!c || !bg || contrastRatio(c, bg) >= min) return color;
  const towardsBlack = luminance(bg) > 0.5;
  let cur: Rgb = c;
  for (let i = 0; i < 40 && contrastRatio(cur, bg) < min; i++) {
    cur = cur.map((v) => (towardsBlack ? v * 0.95 : v + (255 - v) * 0.05)) as Rgb;
  }
  return hex(cur);
}
