/**
 * The self-contained HTML report of an evaluation: inline CSS, charts as inline SVG, panel images as
 * PNG data URIs — one file that opens anywhere, offline, and can be attached to a logbook entry.
 * In: ReportInput (evaluation results, provenance, optional extra sections). Out: the HTML text, or
 * the file written atomically. Ignores: recomputing anything; every number comes from the input.
 *
 * Sections: summary table, the three charts, example panels per method, near-zero-coverage events
 * per method, the caller's extra sections, provenance footer.
 */
import { evaluationSchema } from '../config/pipeline.js';
import { schemaDefaults } from '../config/resolve.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import type { EvaluationResult, ExamplePanel } from '../evaluation/evaluate-run.js';
import { REFERENCE_AREA_CUT, renderEvaluationCharts } from './charts.js';
import { escapeHtml, fixed } from './format.js';
import { panelHtml, type PanelOptions } from './panels.js';
import { lowCoverageTableHtml, provenanceHtml, summaryTableHtml, type ReportProvenance } from './tables.js';

export type { ReportProvenance } from './tables.js';

export interface ReportSection {
  title: string;
  /** Trusted HTML built by the caller (e.g. an SVG from renderLineChart); inserted as is. */
  html: string;
}

export interface ReportInput {
  title: string;
  evaluation: EvaluationResult;
  provenance: ReportProvenance;
  /** Sections added by later stages (training curves, overlap separation), placed before the footer. */
  extraSections?: ReportSection[];
  /** Area cut of the reference rule and summary column; default: provenance.config.evaluation.referenceAreaCut, else the schema's. */
  referenceAreaCut?: number;
  /** Energy range of the low-energy coverage, keV; default: provenance.config.evaluation.lowEnergyRange, else the schema's. */
  lowEnergyRange?: [number, number];
  panels?: PanelOptions;
  /** Rows per method in the near-zero-coverage list (default config/report.ts's lowCoverageRows; the full list is in events.csv). */
  maxLowCoverageRows?: number;
  /** Timestamp for the footer; left out by default so the same input gives the same bytes. */
  generatedAt?: string;
}

/** Reads an evaluation setting from a resolved pipeline config, if the provenance carries one. */
function fromConfig(config: unknown, key: 'referenceAreaCut' | 'lowEnergyRange'): unknown {
  if (typeof config !== 'object' || config === null) return undefined;
  const ev = (config as { evaluation?: unknown }).evaluation;
  return typeof ev === 'object' && ev !== null ? (ev as Record<string, unknown>)[key] : undefined;
}

function settings(input: ReportInput): { referenceAreaCut: number; lowEnergyRange: [number, number] } {
  const ref = input.referenceAreaCut ?? fromConfig(input.provenance.config, 'referenceAreaCut');
  const low = input.lowEnergyRange ?? fromConfig(input.provenance.config, 'lowEnergyRange');
  const isRange = (x: unknown): x is [number, number] => Array.isArray(x) && x.length === 2 && x.every((v) => typeof v === 'number');
  return {
    referenceAreaCut: typeof ref === 'number' ? ref : REFERENCE_AREA_CUT,
    lowEnergyRange: isRange(low) ? low : schemaDefaults(evaluationSchema).lowEnergyRange,
  };
}

