/**
 * Tiny hand-made overlap samples for the training tests: a bright NR blob and a faint ER line from
 * the same vertex on a W×H frame with Gaussian noise, prepared exactly as simulated ones are.
 */
import { Rng } from '../../src/core/rng.js';
import { prepareSample, type OverlapSample } from '../../src/core/overlap-sample.js';
import { PREPARATION_DEFAULTS } from '../../src/config/overlap-sample.js';

export function tinySamples(n: number, seed: number, width = 32, height = 16): OverlapSample[] {
  return Array.from({ length: n }, (_, i) => {
    const rng = Rng.derive(seed, i);
    const hybrid = i % 2 === 0;
    const px = width * height;
    const er = new Float32Array(px);
    const nr = new Float32Array(px);
    const vx = rng.int(6, width - 7);
    const vy = rng.int(4, height - 5);
    // NR: a 5×3 blob of ~2000 ADU around the vertex
    for (let dy = -1; dy <= 1; dy++) for (let dx = -2; dx <= 2; dx++) nr[(vy + dy) * width + vx + dx] = 2000 * Math.exp(-(dx * dx + dy * dy) / 4);
    const angle = rng.range(0, 2 * Math.PI);
    const length = rng.range(3, 6);
    if (hybrid) {
      for (let t = 0; t <= length; t += 0.5) {
        const x = Math.round(vx + t * Math.cos(angle));
        const y = Math.round(vy + t * Math.sin(angle));
        if (x >= 0 && x < width && y >= 0 && y < height) er[y * width + x] = 60;
      }
    }
    const input = new Float32Array(px);
    for (let k = 0; k < px; k++) input[k] = er[k] + nr[k] + 3 * rng.normal();
    return prepareSample(
      { id: `t-${i}`, kind: hybrid ? 'hybrid' : 'nr-only', erEnergyKeV: hybrid ? 4 + (i % 11) : 0, nrEnergyKeV: 100, nrVisibleKeV: 60, nrSpecies: 'f', vertexX: vx, vertexY: vy, erDirX: hybrid ? Math.cos(angle) : 0, erDirY: hybrid ? Math.sin(angle) : 0 },
      width,
      height,
      { input, er, nr },
      PREPARATION_DEFAULTS,
    );
  });
}
