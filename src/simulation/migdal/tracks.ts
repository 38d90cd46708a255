/**
 * Primary ionisation of MIGDAL recoils: energy spectra, range–energy relations, Lindhard quenching and
 * the 3-D paths of an electron recoil (ER) and a nuclear recoil (NR) leaving a vertex.
 *
 * In: the resolved config, an Rng, the vertex (px, depth cm) and an energy. Out: `Segments`, straight
 * pieces of path in image px (x, y) and drift depth (cm) each carrying an ionisation energy (keV,
 * quenching applied). Pieces whose midpoint falls outside the drift gap (0 ≤ z ≤ gap) are dropped:
 * their charge never reaches the GEMs.
 * Ignored: delta rays and secondary X-rays (the ER is one continuous path), energy-loss straggling,
 * the NR's secondary recoils (its path is one straight-ish line), Fano factor (counts are Poisson).
 */
import type { Rng } from '../../core/rng.js';
import { nrMaxKeV, type MigdalConfig, type NrSpecies } from '../../config/migdal.js';

/** Straight path pieces: endpoints in image px and depth cm, ionisation energy in keV. [n] each */
export interface Segments {
  x0: number[];
  y0: number[];
  z0: number[];
  x1: number[];
  y1: number[];
  z1: number[];
  keV: number[];
}

export interface Vertex {
  /** Image position, px (x = column, y = row). */
  x: number;
  y: number;
  /** Drift depth, cm. */
  z: number;
}

type Vec3 = [number, number, number];

export const emptySegments = (): Segments => ({ x0: [], y0: [], z0: [], x1: [], y1: [], z1: [], keV: [] });

export function segmentsEnergyKeV(s: Segments): number {
  return s.keV.reduce((a, b) => a + b, 0);
}

/** Isotropic unit vector in 3-D. */
export function isotropic(rng: Rng): Vec3 {
  const cz = 2 * rng.uniform() - 1;
  const phi = 2 * Math.PI * rng.uniform();
  const s = Math.sqrt(Math.max(0, 1 - cz * cz));
  return [s * Math.cos(phi), s * Math.sin(phi), cz];
}

