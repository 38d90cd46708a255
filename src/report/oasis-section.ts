/**
 * The overlap-separation section of the report, and a standalone page for `oasis evaluate`.
 *
 * In: evaluation entries (overlap/evaluate.ts) and example maps per model. Out: HTML strings — a summary
 * table, ΔI median + IQR vs true ER energy per preset (our Vega-Lite spec, rendered through the
 * report's renderVegaLite), training/validation loss curves (renderLineChart), example panels
 * (input, predicted ER, true ER, predicted NR, residual) as PNG data URIs. The section goes into the
 * shared report through `ReportInput.extraSections`. Ignored: recomputing anything (every number is
 * read from the entries, so the page cannot disagree with oasis-evaluation.json).
 */
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../core/atomic-write.js';
import { pngDataUri, renderPng } from '../io/png.js';
import type { ExampleMaps, OasisEvaluationEntry } from '../overlap/evaluate.js';
import { renderLineChart } from './charts.js';
import { escapeHtml } from './format.js';
import type { ReportSection } from './html.js';
import { renderVegaLite } from './vega-svg.js';

const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
const num = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));

/** ΔI median (line, points) and interquartile range (band as rules) per 1-keV bin, one colour per model. */
export function deltaIVsEnergySpec(entries: readonly OasisEvaluationEntry[]): TopLevelSpec {
  const rows = entries.flatMap((e) =>
    e.bins
      .filter((b) => b.medianDeltaI !== null)
      .map((b) => ({ model: e.name, energy: (b.loKeV + b.hiKeV) / 2, median: b.medianDeltaI, q25: b.q25DeltaI, q75: b.q75DeltaI, n: b.events })),
  );
  const color = { field: 'model', type: 'nominal', title: null, scale: { domain: entries.map((e) => e.name), scheme: 'tableau10' } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'ER intensity error ΔI vs true ER energy (median, IQR)',
    width: 520,
    height: 280,
    data: { values: rows },
    layer: [
      { mark: { type: 'rule', strokeWidth: 2, opacity: 0.5 }, encoding: { x: { field: 'energy', type: 'quantitative' }, y: { field: 'q25', type: 'quantitative' }, y2: { field: 'q75' }, color } },
      {
        mark: { type: 'line', point: { filled: true, size: 30 } },
        encoding: {
          x: { field: 'energy', type: 'quantitative', title: 'true ER energy, keV (bin centre)', scale: { domain: [4, 15] } },
          y: { field: 'median', type: 'quantitative', title: 'ΔI = (ΣER pred − ΣER true)/ΣER true', axis: { format: '%' } },
          color,
          tooltip: [{ field: 'model' }, { field: 'energy' }, { field: 'median', format: '.1%' }, { field: 'q25', format: '.1%' }, { field: 'q75', format: '.1%' }, { field: 'n' }],
        },
      },
      { data: { values: [{ y: 0 }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#666' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

export function oasisSummaryTableHtml(entries: readonly OasisEvaluationEntry[]): string {
  const head = ['model', 'ΔI 4–5 keV median', 'IQR', 'ΔI all median', 'IoU', 'NR-only FP', 'angle 68% (°)', 'train / test events', 'best epoch'];
  const rows = entries.map(
    (e) =>
      `<tr><td>${escapeHtml(e.name)}</td><td>${pct(e.medianDeltaI_4to5keV)}</td><td>${pct(e.iqrDeltaI_4to5keV)}</td><td>${pct(e.medianDeltaI)}</td>` +
      `<td>${num(e.iou)}</td><td>${pct(e.nrOnlyFpRate)}</td><td>${num(e.angleResolutionDeg, 1)}</td><td>${e.trainEvents} / ${e.testEvents}</td><td>${e.bestEpoch + 1}</td></tr>`,
  );
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** One example row: five PNGs sharing a display range per intensity (input alone), residual symmetric. */
export function examplePanelHtml(ex: ExampleMaps, name: string): string {
  const w = ex.box.x1 - ex.box.x0;
  const h = ex.box.y1 - ex.box.y0;
  const scale = Math.max(1, Math.min(6, Math.floor(240 / Math.max(w, h))));
  const maxOf = (a: Float32Array, f: (v: number) => number = (v) => v) => a.reduce((m, v) => Math.max(m, f(v)), 1); // no spread: crops can be large
  // the true ER sets the range (a poor prediction saturates instead of hiding the truth)
  const erMax = maxOf(ex.trueEr) > 1 ? maxOf(ex.trueEr) : maxOf(ex.predEr);
  const resMax = maxOf(ex.residual, Math.abs);
  const img = (data: Float32Array, caption: string, opts: Parameters<typeof renderPng>[1]) =>
    `<figure><img alt="${escapeHtml(caption)}" src="${pngDataUri(renderPng({ width: w, height: h, data }, { scale, ...opts }))}"><figcaption class="note">${escapeHtml(caption)}</figcaption></figure>`;
  return (
    `<div class="panel"><p>${escapeHtml(name)}: ${escapeHtml(ex.id)}, true ER ${ex.erEnergyKeV.toFixed(2)} keV</p><div class="charts">` +
    img(ex.input, 'input (log)', { colormap: 'magma', log: true }) +
    img(ex.predEr, `predicted ER (0–${erMax.toFixed(0)} ADU, the true ER's range)`, { colormap: 'viridis', min: 0, max: erMax }) +
    img(ex.trueEr, 'true ER (same range)', { colormap: 'viridis', min: 0, max: erMax }) +
    img(ex.predNr, 'predicted NR (log)', { colormap: 'magma', log: true }) +
    img(ex.residual, `residual pred − true ER (±${resMax.toFixed(0)} ADU)`, { colormap: 'coolwarm', min: -resMax, max: resMax }) +
    '</div></div>'
  );
}

/** The section for `extraSections`: table, ΔI chart, loss curves, panels; optionally its own title and an introductory paragraph (HTML-escaped). */
export async function oasisReportSection(
  entries: readonly OasisEvaluationEntry[],
  examples: ReadonlyMap<string, readonly ExampleMaps[]> = new Map(),
  options: { title?: string; intro?: string } = {},
): Promise<ReportSection> {
  const deltaChart = await renderVegaLite(deltaIVsEnergySpec(entries));
  const lossChart = await renderLineChart({
    title: 'OASIS training loss per epoch',
    xTitle: 'epoch',
    yTitle: 'loss',
    logY: true,
    series: entries.flatMap((e) => [
      { name: `${e.name} train`, points: e.history.map((h) => ({ x: h.epoch + 1, y: h.trainLoss })) },
      { name: `${e.name} validation`, points: e.history.map((h) => ({ x: h.epoch + 1, y: h.valLoss })) },
    ]),
  });
  const thr = entries[0]?.erThresholdAdu ?? 1;
  const fpThr = entries.find((e) => e.fpThresholdAdu !== null)?.fpThresholdAdu ?? null;
  const panels = entries.flatMap((e) => (examples.get(e.name) ?? []).map((ex) => examplePanelHtml(ex, e.name))).join('');
  const html =
    (options.intro ? `<p>${escapeHtml(options.intro)}</p>` : '') +
    oasisSummaryTableHtml(entries) +
    `<p class="note">ΔI per hybrid event in raw ADU inside the valid box; IoU of predicted ER pixels above ${thr} ADU vs true ER pixels (mean per event); ` +
    `NR-only false positives: predicted ΣER above ${fpThr === null ? 'the mean true ΣER of 3.6–4.4 keV ERs (none in this set)' : `${fpThr.toFixed(0)} ADU, the mean true ΣER of the set's 3.6–4.4 keV ERs`}; ` +
    `angle: 68% quantile of the angle between the principal axes of predicted and true ER.</p>` +
    `<div class="charts"><figure>${deltaChart}</figure><figure>${lossChart}</figure></div>` +
    (panels ? `<h3>Examples (lowest-energy hybrids ≥ 4 keV)</h3>${panels}` : '');
  return { title: options.title ?? 'Overlap separation (OASIS)', html };
}

/** A self-contained page holding only the OASIS section (what `oasis evaluate` writes). */
export function oasisReportPage(section: ReportSection, footer = ''): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(section.title)}</title>` +
    `<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}` +
    `.charts{display:flex;flex-wrap:wrap;gap:1em}.note{color:#555;font-size:12px}figure{margin:0}img{image-rendering:pixelated}</style></head>` +
    `<body><h1>${escapeHtml(section.title)}</h1>${section.html}<footer class="note">${escapeHtml(footer)}</footer></body></html>\n`
  );
}

export function writeOasisReport(path: string, section: ReportSection, footer = ''): void {
  writeFileAtomic(path, oasisReportPage(section, footer));
}
