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
import { imageSize } from './batch.js';
import { invertScaling, scaledChannels, type OverlapSample, type PixelBox } from '../core/overlap-sample.js';
import { eventMetrics, summarizeMetrics, type EnergyBin, type EventMetrics, type MetricsSummary } from './metrics.js';
import type { OasisModelMeta } from './model-dir.js';

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

/** Predicted ER and NR maps of `samples`, raw ADU [H·W] each, in batches; `each` sees them one at a time. */
export function predictRaw(model: LayersModel, samples: readonly OverlapSample[], batchSize: number, each: (i: number, er: Float32Array, nr: Float32Array) => void): void {
  const { width, height } = imageSize(samples);
  const px = width * height;
  for (let s = 0; s < samples.length; s += batchSize) {
    const batch = samples.slice(s, s + batchSize);
    const input = new Float32Array(batch.length * px);
    batch.forEach((sample, k) => input.set(scaledChannels(sample).input, k * px));
    const out = tf.tidy(() => model.predict(tf.tensor4d(input, [batch.length, height, width, 1])) as tf.Tensor); // [n, H, W, 2]
    const data = out.dataSync() as Float32Array;
    out.dispose();
    batch.forEach((sample, k) => {
      const er = new Float32Array(px);
      const nr = new Float32Array(px);
      // scaled targets lie in [0, 1] by construction (divided by their common maximum); an
      // undertrained head can overshoot, and 10^(y·max) then explodes into absurd ADU, so clamp
      for (let i = 0; i < px; i++) {
        er[i] = Math.min(1, data[2 * (k * px + i)]);
        nr[i] = Math.min(1, data[2 * (k * px + i) + 1]);
      }
      each(s + k, invertScaling(er, sample.factors), invertScaling(nr, sample.factors));
    });
  }
}

/** The valid box padded by `pad` px and clipped: what an example panel shows. */
function cropBox(sample: OverlapSample, pad: number): PixelBox {
  const b = sample.valid;
  return { x0: Math.max(0, b.x0 - pad), y0: Math.max(0, b.y0 - pad), x1: Math.min(sample.width, b.x1 + pad), y1: Math.min(sample.height, b.y1 + pad) };
}

function crop(img: Float32Array, width: number, b: PixelBox): Float32Array {
  const w = b.x1 - b.x0;
  const out = new Float32Array(w * (b.y1 - b.y0));
  for (let y = b.y0; y < b.y1; y++) out.set(img.subarray(y * width + b.x0, y * width + b.x1), (y - b.y0) * w);
  return out;
}

/**
 * Example events: the `count` lowest-energy hybrids at or above 4 keV (the hard case the spec singles
 * out), in test-set order among equals; fewer if the set has fewer.
 */
export function exampleIndices(samples: readonly OverlapSample[], count: number): number[] {
  return samples
    .map((s, i) => ({ i, e: s.erEnergyKeV, ok: s.kind === 'hybrid' && s.erEnergyKeV >= 4 }))
    .filter((x) => x.ok)
    .sort((a, b) => a.e - b.e || a.i - b.i)
    .slice(0, count)
    .map((x) => x.i);
}

export interface EvaluateOptions {
  model: LayersModel;
  meta: Pick<OasisModelMeta, 'preset' | 'base' | 'seed' | 'trainEvents' | 'validationEvents' | 'bestEpoch' | 'history'>;
  samples: readonly OverlapSample[];
  name?: string;
  /**
   * Samples per forward pass, samples: a performance setting (memory against call overhead), not a
   * choice about the result, hence an internal constant (8) rather than a config key.
   */
  batchSize?: number;
  /** Example maps kept for the report; default config/report.ts's oasisExamples. */
  examples?: number;
}

export function evaluateOasisModel(o: EvaluateOptions): OasisModelEvaluation {
  const events: EventMetrics[] = [];
  const wanted = new Set(exampleIndices(o.samples, o.examples ?? REPORT_DEFAULTS.oasisExamples));
  const examples: ExampleMaps[] = [];
  predictRaw(o.model, o.samples, o.batchSize ?? 8, (i, er, nr) => {
    const s = o.samples[i];
    events.push(eventMetrics(s, er));
    if (!wanted.has(i)) return;
    const box = cropBox(s, 8);
    const predEr = crop(er, s.width, box);
    const trueEr = crop(s.er, s.width, box);
    examples.push({ id: s.id, erEnergyKeV: s.erEnergyKeV, box, input: crop(s.input, s.width, box), predEr, trueEr, predNr: crop(nr, s.width, box), residual: predEr.map((v, k) => v - trueEr[k]) });
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
    testEvents: o.samples.length,
    base: m.base,
    parameters: o.model.countParams(),
    seed: m.seed,
    bestEpoch: m.bestEpoch,
    history: m.history.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, valLoss: h.valLoss })),
  };
  return { entry, events, examples };
}

/** oasis-evaluation.json: the entries plus provenance. */
export function writeOasisEvaluation(path: string, entries: readonly OasisEvaluationEntry[], provenance: Record<string, unknown> = {}): void {
  writeJsonAtomic(path, { format: 'tpcvision-oasis-evaluation/1', version: toolVersion(), ...provenance, entries });
}
