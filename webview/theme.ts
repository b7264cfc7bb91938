/**
 * Colours come from the CSS variables VS Code injects into every webview, so charts follow the user's light, dark or
 * high-contrast theme and change with it. chart.js draws on a canvas and cannot resolve var(), hence computed values.
 */
import { ensureContrast } from './contrast';

export interface ChartTheme {
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  tooltipBackground: string;
  tooltipBorder: string;
  font: string;
  /** Series colours, most distinct first. */
  palette: string[];
  lineWidth: number;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

export function readTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const cls = document.body.classList;
  const kind = cls.contains('vscode-high-contrast-light') ? 'high-contrast-light' : cls.contains('vscode-high-contrast') ? 'high-contrast' : cls.contains('vscode-light') ? 'light' : 'dark';
  const dark = kind === 'dark' || kind === 'high-contrast';
  const v = (n: string, f: string) => cssVar(style, n, f);
  const palette = [
    v('--vscode-charts-blue', dark ? '#3794ff' : '#1a85ff'),
    v('--vscode-charts-orange', dark ? '#d18616' : '#d18616'),
    v('--vscode-charts-green', dark ? '#89d185' : '#388a34'),
    v('--vscode-charts-purple', dark ? '#b180d7' : '#652d90'),
    v('--vscode-charts-red', dark ? '#f14c4c' : '#e51400'),
    v('--vscode-charts-yellow', dark ? '#cca700' : '#bf8803'),
    v('--vscode-terminal-ansiCyan', dark ? '#11a8cd' : '#0598bc'),
    v('--vscode-terminal-ansiMagenta', dark ? '#bc3fbc' : '#bc05bc'),
    v('--vscode-terminal-ansiBrightBlue', dark ? '#3b8eea' : '#0451a5'),
    v('--vscode-terminal-ansiBrightGreen', dark ? '#23d18b' : '#14ce14'),
  ];
  const background = v('--vscode-editor-background', dark ? '#1f1f1f' : '#ffffff');
  return {
    kind,
    foreground: v('--vscode-foreground', dark ? '#cccccc' : '#3b3b3b'),
    muted: v('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#717171'),
    grid: v('--vscode-charts-lines', dark ? 'rgba(204,204,204,0.15)' : 'rgba(0,0,0,0.1)'),
    background,
    tooltipBackground: v('--vscode-editorHoverWidget-background', dark ? '#202020' : '#f8f8f8'),
    tooltipBorder: v('--vscode-editorHoverWidget-border', dark ? '#454545' : '#c8c8c8'),
    font: v('--vscode-font-family', 'system-ui, sans-serif'),
    palette: palette.map((c) => ensureContrast(c, background)),
    lineWidth: kind.startsWith('high-contrast') ? 2.5 : 1.5,
  };
}

/** Calls `onChange` when VS Code switches theme (it rewrites the body class and the root element's variables). */
export function watchTheme(onChange: () => void): void {
  const obs = new MutationObserver(() => onChange());
  obs.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  obs.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
}
