/**
 * evaluateRun against the naive protocol of tests/helpers/naive-trigger.ts on random non-square runs:
 * several frames, several events per frame (some partly outside the crop, some only inside the
 * containment border, some without any in-crop intensity), two methods with their own τ and sweeps.
 * The score maps are whatever the method returned (recorded), so the test checks the evaluation alone.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { preprocessSchema, resolvePipelineConfig } from '../../src/config/pipeline.js';
import { makeFrame } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { computePedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { perFrameScore, type AnomalyScore } from '../../src/scores/score.js';
import { evaluateRun, type DataItem } from '../../src/evaluation/evaluate-run.js';
import { expectClose } from '../helpers/close.js';
import { sequenceOf } from '../helpers/synthetic.js';
import { expectMethodMatches, naiveCloseByDisks, naiveEvaluate, naiveProject, type NaiveTruthEvent } from '../helpers/naive-trigger.js';
import { naiveClose } from '../roi/naive.js';

// 37×29 frame, crop (4, 3, 27×23) → 18×11 grid: 1.5 crop px per analysis column, 23/11 per row
const pre = preprocessSchema.parse({ frameWidth: 37, frameHeight: 29, crop: { x: 4, y: 3, width: 27, height: 23 }, analysisWidth: 18, analysisHeight: 11 });
const W = 37;
const H = 29;
const AW = 18;
const AH = 11;
const BORDER = 2;
const cfg = resolvePipelineConfig({
  preprocess: pre,
  roi: { closingRadius: 1 },
  evaluation: { containmentBorder: BORDER, energyBins: [1, 5, 20, 100], lowEnergyRange: [1, 5], lowCoverage: 0.4, referenceAreaCut: 0.8 },
});
const settings = {
  width: AW,
  height: AH,
  closingRadius: 1,
  energyBins: [1, 5, 20, 100],
  lowEnergyRange: [1, 5] as [number, number],
  lowCoverage: 0.4,
  referenceAreaCut: 0.8,
};

const flat = (seed: number) => {
  const rng = Rng.derive(seed, 'ped');
  return makeFrame(W, H, Uint16Array.from({ length: W * H }, () => 100 + rng.int(0, 4)), {});
};

/** A cluster of raw pixels (energy sometimes exactly on a bin edge: bins are [lo, hi)) around (cx, cy) with positive counts (one zero-count pixel that must be ignored). */
function cluster(rng: Rng, id: number, cx: number, cy: number, spread: number): NaiveTruthEvent {
  const index: number[] = [];
  const counts: number[] = [];
  const n = rng.int(2, 10);
  for (let k = 0; k < n; k++) {
    const x = Math.min(W - 1, Math.max(0, cx + rng.int(-spread, spread + 1)));
    const y = Math.min(H - 1, Math.max(0, cy + rng.int(-spread, spread + 1)));
    index.push(y * W + x);
    counts.push(k === 0 && id % 3 === 0 ? 0 : 1 + rng.int(0, 50));
  }
  return { id, type: id % 2 ? 'er' : 'nr', energyKeV: rng.uniform() < 0.3 ? [1, 5, 20][rng.int(0, 3)] : rng.range(0.5, 120), pixels: { index, counts } };
}

/** Raw (X, Y) of analysis pixel (ax, ay)'s span, roughly: for placing events in or out of the border. */
const rawOf = (ax: number, ay: number) => [pre.crop.x + Math.floor((ax + 0.5) * 1.5), pre.crop.y + Math.floor(((ay + 0.5) * 23) / 11)];

function run(seed: number) {
  const rng = Rng.derive(seed, 'run');
  const frames = rng.int(2, 5);
  const items: DataItem[] = [];
  for (let f = 0; f < frames; f++) {
    const events: NaiveTruthEvent[] = [];
    let id = 10 * f;
    // inside the containment border: analysis x, y in [2, 15] × [2, 8]
    for (let k = rng.int(1, 4); k > 0; k--) events.push(cluster(rng, id++, ...(rawOf(rng.int(2, 16), rng.int(2, 9)) as [number, number]), 2));
    // only in the border ring (column 0 or row 10): never contained
    events.push(cluster(rng, id++, ...(rawOf(0, rng.int(0, AH)) as [number, number]), 0));
    events.push(cluster(rng, id++, ...(rawOf(rng.int(0, AW), AH - 1) as [number, number]), 0));
    // anywhere in the frame, often partly outside the crop
    events.push(cluster(rng, id++, rng.int(0, W), rng.int(0, H), 3));
    // wholly outside the crop (the left margin): no in-crop intensity
    events.push(cluster(rng, id++, 1, rng.int(0, H), 0));
    const truth = { frame: `f${f}.npy`, width: W, height: H, events };
    items.push({ frame: makeFrame(W, H, new Uint16Array(W * H).fill(101), { source: truth.frame }), truth: JSON.parse(JSON.stringify(truth)) });
  }
  return items;
}

