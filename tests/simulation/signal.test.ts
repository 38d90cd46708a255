import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { resolveLimeConfig, type LimeConfig } from '../../src/config/lime.js';
import { sampleEvent, visibleEnergyKeV } from '../../src/simulation/lime/events.js';
import { quantize } from '../../src/simulation/lime/noise.js';
import { vignettingMap } from '../../src/simulation/lime/optics.js';
import { alphaRangeCm } from '../../src/simulation/lime/physics.js';
import { EventRenderer, type EventImage } from '../../src/simulation/lime/render.js';
import { LimeSimulator } from '../../src/simulation/lime/simulator.js';
import { isotropic } from '../../src/simulation/common.js';
import { Deposits, TrackContext, electronTrack, powerLawTrack } from '../../src/simulation/lime/tracks.js';

const SIZE = 256;
const cfgOf = (extra: Record<string, unknown> = {}): LimeConfig => resolveLimeConfig({ camera: { width: SIZE, height: SIZE }, ...extra });
const sum = (img: EventImage | null) => (img ? img.counts.reduce((a, b) => a + b, 0) : 0);

/** Mean truth sum of n ⁵⁵Fe spots (5.9 keV) at the frame centre, depths uniform in [z0, z1] cm. */
function fe55Mean(cfg: LimeConfig, n: number, z0: number, z1: number, seed: number): number {
  const renderer = new EventRenderer(cfg, vignettingMap(cfg));
  const rng = new Rng(seed);
  let total = 0;
  for (let k = 0; k < n; k++) {
    const d = new Deposits();
    electronTrack(new TrackContext(cfg, d), rng, [SIZE / 2, SIZE / 2, rng.range(z0, z1)], isotropic(rng), 5.9);
    total += sum(renderer.render(d, rng));
  }
  return total / n;
}

describe('signal calibration', () => {
  it('a ⁵⁵Fe spot at the centre sums to ≈ 10⁴ counts (linear yield, mean of 24 spots)', () => {
    // without saturation the light yield is exact: 5.9 keV × 1700 counts/keV = 10 030 counts;
    // the spread of one spot is the first GEM's exponential gain, 1/√(5900/46.2) ≈ 9%
    const mean = fe55Mean(cfgOf({ physics: { saturation: false } }), 24, 0, 50, 1);
    expect(Math.abs(mean / 10030 - 1)).toBeLessThan(0.1);
  });

  it('with saturation on, ⁵⁵Fe spots away from the GEM stay within 10% of 10⁴; near the GEM they lose light', () => {
    const far = fe55Mean(cfgOf(), 24, 10, 50, 2);
    expect(Math.abs(far / 1e4 - 1)).toBeLessThan(0.1);
    const near = fe55Mean(cfgOf(), 24, 0, 2, 3);
    expect(near).toBeLessThan(0.9 * far);
  });

  it('alphas are long, straight and very bright but saturated (~10⁶ counts, a few hundred per pixel)', () => {
    const cfg = resolveLimeConfig({ camera: { width: 768, height: 768 } });
    const renderer = new EventRenderer(cfg, vignettingMap(cfg));
    const rng = new Rng(4);
    const d = new Deposits();
    // a 5.5 MeV alpha at mid depth, nearly parallel to the GEM plane
    const dir: [number, number, number] = [0.8, 0.6, 0];
    powerLawTrack(new TrackContext(cfg, d), [200, 200, 25], dir, 5500, alphaRangeCm(cfg, 5500), cfg.events.alpha.rangeExponent, (e) => e);
    const img = renderer.render(d, rng)!;
    const total = sum(img);
    const peak = img.counts.reduce((a, b) => Math.max(a, b), 0);
    const lit = img.counts.filter((v) => v > 1.3).length;
    expect(total).toBeGreaterThan(5e5);
    expect(total).toBeLessThan(4e6);
    expect(total).toBeLessThan(0.5 * 5500 * cfg.physics.lightYieldCountsPerKeV); // saturation
    expect(peak).toBeGreaterThan(100);
    expect(peak).toBeLessThan(800);
    expect(lit).toBeGreaterThan(4000);
    expect(lit).toBeLessThan(30000);
  });
});

