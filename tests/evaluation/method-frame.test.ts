/**
 * The per-frame steps of method-frame.ts on hand cases: which frames become example panels (the
 * spec's rule, written naively below) and what a panel holds; and the per-frame timings of
 * evaluation.json (msPerFrame, msPerFramePreprocess) under an injected clock, so that their arithmetic
 * (differences of clock readings, divided by the frame count) is checked without measuring anything.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { preprocessSchema, resolvePipelineConfig } from '../../src/config/pipeline.js';
import { makeFrame } from '../../src/core/frame.js';
import { InputError } from '../../src/core/errors.js';
import { computePedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import type { AnomalyScore } from '../../src/scores/score.js';
import { energyBinsFrom } from '../../src/evaluation/accumulate.js';
import { summarise } from '../../src/evaluation/summarise.js';
import { evaluateFrame, newMethodState, type FrameContext, type PreparedFrame } from '../../src/evaluation/method-frame.js';
import { evaluateRun, type DataItem } from '../../src/evaluation/evaluate-run.js';
import type { AnalysisEvent } from '../../src/evaluation/truth.js';
import { sequenceOf } from '../helpers/synthetic.js';

// 5×3 analysis grid; score 1 at the "hot" pixels, 0 elsewhere; τ = 0.5, no closing: the mask is the hot set
const W = 5;
const H = 3;
const ev = resolvePipelineConfig({ evaluation: { lowCoverage: 0.3, lowCoveragePanels: 2, examplePanels: 3 } }).evaluation;
const HOT = [0, 4, 12]; // (0,0), (4,0), (2,2): three separate ROIs
const scoreMap = Float32Array.from({ length: W * H }, (_, i) => (HOT.includes(i) ? 1 : 0));
const mask = Uint8Array.from(scoreMap, (v) => (v > 0.5 ? 1 : 0));

/** An event with two pixels: one hot (counts `hot`), one cold (counts `cold`): coverage hot / (hot + cold). */
function event(id: number, contained: boolean, hot: number, cold: number): AnalysisEvent {
  return { frame: '', id, type: id % 2 ? 'er' : 'nr', energyKeV: id + 0.5, pixels: Int32Array.from([12, 3]), counts: Float64Array.from([hot, cold]), totalCounts: hot + cold, contained };
}
function frame(name: string, events: AnalysisEvent[]): PreparedFrame {
  return { item: { frame: makeFrame(1, 1, new Uint16Array(1), {}), truth: { frame: name, width: 1, height: 1, events: [] } }, map: Float32Array.from({ length: W * H }, (_, i) => i / 10), events: events.map((e) => ({ ...e, frame: name })) };
}

/** The spec's rule: low-coverage panels first (a contained event below lowCoverage), then examples (any contained event), each up to its quota. */
function naivePanels(frames: { name: string; events: { contained: boolean; coverage: number }[] }[]) {
  let low = 0;
  let ex = 0;
  const out: [string, string][] = [];
  for (const f of frames) {
    const isLow = f.events.filter((e) => e.contained && e.coverage < ev.lowCoverage).length > 0;
    const anyContained = f.events.filter((e) => e.contained).length > 0;
    if (isLow && low < ev.lowCoveragePanels) {
      low += 1;
      out.push([f.name, 'low-coverage']);
    } else if (anyContained && ex < ev.examplePanels) {
      ex += 1;
      out.push([f.name, 'example']);
    }
  }
  return out;
}

describe('example panels', () => {
  it('low-coverage frames first, then frames with contained events, each up to its quota; a panel holds the frame', () => {
    const frames = [
      frame('F1', [event(1, true, 4, 0)]), // coverage 1: example
      frame('F2', [event(8, true, 3, 7)]), // exactly 0.3: not low, example
      frame('F3', [event(4, false, 0, 3)]), // only an uncontained event at 0: nothing
      frame('F4', [event(2, true, 0, 5), event(3, false, 0, 2)]), // contained at 0: low
      frame('F5', [event(5, true, 1, 4), event(6, true, 2, 0)]), // 0.2 < 0.3 beside 1: low (low quota now full)
      frame('F6', [event(7, true, 0, 1)]), // low, but low quota full: example (example quota now full)
      frame('F7', [event(9, true, 1, 0)]), // nothing
    ];
    const ctx: FrameContext = { width: W, height: H, closingRadius: 0, ev, panels: [] };
    const score: AnomalyScore = { name: 'hand', description: '', batchSize: 1, scoreBatch: async (m) => m };
    const st = newMethodState({ score, tau: 0.5, sweepTaus: [0.5] }, energyBinsFrom(ev.energyBins), { lo: 0, hi: 5 });
    for (const f of frames) evaluateFrame(ctx, st, f, scoreMap);
    const covs = frames.map((f) => f.events.map((e) => (e.counts[0]) / e.totalCounts));
    const expected = naivePanels(frames.map((f, k) => ({ name: f.item.truth.frame, events: f.events.map((e, i) => ({ contained: e.contained, coverage: covs[k][i] })) })));
    expect(expected).toEqual([
      ['F1', 'example'],
      ['F2', 'example'],
      ['F4', 'low-coverage'],
      ['F5', 'low-coverage'],
      ['F6', 'example'],
    ]);
    expect(ctx.panels.map((p) => [p.frame, p.reason])).toEqual(expected);
    expect(st.lowPanels).toBe(2);
    expect(st.examples).toBe(3);
    const f4 = ctx.panels[3]; // F5
    expect(f4.method).toBe('hand');
    expect(f4.tau).toBe(0.5);
    expect([f4.width, f4.height]).toEqual([W, H]);
    expect(f4.events).toEqual([
      { id: 5, type: 'er', energyKeV: 5.5, coverage: 0.2 },
      { id: 6, type: 'nr', energyKeV: 6.5, coverage: 1 },
    ]);
    expect(f4.analysis).toBe(frames[4].map);
    expect(f4.score).toBe(scoreMap);
    expect(Array.from(f4.mask)).toEqual(Array.from(mask));
    // truth overlay: pixels 3 and 12 of the 15
    expect(Array.from(f4.truth)).toEqual(Array.from({ length: W * H }, (_, i) => (i === 3 || i === 12 ? 1 : 0)));
    // rows and ROI counts for every frame: 3 hot pixels, none touching → 3 ROIs per frame
    expect(st.rows.map((r) => [r.frame, r.id, r.coverage])).toEqual(
      frames.flatMap((f, k) => f.events.map((e, i) => [f.item.truth.frame, e.id, covs[k][i]])),
    );
    expect(st.roisSum).toBe(3 * frames.length);
    // the near-zero list of the summary: contained events with coverage strictly below lowCoverage (F2's 0.3 is not), ascending
    const naiveLow = st.rows.filter((r) => r.contained && r.coverage < 0.3).map((r) => r.coverage).sort((a, b) => a - b);
    expect(naiveLow).toEqual([0, 0, 0.2]);
    const summary = summarise(st, frames.length, energyBinsFrom(ev.energyBins), { lo: 0, hi: 5 }, 0.3, 0.5);
    expect(summary.lowCoverageEvents.map((r) => r.coverage)).toEqual(naiveLow);
  });
});

