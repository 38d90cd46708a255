/**
 * The per-event evaluation protocol of the spec ("Evaluation protocol"), for several methods on the
 * same events: each data frame is preprocessed once, scored by every method, thresholded at the
 * method's operating τ and at every τ of its sweep, closed, and compared with the truth.
 * Outputs means over contained events (coverage) and over frames (area cut), coverage per energy
 * bin, the near-zero-coverage events, per-stage timings, and a few example panels.
 */
import type { Frame } from '../core/frame.js';
import type { Progress } from '../core/progress.js';
import { silentProgress } from '../core/progress.js';
import type { PipelineConfig } from '../config/pipeline.js';
import type { PedestalStats } from '../preprocessing/pedestal-stats.js';
import { preprocessFrame } from '../preprocessing/preprocess.js';
import type { AnomalyScore } from '../scores/score.js';
import { thresholdMap } from '../roi/threshold.js';
import { closeMask } from '../roi/closing.js';
import { labelComponents } from '../roi/components.js';
import type { Calibration } from '../calibration/calibrate.js';
import { projectTruth, coverage, truthMask, type AnalysisEvent, type FrameTruth } from './truth.js';
import { SweepAccumulator, energyBinsFrom, inBin, median, coverageAtAreaCut, type EnergyBin } from './accumulate.js';
import { InputError } from '../core/errors.js';

export interface DataItem {
  frame: Frame;
  truth: FrameTruth;
}
export type DataSequence = () => AsyncIterable<DataItem>;

export interface MethodSpec {
  score: AnomalyScore;
  tau: number;
  sweepTaus: number[];
  calibration?: Calibration;
}

export interface EventResult {
  method: string;
  frame: string;
  id: number;
  type: string;
  energyKeV: number;
  contained: boolean;
  coverage: number;
  totalCounts: number;
}

export interface SweepPoint {
  tau: number;
  meanCoverage: number;
  meanAreaCut: number;
  /** Mean coverage of the events in the singled-out low-energy range (1–5 keV by default). */
  lowEnergyCoverage: number | null;
  coverageByEnergy: { lo: number; hi: number; events: number; meanCoverage: number | null }[];
}

export interface MethodResult {
  name: string;
  description: string;
  tau: number;
  meanCoverage: number;
  medianCoverage: number;
  meanAreaCut: number;
  events: number;
  frames: number;
  coverageAt978: number | null;
  lowEnergyCoverage: number | null;
  energyBins: { lo: number; hi: number; events: number; medianCoverage: number | null; meanCoverage: number | null }[];
  lowCoverageEvents: EventResult[];
  meanRoisPerFrame: number;
  /** score = the whole score (for learned scores including `model`, the forward pass alone) */
  msPerFrame: { score: number; roi: number; model?: number };
  calibration?: Calibration;
  sweep: SweepPoint[];
}

export interface ExamplePanel {
  method: string;
  frame: string;
  reason: 'example' | 'low-coverage';
  events: { id: number; type: string; energyKeV: number; coverage: number }[];
  width: number;
  height: number;
  analysis: Float32Array;
  score: Float32Array;
  mask: Uint8Array;
  truth: Uint8Array;
  tau: number;
}

export interface EvaluationResult {
  frames: number;
  events: number;
  containedEvents: number;
  analysisWidth: number;
  analysisHeight: number;
  msPerFramePreprocess: number;
  methods: MethodResult[];
  perEvent: EventResult[];
  panels: ExamplePanel[];
}

function areaCutOf(mask: Uint8Array): number {
  let on = 0;
  for (let i = 0; i < mask.length; i++) on += mask[i];
  return 1 - on / mask.length;
}

