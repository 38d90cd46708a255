/**
 * Report stage, the end of the data flow (study, demo and cli only orchestrate). In: the evaluation
 * results (per-method summaries, τ sweeps, energy bins, near-zero-coverage events, example panels)
 * and their provenance. Out: one self-contained HTML file — summary table, Vega-Lite charts rendered
 * to inline SVG, panel images as PNG data URIs, provenance footer. Ignores: recomputing anything —
 * every number shown is read from the results, so the report can never disagree with evaluation.json.
 *
 * Other features add their own sections through `extraSections` (e.g. `renderLineChart` for training
 * loss curves) instead of forking the page; the overlap-separation section is oasis-section.ts, which
 * reads the overlap stage's evaluation entries.
 */
export { renderReport, writeReport, type ReportInput, type ReportSection, type ReportProvenance } from './html.js';
export {
  REFERENCE_AREA_CUT,
  areaCutDomain,
  binCentre,
  coverageVsAreaCutSpec,
  coverageVsEnergySpec,
  lowEnergyCoverageSpec,
  lineChartSpec,
  renderEvaluationCharts,
  renderLineChart,
  type AreaCutChartOptions,
  type ChartSize,
  type EvaluationCharts,
  type LineChartInput,
  type LineSeries,
  type LowEnergyChartOptions,
} from './charts.js';
export { renderVegaLite, roundSvgNumbers } from './vega-svg.js';
export { panelHtml, panelImages, panelCaptionHtml, type PanelImages, type PanelOptions } from './panels.js';
export { summaryTableHtml, lowCoverageTableHtml, provenanceHtml } from './tables.js';
export { escapeHtml } from './format.js';
export { deltaIVsEnergySpec, examplePanelHtml, oasisReportPage, oasisReportSection, oasisSummaryTableHtml, writeOasisReport } from './oasis-section.js';