describe('timings under an injected clock', () => {
  afterEach(() => vi.restoreAllMocks());

  it('msPerFrame (score, roi) and msPerFramePreprocess: clock differences per frame', async () => {
    // the clock ticks 1 per reading; the score adds 100 per batch
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => ++clock);
    const pre = preprocessSchema.parse({ frameWidth: 7, frameHeight: 5, crop: { x: 0, y: 0, width: 7, height: 5 }, analysisWidth: 7, analysisHeight: 5 });
    const cfg = resolvePipelineConfig({ preprocess: pre, roi: { closingRadius: 0 } });
    const flat = (k: number) => makeFrame(7, 5, Uint16Array.from({ length: 35 }, (_, i) => 100 + ((i * k) % 3)), {});
    const stats = await computePedestalStats(sequenceOf([flat(1), flat(2)]), pre);
    const calls: number[] = [];
    const score: AnomalyScore = {
      name: 'timed',
      description: '',
      batchSize: 2,
      async scoreBatch(maps) {
        calls.push(maps.length);
        clock += 100;
        return maps.map((m) => Float32Array.from(m));
      },
    };
    const items: DataItem[] = [0, 1, 2, 3].map((k) => ({ frame: flat(k + 2), truth: { frame: `f${k}`, width: 7, height: 5, events: [] } }));
    const log: string[] = [];
    const progress = { start: (t: number, l: string) => log.push(`start ${t} ${l}`), tick: (n = 1) => log.push(`tick ${n}`), stop: () => log.push('stop') };
    const r = await evaluateRun({ data: sequenceOf(items), stats, methods: [{ score, tau: 1e9, sweepTaus: [1e9] }], config: cfg, progress, totalFrames: 4 });
    // batches of 2: [f0, f1], [f2, f3]; the final flush has nothing left and scores no empty batch
    expect(calls).toEqual([2, 2]);
    expect(log).toEqual(['start 4 evaluate', 'tick 2', 'tick 2', 'stop']);
    // preprocessing reads the clock twice per frame and nothing in between: 1 per frame
    expect(r.msPerFramePreprocess).toBe(1);
    // each batch: 100 inside the score + 1 tick between the two readings → 2 × 101 over 4 frames
    expect(r.methods[0].msPerFrame.score).toBe(202 / 4);
    // the ROI step: the two readings around extractRois plus the few it makes itself: small and positive
    expect(r.methods[0].msPerFrame.roi).toBeGreaterThanOrEqual(1);
    expect(r.methods[0].msPerFrame.roi).toBeLessThan(10);
    expect(r.panels).toEqual([]);
    expect(r.frames).toBe(4);
  });

  it('without totalFrames the progress starts at 0; an empty run is refused', async () => {
    const pre = preprocessSchema.parse({ frameWidth: 4, frameHeight: 3, crop: { x: 0, y: 0, width: 4, height: 3 }, analysisWidth: 4, analysisHeight: 3 });
    const cfg = resolvePipelineConfig({ preprocess: pre });
    const stats = await computePedestalStats(sequenceOf([makeFrame(4, 3, new Uint16Array(12).fill(9), {}), makeFrame(4, 3, new Uint16Array(12).fill(11), {})]), pre);
    const score: AnomalyScore = { name: 's', description: '', batchSize: 1, scoreBatch: async (m) => m };
    const log: string[] = [];
    const progress = { start: (t: number, l: string) => log.push(`start ${t} ${l}`), tick: () => {}, stop: () => {} };
    await expect(evaluateRun({ data: sequenceOf([]), stats, methods: [{ score, tau: 1, sweepTaus: [1] }], config: cfg, progress })).rejects.toThrow(
      new InputError('data run', 'holds no frames: evaluation needs at least one frame with truth'),
    );
    expect(log).toEqual(['start 0 evaluate']);
  });
});
