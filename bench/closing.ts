/**
 * Benchmark of closeMask (the ROI closing, spec radius 40 px) on realistic sparse masks: the analysis
 * grid 1024×1024 and the full LIME frame 2304×2304. Target: well under the ≈ 50 ms per-frame trigger
 * budget at 1024².
 *
 * Mask model, per 1024² of area (scaled with the area for the larger frame): 300 isolated noise pixels
 * (what survives τ on a pedestal) plus 6 random-walk tracks, 2–3 px thick, 100–400 steps long, broken
 * into fragments (what the threshold leaves of a faint track: the closing has something to join).
 * Seeded, so every run times the same masks.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/closing.js
 * Writes bench/results/closing.json: [{ size, radius, medianMs, runs }].
 */
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic } from '../src/core/atomic-write.js';
import { Rng } from '../src/core/rng.js';
import { closeMask } from '../src/roi/closing.js';

const RADIUS = 40; // px, spec "From residual map to ROIs" step 2
const CASES = [
  { size: 1024, runs: 15 },
  { size: 2304, runs: 7 },
];
const WARMUP_RUNS = 2; // let V8 optimise the loops before timing
const NOISE_PIXELS_PER_MPX = 300;
const TRACKS_PER_MPX = 6;

export interface ClosingBenchRow {
  size: number;
  radius: number;
  medianMs: number;
  runs: number;
}

function sparseMask(size: number, rng: Rng): Uint8Array {
  const mask = new Uint8Array(size * size);
  const scale = (size * size) / (1024 * 1024);
  for (let k = Math.round(NOISE_PIXELS_PER_MPX * scale); k > 0; k--) mask[rng.int(0, size * size - 1)] = 1;
  for (let t = Math.round(TRACKS_PER_MPX * scale); t > 0; t--) {
    let x = rng.range(0, size);
    let y = rng.range(0, size);
    let angle = rng.range(0, 2 * Math.PI);
    const half = rng.pick([1, 1.5]); // 2–3 px wide
    let on = true;
    for (let step = rng.int(100, 400); step > 0; step--) {
      angle += rng.normal(0, 0.15); // gentle curvature, as for an electron recoil
      x += Math.cos(angle);
      y += Math.sin(angle);
      if (rng.uniform() < 0.05) on = !on; // fragments and gaps of ~20 steps
      if (!on) continue;
      for (let dy = -Math.ceil(half); dy <= Math.ceil(half); dy++) {
        for (let dx = -Math.ceil(half); dx <= Math.ceil(half); dx++) {
          const u = Math.round(x) + dx;
          const v = Math.round(y) + dy;
          if (dx * dx + dy * dy <= half * half && u >= 0 && u < size && v >= 0 && v < size) mask[v * size + u] = 1;
        }
      }
    }
  }
  return mask;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fraction(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n / mask.length;
}

function main(): void {
  const rows: ClosingBenchRow[] = [];
  console.log(`closeMask, disk radius ${RADIUS} px, Node ${process.version}`);
  console.log('size        runs   median ms   min ms   max ms   mask %   closed %');
  for (const { size, runs } of CASES) {
    const mask = sparseMask(size, Rng.derive(20240611, `closing-bench-${size}`));
    let closed = closeMask(mask, size, size, RADIUS);
    for (let w = 1; w < WARMUP_RUNS; w++) closed = closeMask(mask, size, size, RADIUS);
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      closed = closeMask(mask, size, size, RADIUS);
      times.push(performance.now() - t0);
    }
    const medianMs = median(times);
    rows.push({ size, radius: RADIUS, medianMs: Math.round(medianMs * 100) / 100, runs });
    console.log(
      [
        `${size}×${size}`.padEnd(10),
        String(runs).padStart(6),
        medianMs.toFixed(1).padStart(11),
        Math.min(...times).toFixed(1).padStart(8),
        Math.max(...times).toFixed(1).padStart(8),
        (100 * fraction(mask)).toFixed(3).padStart(8),
        (100 * fraction(closed)).toFixed(3).padStart(10),
      ].join(' '),
    );
  }
  // Compiled to dist/bench/closing.js: the repository root is two levels up.
  const out = fileURLToPath(new URL('../../bench/results/closing.json', import.meta.url));
  writeJsonAtomic(out, rows);
  console.log(`wrote ${out}`);
}

main();
