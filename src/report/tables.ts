/**
 * The report's HTML tables: the method summary, the near-zero-coverage events of one method, and the
 * provenance footer.
 * In: MethodResult / EventResult values and the provenance record. Out: HTML fragments, every text
 * value escaped. Ignores: the per-event list of all events (events.csv holds it).
 */
import { REPORT_DEFAULTS } from '../config/report.js';
import type { EventResult, MethodResult } from '../evaluation/evaluate-run.js';
import { escapeHtml, fixed, keV, pct, sci, sig } from './format.js';

export interface ReportProvenance {
  tool: string;
  version: string;
  seed?: number | string;
  command?: string;
  /** Resolved configuration (any JSON value); shown collapsed. */
  config?: unknown;
}

const cell = (text: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</td>`;
const num = (text: string) => cell(text, 'num');

export interface SummaryOptions {
  referenceAreaCut: number;
  lowEnergyRange: [number, number];
}

/** One row per method; numbers right-aligned, missing values as "–". */
export function summaryTableHtml(methods: MethodResult[], opts: SummaryOptions): string {
  const [lo, hi] = opts.lowEnergyRange;
  const heads: [string, string][] = [
    ['method', ''],
    ['description', ''],
    ['τ', 'operating threshold'],
    ['mean coverage', 'mean signal-intensity coverage over contained events'],
    ['median coverage', ''],
    ['mean area cut', '1 − A_ROI / A_image, mean over frames'],
    [`coverage at ${pct(opts.referenceAreaCut)} area cut`, 'interpolated along the τ sweep'],
    [`${lo}–${hi} keV coverage`, `mean coverage of contained events with ${lo} ≤ E < ${hi} keV`],
    ['events', 'contained events'],
    ['ROIs / frame', ''],
    ['ms/frame score', 'wall clock per frame of the score (batched as run)'],
    ['ms/frame model', 'learned scores: the ONNX Runtime forward pass alone, part of the score time'],
    ['ms/frame ROI', 'threshold, closing and labelling per frame'],
    ['calibrated τ whole / interior', 'τ retaining the target pedestal fraction over the whole grid / with the border excluded'],
    ['pedestal kept at τ whole: whole / interior', 'fraction of pedestal pixels inside ROIs at the whole-grid τ, whole grid / interior only'],
  ];
  const head = `<tr>${heads.map(([h, t]) => `<th${t ? ` title="${escapeHtml(t)}"` : ''}>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const rows = methods.map((m) => {
    const c = m.calibration;
    return (
      '<tr>' +
      `<th scope="row">${escapeHtml(m.name)}</th>` +
      cell(m.description) +
      num(sig(m.tau)) +
      num(pct(m.meanCoverage)) +
      num(pct(m.medianCoverage)) +
      num(pct(m.meanAreaCut, 2)) +
      num(pct(m.coverageAtReferenceCut)) +
      num(pct(m.lowEnergyCoverage)) +
      num(String(m.events)) +
      num(fixed(m.meanRoisPerFrame, 2)) +
      num(fixed(m.msPerFrame.score, 1)) +
      num(m.msPerFrame.model === undefined ? '–' : fixed(m.msPerFrame.model, 1)) +
      num(fixed(m.msPerFrame.roi, 1)) +
      num(c ? `${sig(c.whole.tau)} / ${sig(c.interior.tau)}` : '–') +
      num(c ? `${sci(c.whole.fraction)} / ${sci(c.whole.interiorFraction)}` : '–') +
      '</tr>'
    );
  });
  return `<table class="summary"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The near-zero-coverage events of one method, lowest coverage first, at most `limit` rows (report.lowCoverageRows). */
export function lowCoverageTableHtml(events: EventResult[], limit = REPORT_DEFAULTS.lowCoverageRows): string {
  if (events.length === 0) return '<p class="note">none</p>';
  const shown = events.slice(0, limit);
  const rows = shown.map(
    (e) => `<tr>${cell(e.frame)}${num(String(e.id))}${cell(e.type)}${num(keV(e.energyKeV))}${num(pct(e.coverage))}</tr>`,
  );
  const more = events.length > limit ? `<p class="note">… and ${events.length - limit} more (see events.csv)</p>` : '';
  return (
    '<table class="events"><thead><tr><th>frame</th><th>event</th><th>type</th><th>energy</th><th>coverage</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>${more}`
  );
}

/** Tool, version, seed, command line, and the resolved config in a collapsed <details>. */
export function provenanceHtml(p: ReportProvenance, generatedAt?: string): string {
  const items: [string, string][] = [['tool', `${p.tool} ${p.version}`]];
  if (p.seed !== undefined) items.push(['seed', String(p.seed)]);
  if (p.command !== undefined) items.push(['command', p.command]);
  if (generatedAt !== undefined) items.push(['generated', generatedAt]);
  const dl = `<dl>${items.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd><code>${escapeHtml(v)}</code></dd>`).join('')}</dl>`;
  const config =
    p.config === undefined
      ? ''
      : `<details><summary>configuration (JSON)</summary><pre>${escapeHtml(JSON.stringify(p.config, null, 2))}</pre></details>`;
  return dl + config;
}