/** A score that returns seeded maps (noise plus bright patches), recording each map it hands out. */
function recordedScore(name: string, seed: number): AnomalyScore & { maps: Float32Array[] } {
  const maps: Float32Array[] = [];
  const s = perFrameScore(name, 'seeded maps', () => {
    const rng = Rng.derive(seed, `${name}:${maps.length}`);
    const m = Float32Array.from({ length: AW * AH }, () => rng.uniform());
    for (let k = rng.int(1, 4); k > 0; k--) {
      const x0 = rng.int(0, AW - 3);
      const y0 = rng.int(0, AH - 2);
      for (let y = y0; y < y0 + rng.int(1, 3); y++) for (let x = x0; x < x0 + rng.int(1, 5); x++) m[y * AW + x] = 1 + rng.uniform();
    }
    maps.push(m);
    return m;
  });
  return Object.assign(s, { maps });
}

describe('evaluateRun against the naive protocol (non-square grid, multi-event frames)', () => {
  it('coverages, area cuts, sweeps, coverage at the reference cut, energy bins and near-zero events (property)', async () => {
    const stats = await computePedestalStats(sequenceOf([flat(1), flat(2), flat(3)]), pre);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1 << 30 }), async (seed) => {
        const items = run(seed);
        const a = recordedScore('a', seed);
        const b = recordedScore('b', seed + 1);
        const methods = [
          { score: a, tau: 0.9, sweepTaus: [0.2, 0.6, 0.9, 0.97, 1.5] },
          { score: b, tau: 0.75, sweepTaus: [0.5, 0.75, 0.99, 2.5] },
        ];
        const result = await evaluateRun({ data: sequenceOf(items), stats, methods, config: cfg });
        const events = items.map((it) => naiveProject(it.truth.frame, W, it.truth.events as NaiveTruthEvent[], pre, BORDER));

        expect(result.frames).toBe(items.length);
        expect(result.events).toBe(events.flat().length);
        expect(result.containedEvents).toBe(events.flat().filter((e) => e.contained).length);
        methods.forEach((spec, mi) => {
          const score = spec.score as ReturnType<typeof recordedScore>;
          const ref = naiveEvaluate(
            score.maps.map((m, f) => ({ score: m, events: events[f] })),
            spec.tau,
            spec.sweepTaus,
            settings,
          );
          const m = result.methods[mi];
          const rows = result.perEvent.filter((r) => r.method === score.name);
          expect(rows.map((r) => [r.frame, r.id, r.contained])).toEqual(events.flat().map((e) => [e.frame, e.id, e.contained]));
          expectClose(rows.map((r) => r.coverage), ref.coverages, 1e-12);
          expectClose(rows.map((r) => r.totalCounts), events.flat().map((e) => e.total), 1e-9);
          expectMethodMatches(m, ref);
        });
      }),
      { seed: 1616, numRuns: 12 },
    );
  });

  it('the generated runs exercise what they are meant to: uncontained events, partial coverage, a quoted reference cut', async () => {
    // guards the property above against vacuity: over the same seeds, the cases it relies on occur
    const stats = await computePedestalStats(sequenceOf([flat(1), flat(2)]), pre);
    let uncontained = 0;
    let partial = 0;
    let quoted = 0;
    for (const seed of [1, 2, 3, 4]) {
      const items = run(seed);
      const a = recordedScore('a', seed);
      const result = await evaluateRun({ data: sequenceOf(items), stats, methods: [{ score: a, tau: 0.9, sweepTaus: [0.2, 0.6, 0.9, 0.97, 1.5] }], config: cfg });
      uncontained += result.perEvent.filter((r) => !r.contained && r.totalCounts > 0).length;
      partial += result.perEvent.filter((r) => r.contained && r.coverage > 0 && r.coverage < 1).length;
      if (result.methods[0].coverageAtReferenceCut !== null) quoted++;
    }
    expect(uncontained).toBeGreaterThan(4);
    expect(partial).toBeGreaterThan(0);
    expect(quoted).toBeGreaterThan(0);
  });
});

describe('the references agree with each other', () => {
  it('closing by painting disks equals the per-pixel disk definition of tests/roi/naive.ts (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 6, noNaN: true }), fc.integer({ min: 0, max: 1 << 30 }), (w, h, r, seed) => {
        const rng = Rng.derive(seed, 'mask');
        const density = rng.uniform();
        const m = Uint8Array.from({ length: w * h }, () => (rng.uniform() < density ? 1 : 0));
        expect(Array.from(naiveCloseByDisks(m, w, h, r))).toEqual(Array.from(naiveClose(m, w, h, r)));
      }),
      { seed: 1621, numRuns: 300 },
    );
  });
});
