import { describe, expect, test } from 'vitest';
import { evaluationFixture } from './fixture.js';
import { expectGolden } from './golden.js';
import {
  areaCutDomain,
  binCentre,
  coverageVsAreaCutSpec,
  lineChartSpec,
  renderEvaluationCharts,
  renderLineChart,
} from '../../src/report/charts.js';
import { renderVegaLite, roundSvgNumbers } from '../../src/report/vega-svg.js';

/** Count of `aria-roledescription="<role>"` items in an SVG vega rendered. */
const countRole = (svg: string, role: string) => (svg.match(new RegExp(`aria-roledescription="${role}"`, 'g')) ?? []).length;

/** The items inside the mark group whose class ends with `name` (vega emits one flat <g> per mark). */
function marksInGroup(svg: string, name: string): number {
  const start = svg.indexOf(`${name}"`);
  if (start < 0) return 0;
  const end = svg.indexOf('</g>', start);
  return (svg.slice(start, end).match(/<path /g) ?? []).length;
}

/** Every `values` array of a (layered) spec, flattened — the data a chart actually draws. */
function layerValues(spec: unknown, layer: number): Record<string, unknown>[] {
  return ((spec as { layer: { data: { values: Record<string, unknown>[] } }[] }).layer[layer].data.values);
}

describe('chart specs', () => {
  const ev = evaluationFixture();

  test('x range is zoomed to [min(0.9, reference, operating points) floored to 1%, 1]', () => {
    expect(areaCutDomain(ev.methods, 0.978)).toEqual([0.9, 1]);
    // an operating point at 0.853 widens it to 0.85
    const wide = [{ ...ev.methods[0], meanAreaCut: 0.853 }];
    expect(areaCutDomain(wide, 0.978)).toEqual([0.85, 1]);
  });

  test('coverage vs area cut carries every sweep point and one operating point per method', () => {
    const spec = coverageVsAreaCutSpec(ev.methods);
    expect(layerValues(spec, 0)).toHaveLength(2 * 6);
    expect(layerValues(spec, 1)).toEqual([
      { method: 'gaussian', tau: 0.04, areaCut: 0.9781, coverage: ev.methods[0].meanCoverage },
      { method: 'ae-refined', tau: 0.04, areaCut: 0.9781, coverage: ev.methods[1].meanCoverage },
    ]);
    expect(layerValues(spec, 2)[0].areaCut).toBe(0.978);
  });

  test('energy bins sit at their geometric centre', () => {
    // √(1·2) = 1.41421…, √(50·100) = 70.7106…
    expect(binCentre(1, 2)).toBeCloseTo(1.414214, 6);
    expect(binCentre(50, 100)).toBeCloseTo(70.710678, 6);
    expect(binCentre(0, 1)).toBe(0.5); // no log centre for a bin starting at 0
  });

  test('log line chart drops non-positive values it cannot draw', () => {
    const spec = lineChartSpec({
      series: [{ name: 'train', points: [{ x: 1, y: 0.5 }, { x: 2, y: 0 }, { x: 3, y: Number.NaN }, { x: 4, y: 0.1 }] }],
      xTitle: 'epoch',
      yTitle: 'loss',
      logY: true,
    }) as unknown as { data: { values: unknown[] } };
    expect(spec.data.values).toEqual([
      { series: 'train', x: 1, y: 0.5 },
      { series: 'train', x: 4, y: 0.1 },
    ]);
  });
});

describe('rendered charts', () => {
  test('each evaluation chart is one SVG with a line per method', async () => {
    const ev = evaluationFixture();
    const charts = await renderEvaluationCharts(ev.methods);
    for (const svg of [charts.coverageVsAreaCut, charts.coverageVsEnergy, charts.lowEnergyCoverage]) {
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.match(/<svg/g)).toHaveLength(1);
      expect(countRole(svg, 'line mark')).toBe(2);
    }
    // operating points: one diamond per method, in their own layer
    expect(marksInGroup(charts.coverageVsAreaCut, 'role-mark layer_1_marks')).toBe(2);
    // the reference rule, once in each area-cut chart
    expect(countRole(charts.coverageVsAreaCut, 'rule mark')).toBe(1);
    expect(countRole(charts.lowEnergyCoverage, 'rule mark')).toBe(1);
    // six bins × two methods on the energy chart, and six count labels
    expect(countRole(charts.coverageVsEnergy, 'point')).toBe(12);
    expect(charts.coverageVsEnergy.match(/>n=10</g)).toHaveLength(6);
    // legends name the methods
    expect(charts.coverageVsAreaCut).toContain('>gaussian<');
    expect(charts.coverageVsAreaCut).toContain('>ae-refined<');
  });

  test('a loss-curve chart draws one line per series', async () => {
    const epochs = [1, 2, 3, 4, 5];
    const svg = await renderLineChart({
      title: 'autoencoder loss',
      series: [
        { name: 'train', points: epochs.map((x) => ({ x, y: 1 / x })) },
        { name: 'validation', points: epochs.map((x) => ({ x, y: 1.2 / x })) },
      ],
      xTitle: 'epoch',
      yTitle: 'loss',
      logY: true,
    });
    expect(countRole(svg, 'line mark')).toBe(2);
    expect(svg).toContain('>validation<');
  });

  test('method names with markup are escaped inside the SVG', async () => {
    const ev = evaluationFixture();
    ev.methods[0].name = 'a<b>&c';
    const svg = await renderVegaLite(coverageVsAreaCutSpec(ev.methods));
    expect(svg).not.toContain('a<b>');
    expect(svg).toContain('a&lt;b&gt;&amp;c');
  });

  test('numbers in the SVG are rounded to two decimals', () => {
    expect(roundSvgNumbers('M37.50000000000005,-0.0001L1.5,2.125')).toBe('M37.5,0L1.5,2.13');
  });

  test('a chart renders to the same bytes whatever was rendered before it', async () => {
    const spec = coverageVsAreaCutSpec(evaluationFixture().methods);
    const first = await renderVegaLite(spec);
    await renderVegaLite(spec); // advances vega's process-wide clip-id counter
    expect(await renderVegaLite(spec)).toBe(first);
    expect(await renderVegaLite(spec, { idPrefix: 'cov' })).toContain('clip-path="url(#cov-1)"');
  });

  test('coverage vs area cut matches its golden SVG', async () => {
    const svg = await renderVegaLite(coverageVsAreaCutSpec(evaluationFixture().methods));
    expectGolden('coverage-vs-area-cut.svg', svg);
  });
});
