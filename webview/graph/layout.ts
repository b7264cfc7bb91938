/**
 * Places the graph's nodes and routes its edges with dagre (the layered layout Netron uses): data flows top to
 * bottom, a block's main path stays straight and its shortcut bends around it.
 */
import dagre from '@dagrejs/dagre';

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

export interface LayoutEdge {
  id: string;
  from: string;
  to: string;
  shortcut: boolean;
}

export interface Placed {
  /** Node centres. */
  nodes: Map<string, { x: number; y: number; width: number; height: number }>;
  /** Each edge's route, from its source's border to its target's. */
  edges: Map<string, { x: number; y: number }[]>;
  width: number;
  height: number;
}

/** Main-path edges pull harder than shortcuts, so dagre keeps them short and straight. */
const MAIN_WEIGHT = 4;
const SHORTCUT_WEIGHT = 1;

export function layoutGraph(nodes: LayoutNode[], edges: LayoutEdge[]): Placed {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 36, edgesep: 14, marginx: 24, marginy: 24 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of edges) g.setEdge(e.from, e.to, { weight: e.shortcut ? SHORTCUT_WEIGHT : MAIN_WEIGHT, minlen: 1 }, e.id);
  dagre.layout(g);
  const placed: Placed = { nodes: new Map(), edges: new Map(), width: g.graph().width ?? 0, height: g.graph().height ?? 0 };
  for (const n of nodes) {
    const p = g.node(n.id);
    placed.nodes.set(n.id, { x: p.x ?? 0, y: p.y ?? 0, width: n.width, height: n.height });
  }
  for (const e of edges) {
    const points: { x: number; y: number }[] = g.edge({ v: e.from, w: e.to, name: e.id }).points ?? [];
    placed.edges.set(e.id, points.map((p) => ({ x: p.x, y: p.y })));
  }
  return placed;
}

/**
 * A smooth SVG path through the route's points (Catmull–Rom turned into cubic Béziers), so long edges read as one
 * stroke rather than a polyline.
 */
export function smoothPath(points: { x: number; y: number }[]): string {
  if (points.length === 0) return '';
  const f = (v: number): string => (Math.round(v * 10) / 10).toString();
  let d = `M${f(points[0].x)},${f(points[0].y)}`;
  if (points.length === 2) return `${d}L${f(points[1].x)},${f(points[1].y)}`;
  for (let i = 0; i < points.length - 1; i++) {
    const p0 = points[Math.max(0, i - 1)];
    const p1 = points[i];
    const p2 = points[i + 1];
    const p3 = points[Math.min(points.length - 1, i + 2)];
    const c1 = { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 };
    const c2 = { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 };
    d += `C${f(c1.x)},${f(c1.y)} ${f(c2.x)},${f(c2.y)} ${f(p2.x)},${f(p2.y)}`;
  }
  return d;
}
