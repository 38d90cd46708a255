/**
 * The report's charts as Vega-Lite specs, and their rendering to SVG.
 * In: the per-method results of the evaluation (sweeps, energy bins, operating points), or generic
 * named (x, y) series. Out: Vega-Lite specs (pure data, testable) and SVG strings.
 * Ignores: anything not already in the results — no coverage or area cut is recomputed here.
 *
 * Charts (spec "Evaluation protocol"):
 *   coverage vs area cut — one line per method from its τ sweep, the operating point on top, a rule
 *     at the reference area cut (the study's 97.8%);
 *   coverage vs energy — median coverage per energy bin, bin centre on a log axis, event counts;
 *   low-energy coverage vs area cut — the faint 1–5 keV tracks, where the methods differ most;
 *   lineChartSpec — any named series (training loss curves of the autoencoders).
 */
import type { TopLevelSpec } from 'vega-lite';
import { evaluationSchema } from '../config/pipeline.js';
import type { MethodResult } from '../evaluation/evaluate-run.js';
import { chartConfig, renderVegaLite } from './vega-svg.js';

/** The config's evaluation.referenceAreaCut default: the study's operating point, mean area cut 97.8%. */
export const REFERENCE_AREA_CUT: number = evaluationSchema.parse({}).referenceAreaCut;

export interface ChartSize {
  /** Plot area, px (axes and legend come on top). Default 520 × 300. */
  width?: number;
  height?: number;
}

export interface AreaCutChartOptions extends ChartSize {
  /** Where the vertical reference rule goes; default REFERENCE_AREA_CUT (0.978). */
  referenceAreaCut?: number;
  /** x range shown; default [min(0.9, reference, operating points) rounded down to 1%, 1]. */
  xDomain?: [number, number];
}

const isNum = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);
const floorTo = (x: number, step: number) => Math.floor(x / step + 1e-9) * step;
const ceilTo = (x: number, step: number) => Math.ceil(x / step - 1e-9) * step;
const round6 = (x: number) => Number(x.toFixed(6)); // keeps data (and so the SVG aria labels) tidy

/** Same colour for the same method in every chart: an explicit domain, in result order. */
function methodColor(methods: MethodResult[]) {
  return {
    field: 'method',
    type: 'nominal' as const,
    title: 'method',
    scale: { domain: methods.map((m) => m.name), scheme: 'tableau10' },
  };
}

function base(size: ChartSize, title: string) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: size.width ?? 520,
    height: size.height ?? 300,
    config: chartConfig,
  };
}

/**
 * The zoomed x range: the sweeps reach down to area cuts nobody would operate at, which would squeeze
 * the region around the reference into a sliver. Points left of it are clipped, not dropped.
 */
export function areaCutDomain(methods: MethodResult[], reference: number): [number, number] {
  const ops = methods.map((m) => m.meanAreaCut).filter(isNum);
  return [Math.max(0, floorTo(Math.min(0.9, reference, ...ops), 0.01)), 1];
}

/** y range over what is visible inside the x range, so clipped sweep ends do not flatten the curves. */
function visibleYDomain(points: { x: number; y: number }[], xDomain: [number, number]): [number, number] {
  const ys = points.filter((p) => p.x >= xDomain[0] && p.x <= xDomain[1]).map((p) => p.y);
  if (ys.length === 0) return [0, 1];
  const lo = Math.max(0, floorTo(Math.min(...ys), 0.05));
  return [lo, Math.min(1, Math.max(lo + 0.05, ceilTo(Math.max(...ys) + 0.005, 0.05)))];
}

function referenceRule(reference: number, field: string) {
  return [
    {
      data: { values: [{ [field]: reference, label: `reference ${(100 * reference).toFixed(1)}%` }] },
      mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#666' },
      encoding: { x: { field, type: 'quantitative' as const } },
    },
    {
      data: { values: [{ [field]: reference, label: `reference ${(100 * reference).toFixed(1)}%` }] },
      mark: { type: 'text' as const, align: 'right' as const, baseline: 'top' as const, dx: -4, dy: 4, color: '#666', fontSize: 10 },
      encoding: { x: { field, type: 'quantitative' as const }, y: { value: 0 }, text: { field: 'label' } },
    },
  ];
}

