/**
 * Pan and zoom over the drawn graph: drag the background or scroll to pan, Ctrl/⌘ + wheel (or a pinch) to zoom at
 * the pointer, as in Netron and VS Code's own image preview. The transform is one attribute on the graph's group.
 */
/** Below this zoom the cards' 12 px text is too small to read. */
const READABLE = 0.6;

export class Viewport {
  scale = 1;
  x = 0;
  y = 0;
  private contentW = 0;
  private contentH = 0;
  private drag?: { px: number; py: number; x: number; y: number; moved: boolean };

  constructor(private readonly svgEl: SVGSVGElement, private readonly group: SVGGElement) {
    svgEl.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    svgEl.addEventListener('pointerdown', (e) => {
      // Only the background pans: a press on a node is a click on it.
      if ((e.target as Element).closest('.node') || e.button !== 0) return;
      this.drag = { px: e.clientX, py: e.clientY, x: this.x, y: this.y, moved: false };
      svgEl.setPointerCapture(e.pointerId);
      svgEl.classList.add('panning');
    });
    svgEl.addEventListener('pointermove', (e) => {
      if (!this.drag) return;
      this.x = this.drag.x + e.clientX - this.drag.px;
      this.y = this.drag.y + e.clientY - this.drag.py;
      this.drag.moved = true;
      this.apply();
    });
    const end = (): void => { this.drag = undefined; svgEl.classList.remove('panning'); };
    svgEl.addEventListener('pointerup', end);
    svgEl.addEventListener('pointercancel', end);
  }

  setContent(width: number, height: number): void {
    this.contentW = width;
    this.contentH = height;
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    if (e.ctrlKey || e.metaKey) {
      const r = this.svgEl.getBoundingClientRect();
      this.zoomAt(Math.exp(-e.deltaY * 0.0025), e.clientX - r.left, e.clientY - r.top);
    } else {
      this.x -= e.deltaX;
      this.y -= e.deltaY;
      this.apply();
    }
  }

  /** Multiplies the zoom by `factor`, keeping the point under (cx, cy) in place. */
  zoomAt(factor: number, cx?: number, cy?: number): void {
    const r = this.svgEl.getBoundingClientRect();
    const px = cx ?? r.width / 2;
    const py = cy ?? r.height / 2;
    const next = Math.min(4, Math.max(0.05, this.scale * factor));
    const k = next / this.scale;
    this.x = px - (px - this.x) * k;
    this.y = py - (py - this.y) * k;
    this.scale = next;
    this.apply();
  }

  /** The whole graph in view, never enlarged past 100% (a small model stays at its natural size, at the top). */
  fit(): void {
    const r = this.svgEl.getBoundingClientRect();
    if (!this.contentW || !r.width || !r.height) return;
    this.scale = Math.min(1, r.width / this.contentW, r.height / this.contentH);
    this.x = (r.width - this.contentW * this.scale) / 2;
    this.y = Math.max(0, (r.height - this.contentH * this.scale) / 2);
    this.apply();
  }

  /**
   * The first view of a graph, readable rather than whole (Netron opens at 100% too): as wide as the view allows, at
   * most 100% and at least READABLE, from the top — the input — down; Fit shows it all.
   */
  start(): void {
    const r = this.svgEl.getBoundingClientRect();
    if (!this.contentW || !r.width || !r.height) return;
    this.scale = Math.max(READABLE, Math.min(1, r.width / this.contentW));
    this.x = (r.width - this.contentW * this.scale) / 2;
    this.y = Math.max(0, (r.height - this.contentH * this.scale) / 2);
    this.apply();
  }

  /** Pans (without zooming) so that the content point (x, y) is in the middle, if it is not on screen now. */
  ensureVisible(cx: number, cy: number, w: number, h: number): void {
    const r = this.svgEl.getBoundingClientRect();
    const left = this.x + (cx - w / 2) * this.scale;
    const top = this.y + (cy - h / 2) * this.scale;
    const inside = left >= 0 && top >= 0 && left + w * this.scale <= r.width && top + h * this.scale <= r.height;
    if (inside) return;
    this.x = r.width / 2 - cx * this.scale;
    this.y = r.height / 2 - cy * this.scale;
    this.apply();
  }

  apply(): void {
    this.group.setAttribute('transform', `translate(${this.x.toFixed(1)},${this.y.toFixed(1)}) scale(${this.scale.toFixed(4)})`);
  }
}
