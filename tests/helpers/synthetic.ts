/** Small synthetic pedestal frames with known statistics, for tests that must not depend on the simulator. */
import { makeFrame, type Frame } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';

/** `size`×`size` frames, or `size` wide and `opts.height` tall. */
export function noiseFrames(n: number, size: number, seed: number, opts: { mean?: number; sigma?: number; rowOffset?: number; height?: number } = {}): Frame<Uint16Array>[] {
  const mean = opts.mean ?? 100;
  const sigma = opts.sigma ?? 2;
  const height = opts.height ?? size;
  const frames: Frame<Uint16Array>[] = [];
  for (let f = 0; f < n; f++) {
    const rng = Rng.derive(seed, `noise:${f}`);
    const d = new Uint16Array(size * height);
    for (let y = 0; y < height; y++) {
      const row = opts.rowOffset ? rng.normal(0, opts.rowOffset) : 0;
      for (let x = 0; x < size; x++) d[y * size + x] = Math.max(0, Math.round(mean + row + rng.normal(0, sigma)));
    }
    frames.push(makeFrame(size, height, d, { source: `synthetic-${f}` }));
  }
  return frames;
}

export function sequenceOf<T>(items: T[]): () => AsyncIterable<T> {
  return async function* () {
    for (const x of items) yield x;
  };
}
