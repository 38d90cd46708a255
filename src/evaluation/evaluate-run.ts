/**
 * The per-event evaluation protocol of the spec ("Evaluation protocol"), for several methods on the
 * same events: each data frame is preprocessed once, scored by every method, its ROIs formed at the
 * method's operating τ and at every τ of its sweep, and compared with the truth (method-frame.ts).
 * Outputs means over contained events (coverage) and over frames (area cut), coverage per energy
 * bin, the near-zero-coverage events, per-stage timings, and a few example panels (summarise.ts).
 */
import { InputError } from '../core/errors.js';
import type { Progress } from '../core/progress.js';
import { silentProgress } from '../core/progress.js';
import type { PipelineConfig } from '../config/pipeline.js';
import type { PedestalStats } from '../preprocessing/pedestal-stats.js';
import { preprocessFrame } from '../preprocessing/preprocess.js';
import { prepareRawFrame } from '../preprocessing/raw-input.js';
import { projectTruth } from './truth.js';
import { energyBinsFrom, type EnergyBin } from './accumulate.js';
import { evaluateBatch, newMethodState, type FrameContext, type PreparedFrame } from './method-frame.js';
import { summarise } from './summarise.js';
import type { DataSequence, EvaluationResult, MethodSpec } from './results.js';

export type {
  DataItem,
  DataSequence,
  EvaluationResult,
  EventResult,
  ExamplePanel,
  MethodResult,
  MethodSpec,
  SweepPoint,
} from './results.js';

export async function evaluateRun(opts: {
  data: DataSequence;
  stats: PedestalStats;
  methods: MethodSpec[];
  config: PipelineConfig;
  progress?: Progress;
  totalFrames?: number;
}): Promise<EvaluationResult> {
  const { stats, config } = opts;
  // the truth is in camera pixels: binned frames would need binned truth, not written yet
  if ((stats.rawInput?.bin ?? 1) > 1) throw new InputError('pedestal statistics', `frames binned ${stats.config.bin}×${stats.config.bin} (config bin): evaluation compares with truth in camera pixels and does not bin it`);
  const progress = opts.progress ?? silentProgress;
  const ev = config.evaluation;
  const ctx: FrameContext = {
    width: stats.config.analysisWidth,
    height: stats.config.analysisHeight,
    closingRadius: config.roi.closingRadius,
    ev,
    panels: [],
  };
  const bins = energyBinsFrom(ev.energyBins);
  const lowRange: EnergyBin = { lo: ev.lowEnergyRange[0], hi: ev.lowEnergyRange[1] };
  const states = opts.methods.map((spec) => newMethodState(spec, bins, lowRange));
  const batchSize = Math.max(1, ...opts.methods.map((m) => m.score.batchSize));

  // 1. Stream the frames: preprocess and project the truth once, score in batches every method prefers.
  let frames = 0;
  let events = 0;
  let contained = 0;
  let preprocessMs = 0;
  let pending: PreparedFrame[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    for (const st of states) await evaluateBatch(ctx, st, pending);
    progress.tick(pending.length);
    pending = [];
  };
  progress.start(opts.totalFrames ?? 0, 'evaluate');
  for await (const item of opts.data()) {
    const t0 = performance.now();
    const map = preprocessFrame(stats.rawInput ? prepareRawFrame(item.frame, stats.rawInput) : item.frame, stats);
    preprocessMs += performance.now() - t0;
    const prepared: PreparedFrame = { item, map, events: projectTruth(item.truth, stats.config, ev.containmentBorder) };
    frames++;
    events += prepared.events.length;
    contained += prepared.events.filter((e) => e.contained).length;
    pending.push(prepared);
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  progress.stop();
  if (frames === 0) throw new InputError('data run', 'holds no frames: evaluation needs at least one frame with truth');

  // 2. Summarise each method over the run.
  return {
    frames,
    events,
    containedEvents: contained,
    analysisWidth: ctx.width,
    analysisHeight: ctx.height,
    msPerFramePreprocess: preprocessMs / frames,
    methods: states.map((st) => summarise(st, frames, bins, lowRange, ev.lowCoverage, ev.referenceAreaCut)),
    perEvent: states.flatMap((s) => s.rows),
    panels: ctx.panels,
  };
}
