/**
 * Evaluation of trained overlap-separation models on a test set (spec overlap-separation.md,
 * "Metrics"): run the model, undo the scaling per sample, compute the per-event metrics and their
 * summaries, keep a few example panels for the report.
 *
 * In: a model (and its oasis-model.json facts) and prepared test samples of the model's image size.
 * Out: one `OasisEvaluationEntry` per model (the rows of oasis-evaluation.json), the per-event
 * metrics, and example maps (raw ADU crops around the valid box) for the report's panels.
 * Ignored: training (train.ts), the HTML (report.ts), backend selection (the CLI's business).
 */
import { REPORT_DEFAULTS } from '../config/report.js';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { writeJsonAtomic } from '../core/atomic-write.js';
import { toolVersion } from '../core/version.js';
import { InputError } from '../core/errors.js';
import { asCompact, imageSize, windowInput } from './batch.js';
import { invertScaling, type OverlapSample, type PixelBox } from '../core/overlap-sample.js';
import { oasisWindowSchema, type OasisWindowConfig } from '../config/oasis.js';
import { schemaDefaults } from '../config/resolve.js';
import { inferenceBox } from './event-box.js';
import { eventMetrics, summarizeMetrics, type EnergyBin, type EventMetrics, type MetricsSummary } from './metrics.js';
import type { OasisModelMeta } from './model-dir.js';
import { boxHeight, boxWidth, centredWindow, intersect, renderRegion, windowBox, type CompactSample, type WindowOrigin, type WindowSize } from './window.js';

export interface OasisEvaluationEntry extends Omit<MetricsSummary, 'bins'> {
  preset: string;
  /** Label of the model in tables and charts (the preset, or preset + directory when repeated). */
  name: string;
  trainEvents: number;
  validationEvents: number;
  testEvents: number;
  base: number;
  parameters: number;
  seed: number;
  bestEpoch: number;
  /** The window the model saw (null: whole frames) and where it was centred at inference. */
  window: WindowSize | null;
  /** 'given': boxes given with the samples (`oasis evaluate --boxes`). */
  windowBox: OasisWindowConfig['box'] | 'given' | null;
  /** Test events whose valid box did not lie wholly inside their inference window (predictions outside it are 0). */
  eventsCutByWindow: number;
  bins: EnergyBin[];
  /** Loss curves of the training run (per epoch). */
  history: { epoch: number; trainLoss: number; valLoss: number }[];
}

export interface ExampleMaps {
  id: string;
  erEnergyKeV: number;
  box: PixelBox; // crop, in image px
  /** Crops [box.h·box.w], raw ADU. */
  input: Float32Array;
  predEr: Float32Array;
  trueEr: Float32Array;
  predNr: Float32Array;
  /** pred ER − true ER. */
  residual: Float32Array;
}

export interface OasisModelEvaluation {
  entry: OasisEvaluationEntry;
  events: EventMetrics[];
  examples: ExampleMaps[];
}

/** Predicted maps of one sample, raw ADU over `region` (the window, in frame px) [h·w]. */
export interface WindowPrediction {
  region: PixelBox;
  er: Float32Array;
  nr: Float32Array;
}

/**
 * Predicted ER and NR maps of `samples` over each one's window (`origins[i]`, size `win` = the model's
 * input), raw ADU, in batches; `each` sees them one at a time.
 */
