/**
 * Server-side rendering of a Vega-Lite spec to an SVG string.
 * In: a Vega-Lite top-level spec. Out: a standalone `<svg>` element as text.
 * Ignores: interaction (signals, tooltips handlers) — the report is a static page.
 *
 * Why renderer 'none' + toSVG: vega's headless path builds the scenegraph and serialises it without
 * any canvas. Without the optional `canvas` package vega estimates text widths from the font size,
 * which is deterministic — the golden tests rely on that (installing `canvas` would shift label
 * positions and the golden SVGs would need refreshing).
 */
import { compile, type Config, type TopLevelSpec } from 'vega-lite';
import { View, parse } from 'vega';

/** Shared look for every chart, so the report reads as one document. */
export const chartConfig: Config = {
  font: 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom', direction: 'horizontal' },
  title: { fontSize: 13, anchor: 'start', fontWeight: 'normal' },
  view: { stroke: '#bbb' },
};

/**
 * Rounds every decimal number in the SVG to 2 places: vega writes coordinates such as
 * 37.50000000000005, which bloat the page and make golden comparisons fragile across platforms'
 * last-bit floating-point differences. A hundredth of a pixel is invisible.
 */
export function roundSvgNumbers(svg: string): string {
  return svg.replace(/-?\d+\.\d{3,}/g, (m) => {
    const r = Number(Number(m).toFixed(2));
    return String(Object.is(r, -0) ? 0 : r);
  });
}

/** FNV-1a of a string, as 8 hex digits: a short deterministic tag. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * Renames the clip-path and gradient ids vega numbers from a process-wide counter ("clip12"): as they
 * are, the same chart renders differently depending on what was rendered before, and two inline
 * SVGs in one page can collide. Renumbered per chart under a prefix, in order of appearance.
 */
export function localizeSvgIds(svg: string, prefix: string): string {
  const names = new Map<string, string>();
  const local = (id: string) => {
    let name = names.get(id);
    if (name === undefined) {
      name = `${prefix}-${names.size + 1}`;
      names.set(id, name);
    }
    return name;
  };
  return svg
    .replace(/id="((?:clip|gradient_)\d+)"/g, (_m, id: string) => `id="${local(id)}"`)
    .replace(/url\(#((?:clip|gradient_)\d+)\)/g, (_m, id: string) => `url(#${local(id)})`);
}

export interface RenderOptions {
  /** Prefix of the chart's internal SVG ids; default derived from the spec, so distinct charts never collide. */
  idPrefix?: string;
}

export async function renderVegaLite(spec: TopLevelSpec, opts: RenderOptions = {}): Promise<string> {
  const vgSpec = compile(spec).spec;
  const view = new View(parse(vgSpec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return localizeSvgIds(roundSvgNumbers(svg), opts.idPrefix ?? `vl${fnv1a(JSON.stringify(spec))}`);
  } finally {
    view.finalize();
  }
}
