/**
 * `oasis evaluate` as a library call: load each model directory, evaluate it on the same test
 * samples, write OUT/oasis-evaluation.json and OUT/oasis-report.html, return the entries and the
 * report section (for the shared report's extraSections).
 *
 * In: model directories (overlap/train.ts output), prepared test samples, an output directory. Out: the two
 * files and `{ entries, section }`. Models keep their preset as name; a repeated preset gets the
 * directory name appended. Ignored: backend choice (the caller selects it first).
 */
import { basename, join, resolve } from 'node:path';
import type { Progress } from '../core/progress.js';
import { silentProgress } from '../core/progress.js';
import { toolVersion } from '../core/version.js';
import type { OverlapSample, PixelBox } from '../core/overlap-sample.js';
import type { CompactSample } from '../overlap/window.js';
import { evaluateOasisModel, writeOasisEvaluation, type ExampleMaps, type OasisEvaluationEntry } from '../overlap/evaluate.js';
import { loadOasisModel, readOasisMeta } from '../overlap/model-dir.js';
import type { ReportSection } from '../report/index.js';
import { oasisReportSection, writeOasisReport } from '../report/oasis-section.js';

export interface OasisEvaluateRunOptions {
  modelDirs: string[];
  samples: readonly (OverlapSample | CompactSample)[];
  outDir: string;
  /** Recorded in the JSON (e.g. the test file and its provenance). */
  data?: unknown;
  examples?: number;
  /** Where windowed models' windows are centred, overriding each model's config. */
  windowBox?: 'input' | 'valid';
  /** Boxes given with the samples by id (io/box-file.ts): windows centred on them. */
  boxes?: ReadonlyMap<string, PixelBox>;
  /** Labels of the models, one per directory (default: the preset, + the directory name when repeated). */
  names?: string[];
  /** Title and introduction of the report section (report/oasis-section.ts). */
  section?: { title?: string; intro?: string };
  progress?: Progress;
  log?: (line: string) => void;
}

export interface OasisEvaluateRunResult {
  entries: OasisEvaluationEntry[];
  section: ReportSection;
  json: string;
  html: string;
}

export async function evaluateOasisRun(o: OasisEvaluateRunOptions): Promise<OasisEvaluateRunResult> {
  const progress = o.progress ?? silentProgress;
  const log = o.log ?? (() => {});
  const presets = o.modelDirs.map((d) => readOasisMeta(d).preset);
  const entries: OasisEvaluationEntry[] = [];
  const examples = new Map<string, ExampleMaps[]>();
  progress.start(o.modelDirs.length, 'oasis evaluate');
  o.modelDirs.forEach((dir, k) => {
    const repeated = presets.filter((p) => p === presets[k]).length > 1;
    const name = o.names?.[k] ?? (repeated ? `${presets[k]} (${basename(resolve(dir))})` : presets[k]);
    const { width, height } = o.samples[0];
    const { model, meta } = loadOasisModel(dir, { width, height });
    const r = evaluateOasisModel({ model, meta, samples: o.samples, name, examples: o.examples, windowBox: o.windowBox, boxes: o.boxes });
    model.dispose();
    entries.push(r.entry);
    examples.set(name, r.examples);
    const e = r.entry;
    log(`${name}: ΔI(4–5 keV) median ${fmt(e.medianDeltaI_4to5keV)} IQR ${fmt(e.iqrDeltaI_4to5keV)}, IoU ${e.iou?.toFixed(3) ?? '—'}, NR-only FP ${fmt(e.nrOnlyFpRate)}`);
    progress.tick(1);
  });
  progress.stop();
  const section = await oasisReportSection(entries, examples, o.section);
  const json = join(o.outDir, 'oasis-evaluation.json');
  const html = join(o.outDir, 'oasis-report.html');
  writeOasisEvaluation(json, entries, { models: o.modelDirs.map((d) => resolve(d)), data: o.data ?? null });
  writeOasisReport(html, section, `tpcvision ${toolVersion()} · models: ${o.modelDirs.join(', ')}`);
  return { entries, section, json, html };
}

const fmt = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