/** Mean coverage vs mean area cut per method from its τ sweep, with the operating points. */
export function coverageVsAreaCutSpec(methods: MethodResult[], opts: AreaCutChartOptions = {}): TopLevelSpec {
  const reference = opts.referenceAreaCut ?? REFERENCE_AREA_CUT;
  const xDomain = opts.xDomain ?? areaCutDomain(methods, reference);
  const sweep = methods.flatMap((m) =>
    m.sweep
      .filter((p) => isNum(p.meanAreaCut) && isNum(p.meanCoverage))
      .map((p) => ({ method: m.name, tau: round6(p.tau), areaCut: round6(p.meanAreaCut), coverage: round6(p.meanCoverage) })),
  );
  const ops = methods
    .filter((m) => isNum(m.meanAreaCut) && isNum(m.meanCoverage))
    .map((m) => ({ method: m.name, tau: round6(m.tau), areaCut: round6(m.meanAreaCut), coverage: round6(m.meanCoverage) }));
  const yDomain = visibleYDomain([...sweep, ...ops].map((p) => ({ x: p.areaCut, y: p.coverage })), xDomain);
  const x = { field: 'areaCut', type: 'quantitative' as const, title: 'mean area cut', scale: { domain: xDomain }, axis: { format: '.1%' } };
  const y = { field: 'coverage', type: 'quantitative' as const, title: 'mean signal coverage', scale: { domain: yDomain }, axis: { format: '.0%' } };
  const tooltip = [{ field: 'method' }, { field: 'tau', title: 'τ' }, { field: 'areaCut', format: '.2%' }, { field: 'coverage', format: '.1%' }];
  return {
    ...base(opts, 'Coverage vs area cut (τ sweep; ◆ operating point)'),
    layer: [
      {
        data: { values: sweep },
        mark: { type: 'line', clip: true, strokeWidth: 2, point: { size: 16, filled: true } },
        encoding: { x, y, color: methodColor(methods), tooltip },
      },
      {
        data: { values: ops },
        mark: { type: 'point', shape: 'diamond', size: 130, filled: true, stroke: '#000', strokeWidth: 1, opacity: 1, clip: true },
        encoding: { x, y, color: methodColor(methods), tooltip },
      },
      ...referenceRule(reference, 'areaCut'),
    ],
  } as TopLevelSpec;
}

/** Where a bin sits on the log axis: the geometric centre (the arithmetic one would crowd the top). */
export function binCentre(lo: number, hi: number): number {
  return lo > 0 ? Math.sqrt(lo * hi) : hi / 2;
}

