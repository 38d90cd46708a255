/**
 * Event generator: draws one interaction — type (by the configured weights), energy, vertex (uniform
 * over the frame), drift depth (uniform over the configured range), direction — and its ionisation
 * deposits (tracks.ts). In: config, the event's Rng, an id. Out: a `SimEvent` whose deposits still
 * have to be rendered (render.ts). The truth energy is the energy deposited inside the frame and the
 * gas (`visibleEnergyKeV`): a muon crossing the frame only counts the part the camera sees.
 * Ignored: event-to-event correlations, source geometry (the ⁵⁵Fe spots fall anywhere), pile-up effects.
 */
import type { Rng } from '../../core/rng.js';
import type { EventType, LimeConfig } from '../../config/lime.js';
import { alphaRangeCm, recoilRangeCm, type RecoilSpecies } from './physics.js';
import { drawSpectrum, isotropic, type Vec3 } from '../common.js';
import { Deposits, TrackContext, electronTrack, muonTrack, powerLawTrack, quenchedVisible } from './tracks.js';

export interface SimEvent {
  readonly id: number;
  readonly type: EventType;
  /** Generated vertex in frame px (x, y); for a muon, the point of the line drawn uniformly over the frame. */
  readonly vertex: [number, number];
  /** Drift depth of the vertex, cm. */
  readonly depthCm: number;
  /** Energy drawn for the particle (keV; for a muon, 0: it only crosses), before clipping to the visible gas. */
  readonly initialKeV: number;
  readonly deposits: Deposits;
}

/** Muon direction: zenith angle with intensity ∝ cos²θ per solid angle; the image's +y axis points down. */
function muonDirection(rng: Rng): Vec3 {
  const cosT = Math.cbrt(rng.uniform()); // pdf(cosθ) ∝ cos²θ on [0, 1]
  const sinT = Math.sqrt(1 - cosT * cosT);
  const phi = 2 * Math.PI * rng.uniform();
  return [sinT * Math.cos(phi), cosT, sinT * Math.sin(phi)];
}

export function sampleEvent(cfg: LimeConfig, rng: Rng, id: number): SimEvent {
  const ev = cfg.events;
  const type = rng.weighted(ev.weights);
  const x = rng.uniform() * cfg.camera.width;
  const y = rng.uniform() * cfg.camera.height;
  const z = rng.range(cfg.physics.driftMinCm, cfg.physics.driftMaxCm);
  const start: Vec3 = [x, y, z];
  const deposits = new Deposits();
  const ctx = new TrackContext(cfg, deposits);
  let initialKeV = 0;
  switch (type) {
    case 'fe55':
      initialKeV = rng.uniform() < ev.fe55.kBetaFraction ? ev.fe55.kBetaKeV : ev.fe55.energyKeV;
      electronTrack(ctx, rng, start, isotropic(rng), initialKeV);
      break;
    case 'er':
      initialKeV = drawSpectrum(rng, ev.er);
      electronTrack(ctx, rng, start, isotropic(rng), initialKeV);
      break;
    case 'nr': {
      const species = rng.weighted(ev.nr.species) as RecoilSpecies;
      initialKeV = drawSpectrum(rng, ev.nr);
      powerLawTrack(ctx, start, isotropic(rng), initialKeV, recoilRangeCm(cfg, species, initialKeV), ev.nr.rangeExponent, quenchedVisible(species));
      break;
    }
    case 'muon':
      muonTrack(ctx, rng, start, muonDirection(rng));
      break;
    case 'alpha':
      initialKeV = rng.range(ev.alpha.minKeV, ev.alpha.maxKeV);
      powerLawTrack(ctx, start, isotropic(rng), initialKeV, alphaRangeCm(cfg, initialKeV), ev.alpha.rangeExponent, (e) => e);
      break;
  }
  return { id, type, vertex: [x, y], depthCm: z, initialKeV, deposits };
}

/** Energy deposited inside the frame (and the gas: other deposits were never kept), keV. */
export function visibleEnergyKeV(cfg: LimeConfig, deposits: Deposits): number {
  let sum = 0;
  const { width: w, height: h } = cfg.camera;
  for (let i = 0; i < deposits.length; i++) {
    const x = deposits.x[i];
    const y = deposits.y[i];
    if (x >= 0 && y >= 0 && x < w && y < h) sum += deposits.eDep[i];
  }
  return sum;
}
