/**
 * Ionisation deposits of the track shapes: multiply scattered electron paths (electron recoils, the
 * ⁵⁵Fe photoelectron, delta rays), straight power-law tracks (nuclear recoils, alphas) and muon
 * crossings. In: a start point (x, y in px of the frame, z = drift depth in cm), a direction, an
 * energy (keV). Out: deposits pushed onto a `Deposits` list — position, visible (ionisation-equivalent)
 * energy and deposited energy, keV. Deposits outside the gas (z < 0 or z > the drift length) are
 * dropped (the particle left the visible volume); those far outside the frame are dropped too.
 * Ignored: secondary X-rays, Auger electrons, recoil straggling, magnetic fields.
 */
import type { Rng } from '../../core/rng.js';
import { isotropic, rotate, type Vec3 } from '../common.js';
import type { LimeConfig } from '../../config/lime.js';
import { electronEnergyAtRange, electronRangeCm, muonClusterMinKeV, recoilQuenching, type RecoilSpecies } from './physics.js';

/** Struct-of-arrays list of deposits: x, y in px, z in cm, energies in keV. */
export class Deposits {
  readonly x: number[] = [];
  readonly y: number[] = [];
  readonly z: number[] = [];
  /** Visible energy: what ionises (after quenching), keV. */
  readonly eVis: number[] = [];
  /** Deposited energy (before quenching), keV. */
  readonly eDep: number[] = [];

  get length(): number {
    return this.x.length;
  }
}

/** Where deposits go: frame geometry in px, drift length in cm, the config. */
export class TrackContext {
  readonly pxPerCm: number;
  readonly driftLengthCm: number;
  /** Deposits farther than this outside the frame cannot light it (3.5 σ at the largest depth), px. */
  readonly marginPx: number;

  constructor(
    readonly cfg: LimeConfig,
    readonly deposits: Deposits,
  ) {
    this.pxPerCm = 10 / cfg.camera.pixelPitchMm;
    this.driftLengthCm = cfg.physics.driftMaxCm;
    const sigmaMaxMm = Math.sqrt(cfg.physics.sigma0Mm ** 2 + cfg.physics.diffusionTMmPerSqrtCm ** 2 * this.driftLengthCm);
    this.marginPx = Math.ceil((cfg.physics.truncationSigmas * sigmaMaxMm) / cfg.camera.pixelPitchMm) + 1;
  }

  /** Adds a deposit at (x, y) px, z cm, unless it lies outside the gas or far outside the frame. */
  push(x: number, y: number, z: number, eVis: number, eDep: number): void {
    if (!(eDep > 0) || z < 0 || z > this.driftLengthCm) return;
    const m = this.marginPx;
    if (x < -m || y < -m || x > this.cfg.camera.width + m || y > this.cfg.camera.height + m) return;
    const d = this.deposits;
    d.x.push(x);
    d.y.push(y);
    d.z.push(z);
    d.eVis.push(eVis);
    d.eDep.push(eDep);
  }
}

/** Longest electron step, cm: 0.2 mm keeps deposits closer than the smallest diffusion σ (0.35 mm). */
const MAX_STEP_CM = 0.02;
/** Steps per residual range: the path bends on the scale of the residual range. */
const STEPS_PER_RANGE = 8;

/**
 * A multiply scattered electron: steps of at most a residual range / 8; the energy lost in a step
 * follows the range–energy relation (so the deposit density grows toward the end); each step turns
 * by a Gaussian angle of rms `scattering`·√(step / residual range) (growing as the electron slows),
 * and with probability `kinksPerRange`·step / range by an isotropic large-angle kink.
 */
export function electronTrack(ctx: TrackContext, rng: Rng, start: Vec3, direction: Vec3, eKeV: number): void {
  const er = ctx.cfg.events.er;
  const k = ctx.pxPerCm;
  let [x, y, z] = [start[0] / k, start[1] / k, start[2]]; // cm
  let d = direction;
  let e = eKeV;
  for (let guard = 0; e > 0 && guard < 100000; guard++) {
    const r = electronRangeCm(ctx.cfg, e);
    const step = Math.min(MAX_STEP_CM, r / STEPS_PER_RANGE);
    // the last stretch, or a range below 1 µm: everything left goes in one deposit
    if (r < 1e-4 || e < 0.2) {
      ctx.push((x + (d[0] * r) / 2) * k, (y + (d[1] * r) / 2) * k, z + (d[2] * r) / 2, e, e);
      return;
    }
    const e1 = electronEnergyAtRange(ctx.cfg, r - step);
    const de = e - e1;
    ctx.push((x + (d[0] * step) / 2) * k, (y + (d[1] * step) / 2) * k, z + (d[2] * step) / 2, de, de);
    x += d[0] * step;
    y += d[1] * step;
    z += d[2] * step;
    e = e1;
    const theta =
      rng.uniform() < (er.kinksPerRange * step) / r ? Math.acos(2 * rng.uniform() - 1) : Math.abs(er.scattering * Math.sqrt(step / r) * rng.normal());
    d = rotate(d, Math.min(Math.PI, theta), 2 * Math.PI * rng.uniform());
  }
}

