/**
 * One method on one batch of frames, in the steps of the spec's protocol: score the batch, then per
 * frame form the ROIs at the operating τ (timed as the trigger would run it), record every event's
 * coverage, add the frame to each point of the τ sweep, and keep the frame as an example panel if
 * the method still wants one. Everything a method accumulates over the run lives in its MethodState.
 */
import type { EvaluationConfig } from '../config/pipeline.js';
import { extractRois, type ClosedMask } from '../roi/extract.js';
import { coverage, truthMask, type AnalysisEvent } from './truth.js';
import { SweepAccumulator, type EnergyBin } from './accumulate.js';
import type { DataItem, EventResult, ExamplePanel, MethodSpec } from './results.js';

/** A preprocessed frame waiting for its batch to be scored. */
export interface PreparedFrame {
  item: DataItem;
  /** Analysis map, [analysisH, analysisW]. */
  map: Float32Array;
  events: AnalysisEvent[];
}

/** What the per-frame steps share across methods: the grid, the closing radius and the evaluation settings. */
export interface FrameContext {
  width: number;
  height: number;
  closingRadius: number;
  ev: EvaluationConfig;
  /** Example panels of all methods, in the order they were chosen. */
  panels: ExamplePanel[];
}

export interface MethodState {
  spec: MethodSpec;
  sweep: SweepAccumulator;
  rows: EventResult[];
  areaCutSum: number;
  roisSum: number;
  scoreMs: number;
  modelMs: number;
  roiMs: number;
  examples: number;
  lowPanels: number;
}

export function newMethodState(spec: MethodSpec, bins: EnergyBin[], lowRange: EnergyBin): MethodState {
  return {
    spec,
    sweep: new SweepAccumulator(spec.sweepTaus, bins, lowRange),
    rows: [],
    areaCutSum: 0,
    roisSum: 0,
    scoreMs: 0,
    modelMs: 0,
    roiMs: 0,
    examples: 0,
    lowPanels: 0,
  };
}

/** Score a batch with one method (timing the score and, for learned scores, the model alone) and evaluate each frame. */
export async function evaluateBatch(ctx: FrameContext, st: MethodState, batch: PreparedFrame[]): Promise<void> {
  const t0 = performance.now();
  const model0 = st.spec.score.modelMs ?? 0;
  const scores = await st.spec.score.scoreBatch(
    batch.map((p) => p.map),
    ctx.width,
    ctx.height,
  );
  st.scoreMs += performance.now() - t0;
  st.modelMs += (st.spec.score.modelMs ?? 0) - model0;
  for (let f = 0; f < batch.length; f++) evaluateFrame(ctx, st, batch[f], scores[f]);
}

/** The four steps for one frame and method. */
export function evaluateFrame(ctx: FrameContext, st: MethodState, p: PreparedFrame, score: Float32Array): void {
  const operating = operatingPoint(ctx, st, p, score);
  const covs = p.events.map((e) => coverage(e, operating.mask));
  recordEvents(st, p.events, covs);
  addToSweep(ctx, st, p, score, operating);
  choosePanel(ctx, st, p, score, operating.mask, covs);
}

/** 1. ROIs at the operating τ, timed as the trigger would run them; returns the closed mask. */
function operatingPoint(ctx: FrameContext, st: MethodState, p: PreparedFrame, score: Float32Array): ClosedMask {
  const t0 = performance.now();
  const roi = extractRois(score, p.map, ctx.width, ctx.height, { tau: st.spec.tau, closingRadius: ctx.closingRadius });
  st.roiMs += performance.now() - t0;
  st.roisSum += roi.rois.length;
  st.areaCutSum += 1 - roi.keptFraction;
  return roi;
}

/** 2. One row per event with its coverage at the operating τ. */
function recordEvents(st: MethodState, events: AnalysisEvent[], covs: number[]): void {
  events.forEach((e, i) => {
    st.rows.push({
      method: st.spec.score.name,
      frame: e.frame,
      id: e.id,
      type: e.type,
      energyKeV: e.energyKeV,
      contained: e.contained,
      coverage: covs[i],
      totalCounts: e.totalCounts,
    });
  });
}

/** 3. Area cut and coverages at every τ of the sweep (the operating τ's mask is reused, not re-formed). */
function addToSweep(ctx: FrameContext, st: MethodState, p: PreparedFrame, score: Float32Array, operating: ClosedMask): void {
  st.spec.sweepTaus.forEach((tau, k) => {
    const { mask, keptFraction } =
      tau === st.spec.tau ? operating : extractRois(score, null, ctx.width, ctx.height, { tau, closingRadius: ctx.closingRadius });
    st.sweep.add(k, 1 - keptFraction, p.events, p.events.map((e) => coverage(e, mask)));
  });
  st.sweep.endFrame(p.events);
}

/** 4. Panels: first frames with near-zero-coverage contained events, else frames with contained events, each up to its quota. */
function choosePanel(ctx: FrameContext, st: MethodState, p: PreparedFrame, score: Float32Array, mask: Uint8Array, covs: number[]): void {
  const { ev } = ctx;
  const low = p.events.some((e, i) => e.contained && covs[i] < ev.lowCoverage);
  const hasContained = p.events.some((e) => e.contained);
  let reason: ExamplePanel['reason'] | null = null;
  if (low && st.lowPanels < ev.lowCoveragePanels) {
    reason = 'low-coverage';
    st.lowPanels++;
  } else if (hasContained && st.examples < ev.examplePanels) {
    reason = 'example';
    st.examples++;
  }
  if (!reason) return;
  ctx.panels.push({
    method: st.spec.score.name,
    frame: p.item.truth.frame,
    reason,
    events: p.events.map((e, i) => ({ id: e.id, type: e.type, energyKeV: e.energyKeV, coverage: covs[i] })),
    width: ctx.width,
    height: ctx.height,
    analysis: p.map,
    score,
    mask,
    truth: truthMask(p.events, ctx.width * ctx.height),
    tau: st.spec.tau,
  });
}
