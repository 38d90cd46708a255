/** Event facts of a hand-made overlap sample (the values only need to survive a round trip). */
import type { SampleFacts } from '../../src/core/overlap-sample.js';

export const sampleFacts = (id: string, kind: 'hybrid' | 'nr-only' = 'hybrid'): SampleFacts => ({
  id,
  kind,
  erEnergyKeV: kind === 'hybrid' ? 5 : 0,
  nrEnergyKeV: 120,
  nrVisibleKeV: 70,
  nrSpecies: 'f',
  vertexX: 3.5,
  vertexY: 2.25,
  erDirX: 0.6,
  erDirY: -0.8,
});