describe('event shapes', () => {
  const cfg = cfgOf();
  const extent = (d: Deposits) => Math.hypot(Math.max(...d.x) - Math.min(...d.x), Math.max(...d.y) - Math.min(...d.y));

  it('every type yields deposits; ⁵⁵Fe and contained ERs deposit their energy', () => {
    const rng = new Rng(5);
    const seen = new Set<string>();
    for (let id = 0; id < 200 && seen.size < 5; id++) {
      const ev = sampleEvent(cfg, rng, id);
      seen.add(ev.type);
      expect(ev.vertex[0]).toBeGreaterThanOrEqual(0);
      expect(ev.vertex[0]).toBeLessThan(SIZE);
      if (ev.type === 'fe55') expect([5.9, 6.49]).toContain(ev.initialKeV);
      if (ev.type === 'muon') expect(ev.deposits.length).toBeGreaterThan(0);
      if (ev.type === 'nr') expect(visibleEnergyKeV(cfg, ev.deposits)).toBeLessThanOrEqual(ev.initialKeV + 1e-9);
    }
    expect(seen.size).toBe(5);
  });

  it('ER ranges grow with energy: ~1 mm at 10 keV, cm at 60 keV; deposits sum to the energy', () => {
    const big = resolveLimeConfig({ camera: { width: 2304, height: 2304 } });
    const rng = new Rng(6);
    for (const [e, lo, hi] of [
      [10, 1, 12],
      [60, 25, 400],
    ] as const) {
      const d = new Deposits();
      electronTrack(new TrackContext(big, d), rng, [1152, 1152, 25], [1, 0, 0], e);
      const deposited = d.eDep.reduce((a, b) => a + b, 0);
      expect(deposited).toBeCloseTo(e, 6);
      expect(extent(d)).toBeGreaterThan(lo); // px (0.15 mm each)
      expect(extent(d)).toBeLessThan(hi);
    }
  });

  it('nuclear recoils below 100 keV are shorter than 1 mm; muons cross the frame', () => {
    const rng = new Rng(7);
    let nr = 0;
    let muon = 0;
    for (let id = 0; id < 400 && (nr < 5 || muon < 3); id++) {
      const ev = sampleEvent(cfgOf({ events: { weights: { fe55: 0, er: 0, nr: 1, muon: 1, alpha: 0 }, nr: { maxKeV: 100 } } }), rng, id);
      if (ev.deposits.length === 0) continue;
      if (ev.type === 'nr') {
        nr++;
        expect(extent(ev.deposits)).toBeLessThan(1 / 0.15);
      } else {
        muon++;
        expect(extent(ev.deposits)).toBeGreaterThan(SIZE / 4);
      }
    }
    expect(nr).toBeGreaterThan(0);
    expect(muon).toBeGreaterThan(0);
  });
});

describe('data frames and truth', () => {
  it('truth pixels lie inside the frame, sorted, with counts ≥ minCounts', () => {
    const cfg = cfgOf({ events: { perFrame: 4 } });
    const sim = new LimeSimulator(cfg, 8);
    for (let f = 0; f < 3; f++) {
      const { truth } = sim.dataFrame(f, [4 * f, 4 * f + 1, 4 * f + 2, 4 * f + 3]);
      expect(truth.events.map((e) => e.id)).toEqual([4 * f, 4 * f + 1, 4 * f + 2, 4 * f + 3]);
      for (const e of truth.events) {
        const { index, counts } = e.pixels;
        expect(index.length).toBe(counts.length);
        const bad = index.filter((i, k) => !(i >= 0 && i < SIZE * SIZE && (k === 0 || i > index[k - 1]) && counts[k] >= cfg.truth.minCounts));
        expect(bad).toEqual([]);
      }
    }
  });

  it('data frame − its own noise = photon counts of the truth (zero where no light)', () => {
    const cfg = cfgOf();
    const sim = new LimeSimulator(cfg, 9);
    let truthTotal = 0;
    let diffTotal = 0;
    let diffOnTruth = 0;
    let truthOnTruth = 0;
    let negative = 0;
    for (let f = 0; f < 3; f++) {
      const { frame, truth } = sim.dataFrame(f, [3 * f, 3 * f + 1, 3 * f + 2]);
      const noise = quantize(sim.noise(`data:${f}/noise`, cfg.runs.dataRun));
      const lit = new Map<number, number>();
      for (const e of truth.events) e.pixels.index.forEach((i, k) => lit.set(i, (lit.get(i) ?? 0) + e.pixels.counts[k]));
      for (let i = 0; i < frame.data.length; i++) {
        const diff = frame.data[i] - noise[i];
        if (diff < 0) negative++; // light only adds
        diffTotal += diff;
        if (lit.has(i)) {
          diffOnTruth += diff;
          truthOnTruth += lit.get(i)!;
        }
      }
      for (const v of lit.values()) truthTotal += v;
    }
    expect(negative).toBe(0);
    expect(truthTotal).toBeGreaterThan(1000);
    // Poisson counts over the truth pixels match the truth within a few % (√N ≪ N)
    expect(Math.abs(diffOnTruth / truthOnTruth - 1)).toBeLessThan(0.03);
    // outside the truth only sub-threshold light (< 0.5 counts per pixel) adds a little
    expect(diffTotal - diffOnTruth).toBeLessThan(0.05 * truthTotal);
  });
});
