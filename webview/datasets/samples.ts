/**
 * Drawing one preview sample: an image as pixels on a canvas (scaled up crisply by CSS), a sensor window as a small
 * chart.js line plot, one line per channel over time (the sample's first axis).
 */
import { Chart, LinearScale, LineController, LineElement, PointElement } from 'chart.js';
import type { PreviewSample } from '../../src/core/data/preview';
import type { ChartTheme } from '../theme';
import { h } from '../dom';

Chart.register(LineController, LineElement, PointElement, LinearScale);

export function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function imageCanvas(s: PreviewSample): HTMLCanvasElement {
  const [height, width, c] = s.shape;
  const bytes = decodeBase64(s.data);
  const canvas = h('canvas', { class: 'sample image', width: String(width), height: String(height), title: s.source });
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  const img = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = c === 1 ? [bytes[i], bytes[i], bytes[i]] : [bytes[3 * i], bytes[3 * i + 1], bytes[3 * i + 2]];
    img.data.set([r, g, b, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/** Time along the first axis with more than one value; every other value of a step is a channel. */
export function seriesOf(s: PreviewSample): number[][] {
  const [a, b, c] = s.shape;
  const bytes = decodeBase64(s.data);
  const steps = a > 1 ? a : b > 1 ? b : c;
  const channels = bytes.length / steps;
  return Array.from({ length: channels }, (_, k) => Array.from({ length: steps }, (_, t) => bytes[t * channels + k]));
}

export function seriesChart(s: PreviewSample, theme: ChartTheme): { element: HTMLElement; chart: Chart } {
  const canvas = h('canvas', { width: '160', height: '72' });
  const element = h('div', { class: 'sample series', title: s.source }, canvas);
  const lines = seriesOf(s);
  const chart = new Chart(canvas, {
    type: 'line',
    data: {
      datasets: lines.map((ys, k) => ({
        data: ys.map((y, x) => ({ x, y })), borderColor: theme.palette[k % theme.palette.length], borderWidth: 1, pointRadius: 0,
      })),
    },
    options: {
      responsive: false, animation: false, parsing: false, events: [],
      plugins: { legend: { display: false }, tooltip: { enabled: false } },
      scales: { x: { type: 'linear', display: false }, y: { type: 'linear', min: 0, max: 255, display: false } },
    },
  });
  return { element, chart };
}