/** Turn `d` by a polar angle θ = σ·|N(0,1)²|^½ (2-D Gaussian) about a uniform azimuth. */
function deflect(d: Vec3, sigma: number, rng: Rng): Vec3 {
  if (sigma <= 0) return d;
  const theta = sigma * Math.hypot(rng.normal(), rng.normal());
  const phi = 2 * Math.PI * rng.uniform();
  // an orthonormal pair (u, v) perpendicular to d
  const a: Vec3 = Math.abs(d[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const u = normalise(cross(d, a));
  const v = cross(d, u);
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  return normalise([
    d[0] * c + s * (Math.cos(phi) * u[0] + Math.sin(phi) * v[0]),
    d[1] * c + s * (Math.cos(phi) * u[1] + Math.sin(phi) * v[1]),
    d[2] * c + s * (Math.cos(phi) * u[2] + Math.sin(phi) * v[2]),
  ]);
}

const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
function normalise(a: Vec3): Vec3 {
  const n = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / n, a[1] / n, a[2] / n];
}

// ---- electron recoils ---------------------------------------------------------------------------

export function sampleErEnergy(cfg: MigdalConfig, rng: Rng): number {
  const { minKeV: lo, maxKeV: hi, spectrum } = cfg.er;
  return spectrum === 'uniform' ? rng.range(lo, hi) : lo * Math.pow(hi / lo, rng.uniform());
}

/** ER path length (CSDA), mm: R = a·E^b. */
export function erRangeMm(cfg: MigdalConfig, keV: number): number {
  return cfg.er.rangeCoefficientMm * Math.pow(keV, cfg.er.rangeExponent);
}

/**
 * ER path from the vertex along `dir0`, in steps of equal energy loss: with b > 1 the step length
 * R(E_i) − R(E_{i+1}) shrinks toward the end, so the same energy lands on less path (Bragg-like dense
 * end), and the deflection σ·√(step / residual range) grows (the curly end).
 */
export function erTrack(cfg: MigdalConfig, rng: Rng, vertex: Vertex, keV: number, dir0: Vec3): Segments {
  const out = emptySegments();
  const n = cfg.er.steps;
  const toPx = 1 / cfg.image.pixelMm;
  let d = dir0;
  let p: Vec3 = [0, 0, 0]; // mm from the vertex; z grows with drift depth
  for (let i = 0; i < n; i++) {
    const e0 = keV * (1 - i / n);
    const e1 = keV * (1 - (i + 1) / n);
    const residual = erRangeMm(cfg, e0);
    const ds = residual - erRangeMm(cfg, e1);
    const q: Vec3 = [p[0] + ds * d[0], p[1] + ds * d[1], p[2] + ds * d[2]];
    push(out, cfg, vertex, p, q, e0 - e1, toPx);
    p = q;
    d = deflect(d, cfg.er.scattering * Math.sqrt(ds / residual), rng);
  }
  return out;
}

// ---- nuclear recoils ----------------------------------------------------------------------------

export function sampleNrSpecies(cfg: MigdalConfig, rng: Rng): NrSpecies {
  const sp = cfg.nr.species;
  return rng.weighted({ f: sp.f.weight, c: sp.c.weight });
}

/** Recoil energy from p(E) ∝ (1 − E/E_max)^k on [E_min, E_max], by inverting its CDF. */
export function sampleNrEnergy(cfg: MigdalConfig, species: NrSpecies, rng: Rng): number {
  const eMax = nrMaxKeV(cfg, species);
  const k1 = cfg.nr.spectrumPower + 1;
  // survival S(E) = (1 − E/E_max)^{k+1}; draw S uniformly in (0, S(E_min)]
  const sMin = Math.pow(1 - cfg.nr.minKeV / eMax, k1);
  const s = sMin * (1 - rng.uniform());
  return eMax * (1 - Math.pow(s, 1 / k1));
}

/** Lindhard quenching factor (fraction of the recoil energy that goes to ionisation). */
export function quenchingFactor(cfg: MigdalConfig, species: NrSpecies, keV: number): number {
  if (!cfg.nr.quenching || keV <= 0) return 1;
  const { a, z } = cfg.nr.species[species];
  const k = (0.133 * Math.pow(z, 2 / 3)) / Math.sqrt(a);
  const eps = 11.5 * keV * Math.pow(z, -7 / 3);
  const g = 3 * Math.pow(eps, 0.15) + 0.7 * Math.pow(eps, 0.6) + eps;
  return (k * g) / (1 + k * g);
}

export function nrRangeMm(cfg: MigdalConfig, species: NrSpecies, keV: number): number {
  return cfg.nr.species[species].rangeMmAt100KeV * Math.pow(keV / 100, cfg.nr.rangeExponent);
}

/**
 * NR path in steps of equal recoil energy; each step carries the visible (quenched) energy
 * QF(E_i)·E_i − QF(E_{i+1})·E_{i+1}, so the steps sum to QF(E₀)·E₀. With R ∝ E^0.8 the loss per mm
 * falls toward the end: the NR is brightest near the vertex, as heavy ions at these energies are.
 */
export function nrTrack(cfg: MigdalConfig, rng: Rng, vertex: Vertex, species: NrSpecies, keV: number, dir0: Vec3): Segments {
  const out = emptySegments();
  const n = cfg.nr.steps;
  const toPx = 1 / cfg.image.pixelMm;
  const total = nrRangeMm(cfg, species, keV);
  let d = dir0;
  let p: Vec3 = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const e0 = keV * (1 - i / n);
    const e1 = keV * (1 - (i + 1) / n);
    const ds = nrRangeMm(cfg, species, e0) - nrRangeMm(cfg, species, e1);
    const visible = quenchingFactor(cfg, species, e0) * e0 - quenchingFactor(cfg, species, e1) * e1;
    const q: Vec3 = [p[0] + ds * d[0], p[1] + ds * d[1], p[2] + ds * d[2]];
    push(out, cfg, vertex, p, q, visible, toPx);
    p = q;
    d = deflect(d, cfg.nr.straggling * Math.sqrt(ds / total), rng);
  }
  return out;
}

/** Append one piece (mm from the vertex) in image px / depth cm, unless it lies outside the drift gap. */
function push(out: Segments, cfg: MigdalConfig, v: Vertex, p: Vec3, q: Vec3, keV: number, toPx: number): void {
  const z0 = v.z + p[2] / 10;
  const z1 = v.z + q[2] / 10;
  const zm = (z0 + z1) / 2;
  if (zm < 0 || zm > cfg.gas.driftGapCm || !(keV > 0)) return;
  out.x0.push(v.x + p[0] * toPx);
  out.y0.push(v.y + p[1] * toPx);
  out.z0.push(Math.min(Math.max(z0, 0), cfg.gas.driftGapCm));
  out.x1.push(v.x + q[0] * toPx);
  out.y1.push(v.y + q[1] * toPx);
  out.z1.push(Math.min(Math.max(z1, 0), cfg.gas.driftGapCm));
  out.keV.push(keV);
}