/** Median coverage per energy bin (log x), one line per method, event counts written along the bottom. */
export function coverageVsEnergySpec(methods: MethodResult[], opts: ChartSize = {}): TopLevelSpec {
  const rows = methods.flatMap((m) =>
    m.energyBins
      .filter((b) => b.medianCoverage !== null && b.hi > 0)
      .map((b) => ({
        method: m.name,
        centre: round6(binCentre(b.lo, b.hi)),
        bin: `${b.lo}–${b.hi} keV`,
        median: round6(b.medianCoverage as number),
        events: b.events,
      })),
  );
  // events per bin are the same for every method (same contained events); take the largest to be safe
  const counts = new Map<string, { centre: number; events: number }>();
  for (const m of methods) {
    for (const b of m.energyBins) {
      if (b.hi <= 0) continue;
      const key = `${b.lo}:${b.hi}`;
      const c = counts.get(key) ?? { centre: round6(binCentre(b.lo, b.hi)), events: 0 };
      c.events = Math.max(c.events, b.events);
      counts.set(key, c);
    }
  }
  const countRows = [...counts.values()].map((c) => ({ ...c, label: `n=${c.events}` }));
  const edges = methods.flatMap((m) => m.energyBins.flatMap((b) => [b.lo, b.hi])).filter((e) => e > 0);
  const xDomain: [number, number] = edges.length ? [Math.min(...edges), Math.max(...edges)] : [1, 100];
  const x = {
    field: 'centre',
    type: 'quantitative' as const,
    title: 'event energy (keV, bin centre)',
    scale: { type: 'log' as const, domain: xDomain },
    axis: { values: [...new Set(edges)].sort((a, b) => a - b), format: '~g' },
  };
  return {
    ...base(opts, 'Median coverage per energy bin'),
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 2, point: { size: 40, filled: true } },
        encoding: {
          x,
          y: { field: 'median', type: 'quantitative', title: 'median signal coverage', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
          color: methodColor(methods),
          tooltip: [{ field: 'method' }, { field: 'bin' }, { field: 'median', format: '.1%' }, { field: 'events' }],
        },
      },
      {
        data: { values: countRows },
        mark: { type: 'text', baseline: 'bottom', dy: -3, fontSize: 10, color: '#555' },
        encoding: { x, y: { datum: 0, type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  } as TopLevelSpec;
}

export interface LowEnergyChartOptions extends AreaCutChartOptions {
  /** Energy range of `lowEnergyCoverage`, keV, for the title; default [1, 5]. */
  range?: [number, number];
}

/** Mean coverage of the low-energy events vs mean area cut, from the sweeps. */
export function lowEnergyCoverageSpec(methods: MethodResult[], opts: LowEnergyChartOptions = {}): TopLevelSpec {
  const reference = opts.referenceAreaCut ?? REFERENCE_AREA_CUT;
  const xDomain = opts.xDomain ?? areaCutDomain(methods, reference);
  const [lo, hi] = opts.range ?? [1, 5];
  const rows = methods.flatMap((m) =>
    m.sweep
      .filter((p) => isNum(p.meanAreaCut) && isNum(p.lowEnergyCoverage))
      .map((p) => ({ method: m.name, tau: round6(p.tau), areaCut: round6(p.meanAreaCut), coverage: round6(p.lowEnergyCoverage as number) })),
  );
  const yDomain = visibleYDomain(rows.map((p) => ({ x: p.areaCut, y: p.coverage })), xDomain);
  return {
    ...base(opts, `Coverage of ${lo}–${hi} keV events vs area cut (τ sweep)`),
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', clip: true, strokeWidth: 2, point: { size: 16, filled: true } },
        encoding: {
          x: { field: 'areaCut', type: 'quantitative', title: 'mean area cut', scale: { domain: xDomain }, axis: { format: '.1%' } },
          y: { field: 'coverage', type: 'quantitative', title: `mean coverage, ${lo}–${hi} keV`, scale: { domain: yDomain }, axis: { format: '.0%' } },
          color: methodColor(methods),
          tooltip: [{ field: 'method' }, { field: 'tau', title: 'τ' }, { field: 'areaCut', format: '.2%' }, { field: 'coverage', format: '.1%' }],
        },
      },
      ...referenceRule(reference, 'areaCut'),
    ],
  } as TopLevelSpec;
}

export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
}

export interface LineChartInput extends ChartSize {
  series: LineSeries[];
  title?: string;
  xTitle: string;
  yTitle: string;
  /** Log y axis (loss curves span decades); non-positive y values are then dropped. */
  logY?: boolean;
}

/** A plain multi-series line chart, e.g. training and validation loss per epoch. */
export function lineChartSpec(input: LineChartInput): TopLevelSpec {
  const rows = input.series.flatMap((s) =>
    s.points.filter((p) => isNum(p.x) && isNum(p.y) && (!input.logY || p.y > 0)).map((p) => ({ series: s.name, x: p.x, y: p.y })),
  );
  // a single point per series draws no line; show the points then, so short runs are still visible
  const showPoints = input.series.some((s) => s.points.length <= 30);
  return {
    ...base(input, input.title ?? ''),
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2, point: showPoints ? { size: 16, filled: true } : false },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: input.xTitle },
      y: { field: 'y', type: 'quantitative', title: input.yTitle, scale: input.logY ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: input.series.map((s) => s.name), scheme: 'tableau10' } },
      tooltip: [{ field: 'series' }, { field: 'x' }, { field: 'y', format: '.4g' }],
    },
  } as TopLevelSpec;
}

export interface EvaluationCharts {
  coverageVsAreaCut: string;
  coverageVsEnergy: string;
  lowEnergyCoverage: string;
}

/** The three evaluation charts as SVG strings. */
export async function renderEvaluationCharts(methods: MethodResult[], opts: LowEnergyChartOptions = {}): Promise<EvaluationCharts> {
  // sequentially: vega views are cheap, and the report is written once
  const coverageVsAreaCut = await renderVegaLite(coverageVsAreaCutSpec(methods, opts));
  const coverageVsEnergy = await renderVegaLite(coverageVsEnergySpec(methods, opts));
  const lowEnergyCoverage = await renderVegaLite(lowEnergyCoverageSpec(methods, opts));
  return { coverageVsAreaCut, coverageVsEnergy, lowEnergyCoverage };
}

/** Renders any line chart (see lineChartSpec) to SVG. */
export function renderLineChart(input: LineChartInput): Promise<string> {
  return renderVegaLite(lineChartSpec(input));
}
