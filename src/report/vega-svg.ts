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

export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  const vgSpec = compile(spec).spec;
  const view = new View(parse(vgSpec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return roundSvgNumbers(svg);
  } finally {
    view.finalize();
  }
}