interface MethodState {
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

export async function evaluateRun(opts: {
  data: DataSequence;
  stats: PedestalStats;
  methods: MethodSpec[];
  config: PipelineConfig;
  progress?: Progress;
  totalFrames?: number;
}): Promise<EvaluationResult> {
  const { stats, config } = opts;
  const progress = opts.progress ?? silentProgress;
  const ev = config.evaluation;
  const radius = config.roi.closingRadius;
  const aw = stats.config.analysisWidth;
  const ah = stats.config.analysisHeight;
  const bins = energyBinsFrom(ev.energyBins);
  const lowRange: EnergyBin = { lo: ev.lowEnergyRange[0], hi: ev.lowEnergyRange[1] };
  const states: MethodState[] = opts.methods.map((spec) => ({
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
  }));
  const panels: ExamplePanel[] = [];
  let frames = 0;
  let events = 0;
  let contained = 0;
  let preprocessMs = 0;
  const batch = Math.max(1, ...opts.methods.map((m) => m.score.batchSize));

  progress.start(opts.totalFrames ?? 0, 'evaluate');
  let pending: { item: DataItem; map: Float32Array; events: AnalysisEvent[] }[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    for (const st of states) {
      const t0 = performance.now();
      const model0 = st.spec.score.modelMs ?? 0;
      const scores = await st.spec.score.scoreBatch(
        pending.map((p) => p.map),
        aw,
        ah,
      );
      st.scoreMs += performance.now() - t0;
      st.modelMs += (st.spec.score.modelMs ?? 0) - model0;
      for (let f = 0; f < pending.length; f++) evaluateFrame(st, pending[f], scores[f]);
    }
    progress.tick(pending.length);
    pending = [];
  };

  const evaluateFrame = (st: MethodState, p: (typeof pending)[number], score: Float32Array) => {
    const name = st.spec.score.name;
    // operating point, timed as the trigger would run it
    const t0 = performance.now();
    const mask = closeMask(thresholdMap(score, st.spec.tau), aw, ah, radius);
    const { rois } = labelComponents(mask, aw, ah, p.map);
    st.roiMs += performance.now() - t0;
    st.roisSum += rois.length;
    const areaCut = areaCutOf(mask);
    st.areaCutSum += areaCut;
    const covs = p.events.map((e) => coverage(e, mask));
    p.events.forEach((e, i) => {
      st.rows.push({
        method: name,
        frame: e.frame,
        id: e.id,
        type: e.type,
        energyKeV: e.energyKeV,
        contained: e.contained,
        coverage: covs[i],
        totalCounts: e.totalCounts,
      });
    });
    // sweep
    st.spec.sweepTaus.forEach((tau, k) => {
      const m = tau === st.spec.tau ? mask : closeMask(thresholdMap(score, tau), aw, ah, radius);
      st.sweep.add(k, areaCutOf(m), p.events, p.events.map((e) => coverage(e, m)));
    });
    st.sweep.endFrame(p.events);
    // panels: first frames with contained events, then frames with near-zero-coverage events
    const low = p.events.filter((e, i) => e.contained && covs[i] < ev.lowCoverage);
    const hasContained = p.events.some((e) => e.contained);
    let reason: ExamplePanel['reason'] | null = null;
    if (low.length > 0 && st.lowPanels < ev.lowCoveragePanels) {
      reason = 'low-coverage';
      st.lowPanels++;
    } else if (hasContained && st.examples < ev.examplePanels) {
      reason = 'example';
      st.examples++;
    }
    if (reason) {
      panels.push({
        method: name,
        frame: p.item.truth.frame,
        reason,
        events: p.events.map((e, i) => ({ id: e.id, type: e.type, energyKeV: e.energyKeV, coverage: covs[i] })),
        width: aw,
        height: ah,
        analysis: p.map,
        score,
        mask,
        truth: truthMask(p.events, aw * ah),
        tau: st.spec.tau,
      });
    }
  };

  for await (const item of opts.data()) {
    const t0 = performance.now();
    const map = preprocessFrame(item.frame, stats);
    preprocessMs += performance.now() - t0;
    const projected = projectTruth(item.truth, stats.config, ev.containmentBorder);
    frames++;
    events += projected.length;
    contained += projected.filter((e) => e.contained).length;
    pending.push({ item, map, events: projected });
    if (pending.length >= batch) await flush();
  }
  await flush();
  progress.stop();
  if (frames === 0) throw new InputError('evaluation', 'the data run holds no frames');

  const methods = states.map((st) => summarise(st, frames, bins, lowRange, ev.lowCoverage, ev.referenceAreaCut));
  return {
    frames,
    events,
    containedEvents: contained,
    analysisWidth: aw,
    analysisHeight: ah,
    msPerFramePreprocess: preprocessMs / frames,
    methods,
    perEvent: states.flatMap((s) => s.rows),
    panels,
  };
}

function summarise(
  st: MethodState,
  frames: number,
  bins: EnergyBin[],
  lowRange: EnergyBin,
  lowCoverage: number,
  referenceAreaCut: number,
): MethodResult {
  const rows = st.rows.filter((r) => r.contained);
  const covs = rows.map((r) => r.coverage);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const sw = st.sweep;
  const sweep: SweepPoint[] = st.spec.sweepTaus.map((tau, k) => ({
    tau,
    meanCoverage: sw.events ? sw.coverageSum[k] / sw.events : NaN,
    meanAreaCut: sw.areaCutSum[k] / sw.frames,
    lowEnergyCoverage: sw.lowEvents ? sw.lowCoverageSum[k] / sw.lowEvents : null,
    coverageByEnergy: bins.map((b, j) => ({
      lo: b.lo,
      hi: b.hi,
      events: sw.binEvents[k][j],
      meanCoverage: sw.binEvents[k][j] ? sw.binCoverageSum[k][j] / sw.binEvents[k][j] : null,
    })),
  }));
  const lowRows = rows.filter((r) => inBin(r.energyKeV, lowRange));
  return {
    name: st.spec.score.name,
    description: st.spec.score.description,
    tau: st.spec.tau,
    meanCoverage: mean(covs),
    medianCoverage: median(covs),
    meanAreaCut: st.areaCutSum / frames,
    events: rows.length,
    frames,
    coverageAt978: coverageAtAreaCut(sweep, referenceAreaCut),
    lowEnergyCoverage: lowRows.length ? mean(lowRows.map((r) => r.coverage)) : null,
    energyBins: bins.map((b) => {
      const inside = rows.filter((r) => inBin(r.energyKeV, b)).map((r) => r.coverage);
      return {
        lo: b.lo,
        hi: b.hi,
        events: inside.length,
        medianCoverage: inside.length ? median(inside) : null,
        meanCoverage: inside.length ? mean(inside) : null,
      };
    }),
    lowCoverageEvents: rows.filter((r) => r.coverage < lowCoverage).sort((a, b) => a.coverage - b.coverage),
    meanRoisPerFrame: st.roisSum / frames,
    msPerFrame: { score: st.scoreMs / frames, roi: st.roiMs / frames, ...(st.spec.score.modelMs !== undefined ? { model: st.modelMs / frames } : {}) },
    calibration: st.spec.calibration,
    sweep,
  };
}