export function predictRaw(model: LayersModel, samples: readonly CompactSample[], origins: readonly WindowOrigin[], win: WindowSize, batchSize: number, each: (i: number, p: WindowPrediction) => void): void {
  const px = win.width * win.height;
  for (let s = 0; s < samples.length; s += batchSize) {
    const batch = samples.slice(s, s + batchSize);
    const input = new Float32Array(batch.length * px);
    batch.forEach((c, k) => input.set(windowInput(c, origins[s + k], win), k * px));
    const out = tf.tidy(() => model.predict(tf.tensor4d(input, [batch.length, win.height, win.width, 1])) as tf.Tensor); // [n, h, w, 2]
    const data = out.dataSync() as Float32Array;
    out.dispose();
    batch.forEach((c, k) => {
      const er = new Float32Array(px);
      const nr = new Float32Array(px);
      // scaled targets lie in [0, 1] by construction (divided by their common maximum); an
      // undertrained head can overshoot, and 10^(y·max) then explodes into absurd ADU, so clamp
      for (let i = 0; i < px; i++) {
        er[i] = Math.min(1, data[2 * (k * px + i)]);
        nr[i] = Math.min(1, data[2 * (k * px + i) + 1]);
      }
      each(s + k, { region: windowBox(origins[s + k], win), er: invertScaling(er, c.factors), nr: invertScaling(nr, c.factors) });
    });
  }
}

/** A window's map placed on `target` (frame px): the overlap copied, 0 elsewhere. */
export function placeOn(map: Float32Array, region: PixelBox, target: PixelBox): Float32Array {
  const tw = boxWidth(target);
  const rw = boxWidth(region);
  const out = new Float32Array(tw * boxHeight(target));
  const o = intersect(region, target);
  for (let y = o.y0; y < o.y1 && o.x0 < o.x1; y++) {
    const from = (y - region.y0) * rw + (o.x0 - region.x0);
    out.set(map.subarray(from, from + o.x1 - o.x0), (y - target.y0) * tw + (o.x0 - target.x0));
  }
  return out;
}

/** The sample restricted to its valid box, as metrics.ts reads samples (metrics never look outside it). */
function boxView(c: CompactSample): OverlapSample {
  const w = boxWidth(c.valid);
  const h = boxHeight(c.valid);
  const { outsideIndex: _i, outsideValue: _v, ...rest } = c;
  return { ...rest, width: w, height: h, valid: { x0: 0, y0: 0, x1: w, y1: h } };
}

/** The valid box padded by `pad` px and clipped: what an example panel shows. */
function cropBox(sample: CompactSample, pad: number): PixelBox {
  const b = sample.valid;
  return { x0: Math.max(0, b.x0 - pad), y0: Math.max(0, b.y0 - pad), x1: Math.min(sample.width, b.x1 + pad), y1: Math.min(sample.height, b.y1 + pad) };
}

/**
 * Example events: the `count` lowest-energy hybrids at or above 4 keV (the hard case the spec singles
 * out), in test-set order among equals; fewer if the set has fewer.
 */
export function exampleIndices(samples: readonly { kind: string; erEnergyKeV: number }[], count: number): number[] {
  return samples
    .map((s, i) => ({ i, e: s.erEnergyKeV, ok: s.kind === 'hybrid' && s.erEnergyKeV >= 4 }))
    .filter((x) => x.ok)
    .sort((a, b) => a.e - b.e || a.i - b.i)
    .slice(0, count)
    .map((x) => x.i);
}

export interface EvaluateOptions {
  model: LayersModel;
  /** window: absent or null = a whole-frame model; config.window: where its windows go (default config/oasis.ts's). */
  meta: Pick<OasisModelMeta, 'preset' | 'base' | 'seed' | 'trainEvents' | 'validationEvents' | 'bestEpoch' | 'history'> &
    Partial<Pick<OasisModelMeta, 'window'>> & { config?: { window: OasisWindowConfig | null } };
  samples: readonly (OverlapSample | CompactSample)[];
  name?: string;
  /**
   * Samples per forward pass, samples: a performance setting (memory against call overhead), not a
   * choice about the result, hence an internal constant (8) rather than a config key.
   */
  batchSize?: number;
  /** Example maps kept for the report; default config/report.ts's oasisExamples. */
  examples?: number;
  /** Where inference windows are centred, overriding the model's config ('valid': the sample's box). */
  windowBox?: OasisWindowConfig['box'];
  /** Boxes given with the samples by id (io/box-file.ts): windows centred on them; overrides windowBox. */
  boxes?: ReadonlyMap<string, PixelBox>;
}

