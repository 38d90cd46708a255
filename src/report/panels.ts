/**
 * Example panels of the report (spec "Low-coverage inspection": original frame, ROI mask, reference
 * pixels overlaid), one figure per ExamplePanel of the evaluation.
 * In: ExamplePanel (analysis map, anomaly score, closed ROI mask, truth mask, row-major [height, width]).
 * Out: three PNG data URIs — the frame in gray, the anomaly map in a perceptual colour map, the ROI
 * mask over the dimmed frame with the truth pixels in a second colour — and an escaped HTML figure.
 * Ignores: the events' own pixel lists (the truth mask already holds them) and the absolute scale of
 * the score (each map is scaled robustly on its own; the caption states the range).
 * Rendering (percentile ranges, colour maps, block reduction, mask blending) is src/io/png.ts.
 */
import { REPORT_DEFAULTS } from '../config/report.js';
import type { ExamplePanel } from '../evaluation/evaluate-run.js';
import { displayRange, pngDataUri, renderOverlayPng, renderPng, type Rgb } from '../io/png.js';
import { escapeHtml, keV, pct, sig } from './format.js';

export interface PanelOptions {
  /** Widest image in the page, px; wider panels are block-reduced (default config/report.ts's panelMaxWidth). */
  maxWidth?: number;
  /** Colour map of the anomaly score (default config/report.ts's scoreColormap). */
  scoreColormap?: 'viridis' | 'magma';
}

/** ROI translucent cyan, truth nearly opaque orange: told apart also with the common colour-vision deficiencies. */
const ROI_COLOR: Rgb = [0, 190, 255];
const TRUTH_COLOR: Rgb = [255, 110, 0];
/** Robust range: 1st–99.5th percentile, so hot pixels or one bright track do not flatten the pedestal. */
const PERCENTILES = [1, 99.5] as const;

export interface PanelImages {
  frame: string;
  anomaly: string;
  roi: string;
  /** Size of the images, px (after block reduction). */
  width: number;
  height: number;
  /** Block-reduction factor applied (1 = full analysis resolution). */
  factor: number;
  scoreRange: { min: number; max: number };
}

/** Width and height from the IHDR chunk, which always follows the 8-byte PNG signature. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

export function panelImages(panel: ExamplePanel, opts: PanelOptions = {}): PanelImages {
  const { width, height } = panel;
  const n = width * height;
  for (const [name, arr] of [['analysis', panel.analysis], ['score', panel.score], ['mask', panel.mask], ['truth', panel.truth]] as const) {
    if (arr.length !== n) {
      throw new Error(`report panel ${panel.method} / ${panel.frame}: ${name} holds ${arr.length} values, expected ${width}×${height} = ${n}`);
    }
  }
  const maxWidth = opts.maxWidth ?? REPORT_DEFAULTS.panelMaxWidth;
  const frame = { width, height, data: panel.analysis };
  const score = { width, height, data: panel.score };
  const frameRange = displayRange(panel.analysis, { percentiles: PERCENTILES });
  const scoreRange = displayRange(panel.score, { percentiles: PERCENTILES });

  const framePng = renderPng(frame, { colormap: 'gray', ...frameRange, maxWidth });
  // 'max' keeps a thin bright ridge of the score visible when a large map is shrunk
  const anomalyPng = renderPng(score, { colormap: opts.scoreColormap ?? REPORT_DEFAULTS.scoreColormap, ...scoreRange, maxWidth, downsample: 'max' });
  // the ROI picture keeps the frame underneath, dimmed (range stretched 1.6×) so the overlays stand out
  const roiPng = renderOverlayPng(frame, {
    min: frameRange.min,
    max: frameRange.min + 1.6 * (frameRange.max - frameRange.min),
    maxWidth,
    masks: [
      { mask: panel.mask, color: ROI_COLOR, alpha: 0.45 },
      { mask: panel.truth, color: TRUTH_COLOR, alpha: 0.85 },
    ],
  });
  const size = pngSize(framePng);
  return {
    frame: pngDataUri(framePng),
    anomaly: pngDataUri(anomalyPng),
    roi: pngDataUri(roiPng),
    ...size,
    factor: Math.round(width / size.width) || 1,
    scoreRange,
  };
}

/** Caption: method, frame, τ, why the panel was drawn, and each event with type, energy, coverage. */
export function panelCaptionHtml(panel: ExamplePanel, images?: Pick<PanelImages, 'factor' | 'scoreRange'>): string {
  const why = panel.reason === 'low-coverage' ? 'near-zero coverage' : 'example';
  const head =
    `<strong>${escapeHtml(panel.method)}</strong> · frame <code>${escapeHtml(panel.frame)}</code> · τ = ${escapeHtml(sig(panel.tau))} · ${why}` +
    (images && images.factor > 1 ? ` · shown at 1/${images.factor} resolution (block max for score and masks)` : '') +
    (images ? ` · score colours span ${escapeHtml(sig(images.scoreRange.min, 3))} to ${escapeHtml(sig(images.scoreRange.max, 3))}` : '');
  const events = panel.events.length
    ? `<ul class="events">${panel.events
        .map((e) => `<li>event ${escapeHtml(e.id)}: ${escapeHtml(e.type)}, ${escapeHtml(keV(e.energyKeV))}, coverage ${escapeHtml(pct(e.coverage))}</li>`)
        .join('')}</ul>`
    : '<p>no events in this frame</p>';
  return `${head}${events}`;
}

/** One <figure> with the three images side by side and the caption. */
export function panelHtml(panel: ExamplePanel, opts: PanelOptions = {}): string {
  const img = panelImages(panel, opts);
  const alt = `${panel.method} ${panel.frame}`;
  const tile = (src: string, label: string) =>
    `<div class="tile"><img src="${src}" width="${img.width}" height="${img.height}" alt="${escapeHtml(`${label}, ${alt}`)}"><span>${escapeHtml(label)}</span></div>`;
  return (
    `<figure class="panel ${panel.reason}">` +
    `<div class="tiles">${tile(img.frame, 'frame')}${tile(img.anomaly, 'anomaly score')}${tile(img.roi, 'ROI (cyan) and truth (orange)')}</div>` +
    `<figcaption>${panelCaptionHtml(panel, img)}</figcaption></figure>`
  );
}