/** Readable anchor ids from method names, made unique ("AE refined" and "ae-refined" both slug to ae-refined). */
function anchors(): (prefix: string, name: string) => string {
  const used = new Set<string>();
  return (prefix, name) => {
    const slug = `${prefix}-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'method'}`;
    let id = slug;
    for (let k = 2; used.has(id); k++) id = `${slug}-${k}`;
    used.add(id);
    return id;
  };
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0 auto;max-width:1280px;padding:1.5em;color:#222}
h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.2em;margin:2em 0 .6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
h3{font-size:1.05em;margin:1.4em 0 .5em}nav a{margin-right:1em}.lede{color:#555;margin:.2em 0 1em}
table{border-collapse:collapse;margin:.5em 0;font-size:13px}th,td{border:1px solid #ddd;padding:.25em .55em;vertical-align:top}
thead th{background:#f4f4f4;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.summary{display:block;overflow-x:auto}
.charts{display:flex;flex-wrap:wrap;gap:1.5em}.charts figure{margin:0}.charts svg{max-width:100%;height:auto}
figure.panel{margin:0 0 1.5em}.tiles{display:flex;flex-wrap:wrap;gap:.6em}
.tile{display:flex;flex-direction:column;align-items:center;font-size:12px;color:#555}
.tile img{width:300px;height:auto;image-rendering:pixelated;border:1px solid #ccc;background:#000}
figcaption{font-size:13px;margin-top:.4em}figcaption ul{margin:.2em 0;padding-left:1.3em}
figure.low-coverage figcaption strong{color:#b00}.note{color:#777;font-size:13px}
footer{margin-top:3em;border-top:1px solid #ddd;padding-top:.6em;font-size:12px;color:#555}
footer dl{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em}footer dd{margin:0}
pre{background:#f7f7f7;padding:.6em;overflow:auto;max-height:40em;font-size:12px}
`;

function panelsByMethod(evaluation: EvaluationResult): Map<string, ExamplePanel[]> {
  const groups = new Map<string, ExamplePanel[]>(evaluation.methods.map((m) => [m.name, []]));
  for (const p of evaluation.panels) {
    if (!groups.has(p.method)) groups.set(p.method, []); // a panel of a method without a summary row still shows
    groups.get(p.method)!.push(p);
  }
  return groups;
}

export async function renderReport(input: ReportInput): Promise<string> {
  const ev = input.evaluation;
  const cfg = settings(input);
  const charts = await renderEvaluationCharts(ev.methods, { referenceAreaCut: cfg.referenceAreaCut, range: cfg.lowEnergyRange });
  const extra = input.extraSections ?? [];
  const anchor = anchors();

  const nav = [
    ['summary', 'Summary'],
    ['charts', 'Charts'],
    ['panels', 'Example panels'],
    ['low-coverage', 'Near-zero coverage'],
    ...extra.map((s, i) => [`extra-${i}`, s.title]),
    ['provenance', 'Provenance'],
  ]
    .map(([id, label]) => `<a href="#${id}">${escapeHtml(label)}</a>`)
    .join('');

  const lede =
    `${ev.frames} frames, ${ev.events} events (${ev.containedEvents} pass the containment cut), ` +
    `analysis grid ${ev.analysisWidth}×${ev.analysisHeight}, preprocessing ${fixed(ev.msPerFramePreprocess, 1)} ms/frame.`;

  const chart = (svg: string, caption: string) => `<figure>${svg}<figcaption class="note">${escapeHtml(caption)}</figcaption></figure>`;
  const chartsHtml =
    '<div class="charts">' +
    chart(charts.coverageVsAreaCut, 'Mean coverage over contained events vs mean area cut per frame, sweeping τ; the diamond is the operating τ. Sweep points left of the axis are clipped.') +
    chart(charts.coverageVsEnergy, 'Median coverage per energy bin at the operating τ; n = contained events in the bin.') +
    chart(charts.lowEnergyCoverage, `Mean coverage of the ${cfg.lowEnergyRange[0]}–${cfg.lowEnergyRange[1]} keV events along the τ sweep.`) +
    '</div>';

  const panelGroups = [...panelsByMethod(ev)]
    .map(([method, panels]) => {
      const body = panels.length ? panels.map((p) => panelHtml(p, input.panels)).join('') : '<p class="note">no panels</p>';
      return `<h3 id="${anchor('panels', method)}">${escapeHtml(method)}</h3>${body}`;
    })
    .join('');

  const lowLists = ev.methods
    .map(
      (m) =>
        `<h3 id="${anchor('low', m.name)}">${escapeHtml(m.name)} <span class="note">(${m.lowCoverageEvents.length} of ${m.events} events)</span></h3>` +
        lowCoverageTableHtml(m.lowCoverageEvents, input.maxLowCoverageRows),
    )
    .join('');

  const extraHtml = extra.map((s, i) => `<section id="extra-${i}"><h2>${escapeHtml(s.title)}</h2>${s.html}</section>`).join('');

  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(input.title)}</title><style>${STYLE}</style></head><body>\n` +
    `<header><h1>${escapeHtml(input.title)}</h1><p class="lede">${escapeHtml(lede)}</p><nav>${nav}</nav></header>\n` +
    `<section id="summary"><h2>Summary</h2>${summaryTableHtml(ev.methods, cfg)}</section>\n` +
    `<section id="charts"><h2>Charts</h2>${chartsHtml}</section>\n` +
    `<section id="panels"><h2>Example panels</h2>${panelGroups}</section>\n` +
    `<section id="low-coverage"><h2>Near-zero coverage events</h2>${lowLists}</section>\n` +
    extraHtml +
    `\n<footer id="provenance"><h2>Provenance</h2>${provenanceHtml(input.provenance, input.generatedAt)}</footer>\n` +
    '</body></html>\n'
  );
}

/** Renders and writes the report; the file appears complete or not at all. */
export async function writeReport(path: string, input: ReportInput): Promise<void> {
  writeFileAtomic(path, await renderReport(input));
}