/**
 * The inference windows of a model: whole frames (the model built at the samples' common size), or
 * windows of the model's size centred on each sample's inference box (event-box.ts).
 */
export function inferenceWindows(
  samples: readonly CompactSample[],
  meta: EvaluateOptions['meta'],
  boxOverride?: OasisWindowConfig['box'],
  given?: ReadonlyMap<string, PixelBox>,
): { win: WindowSize; origins: WindowOrigin[]; box: OasisWindowConfig['box'] | 'given' | null } {
  const window = meta.window ?? null;
  if (window === null) {
    const { width, height } = imageSize(samples);
    return { win: { width, height }, origins: samples.map(() => ({ x: 0, y: 0 })), box: null };
  }
  if (given) {
    const missing = samples.filter((c) => !given.has(c.id));
    if (missing.length) throw new InputError('boxes', `no box for ${missing.length} of ${samples.length} samples (first: '${missing[0].id}'): every sample needs one`);
    return { win: window, origins: samples.map((c) => centredWindow(c, given.get(c.id)!, window)), box: 'given' };
  }
  const w = { ...(meta.config?.window ?? schemaDefaults(oasisWindowSchema)) };
  if (boxOverride) w.box = boxOverride;
  return { win: window, origins: samples.map((c) => centredWindow(c, inferenceBox(c, w, window), window)), box: w.box };
}

export function evaluateOasisModel(o: EvaluateOptions): OasisModelEvaluation {
  const samples = asCompact(o.samples);
  const events: EventMetrics[] = [];
  const wanted = new Set(exampleIndices(samples, o.examples ?? REPORT_DEFAULTS.oasisExamples));
  const examples: ExampleMaps[] = [];
  const { win, origins, box } = inferenceWindows(samples, o.meta, o.windowBox, o.boxes);
  let cut = 0;
  predictRaw(o.model, samples, origins, win, o.batchSize ?? 8, (i, p) => {
    const c = samples[i];
    const inside = intersect(c.valid, p.region);
    if (boxWidth(inside) * boxHeight(inside) < boxWidth(c.valid) * boxHeight(c.valid)) cut++;
    events.push(eventMetrics(boxView(c), placeOn(p.er, p.region, c.valid)));
    if (!wanted.has(i)) return;
    const b = cropBox(c, 8);
    const predEr = placeOn(p.er, p.region, b);
    const trueEr = renderRegion(c, b, 'er');
    examples.push({ id: c.id, erEnergyKeV: c.erEnergyKeV, box: b, input: renderRegion(c, b, 'input'), predEr, trueEr, predNr: placeOn(p.nr, p.region, b), residual: predEr.map((v, k) => v - trueEr[k]) });
  });
  examples.sort((a, b) => a.erEnergyKeV - b.erEnergyKeV);
  const summary = summarizeMetrics(events);
  const m = o.meta;
  const entry: OasisEvaluationEntry = {
    preset: m.preset,
    name: o.name ?? m.preset,
    ...summary,
    trainEvents: m.trainEvents,
    validationEvents: m.validationEvents,
    testEvents: samples.length,
    base: m.base,
    parameters: o.model.countParams(),
    seed: m.seed,
    bestEpoch: m.bestEpoch,
    window: m.window ?? null,
    windowBox: box,
    eventsCutByWindow: cut,
    history: m.history.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, valLoss: h.valLoss })),
  };
  return { entry, events, examples };
}

/** oasis-evaluation.json: the entries plus provenance. */
export function writeOasisEvaluation(path: string, entries: readonly OasisEvaluationEntry[], provenance: Record<string, unknown> = {}): void {
  writeJsonAtomic(path, { format: 'tpcvision-oasis-evaluation/1', version: toolVersion(), ...provenance, entries });
}
