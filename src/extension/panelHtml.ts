/**
 * The training panel's HTML. No `vscode` import: the browser tests serve exactly this page (with a stubbed
 * acquireVsCodeApi) to headless Chromium. The Content-Security-Policy allows nothing but the panel's own files
 * (dist/, through `cspSource`) and scripts carrying this load's nonce; no inline styles or remote content.
 */
import { randomBytes } from 'node:crypto';
import { htmlText } from '../core/escape';

export interface PanelHtmlOptions {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
  title: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

const esc = htmlText;

export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function renderPanelHtml(o: PanelHtmlOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(panelCsp(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${esc(o.codiconUri)}" id="vscode-codicon-stylesheet" nonce="${esc(o.nonce)}">
<link rel="stylesheet" href="${esc(o.styleUri)}" nonce="${esc(o.nonce)}">
<title>${esc(o.title)}</title>
</head>
<body>
<script nonce="${esc(o.nonce)}" src="${esc(o.scriptUri)}"></script>
</body>
</html>
`;
}
