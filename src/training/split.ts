/**
 * The seeded draws both trainers share: a Fisher–Yates shuffle and the train/validation split.
 * Every draw comes from the Rng passed in (or Rng.derive(seed, 'split')), so the autoencoder and the
 * OASIS U-Net split and shuffle the same way, and a resumed run redraws what the uninterrupted one drew.
 */
import { Rng } from '../core/rng.js';

/** A shuffled copy of `items` (Fisher–Yates from the back, j uniform in [0, i]). */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Deterministic train/validation split of 0…n−1: a seeded shuffle, the first round(f·N) indices
 * (at least 1, at most N − 1, none when f = 0 or N < 2) validate, returned sorted; the rest train in
 * the shuffled order.
 */
export function splitIndices(n: number, fraction: number, seed: number): { train: number[]; val: number[] } {
  const order = shuffled(
    Array.from({ length: n }, (_, i) => i),
    Rng.derive(seed, 'split'),
  );
  const nVal = fraction > 0 && n >= 2 ? Math.min(n - 1, Math.max(1, Math.round(fraction * n))) : 0;
  return { val: order.slice(0, nVal).sort((a, b) => a - b), train: order.slice(nVal) };
}