/**
 * A straight track whose residual range r maps to energy E(r) = E0·(r/R0)^(1/p) (R ∝ E^p); steps of
 * ~0.5 px. `visible(E)` is the ionisation-equivalent energy of a particle of energy E (quenching), so a
 * step from E_a to E_b deposits visible(E_a) − visible(E_b).
 */
export function powerLawTrack(
  ctx: TrackContext,
  start: Vec3,
  direction: Vec3,
  e0: number,
  rangeCm: number,
  exponent: number,
  visible: (e: number) => number,
): void {
  const k = ctx.pxPerCm;
  const steps = Math.min(4000, Math.max(1, Math.ceil(rangeCm * k * 2)));
  const ds = rangeCm / steps;
  let ePrev = e0;
  let vPrev = visible(e0);
  for (let i = 1; i <= steps; i++) {
    const residual = rangeCm - i * ds;
    const e = i === steps ? 0 : e0 * Math.pow(residual / rangeCm, 1 / exponent);
    const v = i === steps ? 0 : visible(e);
    const s = (i - 0.5) * ds; // cm from the start, step midpoint
    ctx.push(start[0] + direction[0] * s * k, start[1] + direction[1] * s * k, start[2] + direction[2] * s, vPrev - v, ePrev - e);
    ePrev = e;
    vPrev = v;
  }
}

/** Visible energy of a recoiling nucleus of energy e: e·q(e) (Lindhard). */
export const quenchedVisible = (species: RecoilSpecies) => (e: number) => e * recoilQuenching(species, e);

/**
 * A cosmic muon through `vertex` along `direction`, clipped to the gas (and the frame plus margin):
 * primary clusters at exponential spacing, energies from the 1/E² spectrum whose mean gives dE/dx;
 * clusters above `deltaTrackMinKeV` are delta rays, tracked as electrons in a random direction.
 */
export function muonTrack(ctx: TrackContext, rng: Rng, vertex: Vec3, direction: Vec3): void {
  const mu = ctx.cfg.events.muon;
  const k = ctx.pxPerCm;
  const m = ctx.marginPx / k; // cm
  const lo: Vec3 = [-m, -m, 0];
  const hi: Vec3 = [ctx.cfg.camera.width / k + m, ctx.cfg.camera.height / k + m, ctx.driftLengthCm];
  const p: Vec3 = [vertex[0] / k, vertex[1] / k, vertex[2]];
  // slab clipping of the infinite line p + t·d to the box
  let t0 = -Infinity;
  let t1 = Infinity;
  for (let a = 0; a < 3; a++) {
    if (Math.abs(direction[a]) < 1e-12) {
      if (p[a] < lo[a] || p[a] > hi[a]) return;
      continue;
    }
    const ta = (lo[a] - p[a]) / direction[a];
    const tb = (hi[a] - p[a]) / direction[a];
    t0 = Math.max(t0, Math.min(ta, tb));
    t1 = Math.min(t1, Math.max(ta, tb));
  }
  if (!(t1 > t0)) return;
  const eMin = muonClusterMinKeV(ctx.cfg);
  const eMax = mu.deltaMaxKeV;
  for (let t = t0 + rng.exponential(1 / mu.clustersPerCm); t < t1; t += rng.exponential(1 / mu.clustersPerCm)) {
    const e = 1 / (1 / eMin - rng.uniform() * (1 / eMin - 1 / eMax));
    const at: Vec3 = [(p[0] + direction[0] * t) * k, (p[1] + direction[1] * t) * k, p[2] + direction[2] * t];
    if (e >= mu.deltaTrackMinKeV) electronTrack(ctx, rng, at, isotropic(rng), e);
    else ctx.push(at[0], at[1], at[2], e, e);
  }
}
