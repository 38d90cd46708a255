/**
 * Detector-independent pieces of the simulators: directions in 3-D, Lindhard quenching, the normal
 * CDF used for pixel-integrated Gaussians, energy spectra. Pure functions of their arguments (no
 * config), so every detector's simulator can share them.
 */
import type { Rng } from '../core/rng.js';

export type Vec3 = [number, number, number];

/** Isotropic unit vector in 3-D. */
export function isotropic(rng: Rng): Vec3 {
  const c = 2 * rng.uniform() - 1;
  const s = Math.sqrt(Math.max(0, 1 - c * c));
  const phi = 2 * Math.PI * rng.uniform();
  return [s * Math.cos(phi), s * Math.sin(phi), c];
}

/** Unit vector d turned by polar angle theta about azimuth phi (both rad), renormalised. */
export function rotate(d: Vec3, theta: number, phi: number): Vec3 {
  // orthonormal pair (u, v) perpendicular to d: u = d × a for an axis a not parallel to d
  const [dx, dy, dz] = d;
  const [ax, ay] = Math.abs(dx) < 0.9 ? [1, 0] : [0, 1];
  let ux = -dz * ay;
  let uy = dz * ax;
  let uz = dx * ay - dy * ax;
  const un = Math.sqrt(ux * ux + uy * uy + uz * uz);
  ux /= un;
  uy /= un;
  uz /= un;
  const vx = dy * uz - dz * uy;
  const vy = dz * ux - dx * uz;
  const vz = dx * uy - dy * ux;
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const cp = Math.cos(phi);
  const sp = Math.sin(phi);
  const x = c * dx + s * (cp * ux + sp * vx);
  const y = c * dy + s * (cp * uy + sp * vy);
  const z = c * dz + s * (cp * uz + sp * vz);
  const n = Math.sqrt(x * x + y * y + z * z);
  return [x / n, y / n, z / n];
}

/**
 * Lindhard quenching factor (ionisation / recoil energy) of a nucleus (charge z, mass number a) of
 * energy eKeV recoiling in its own element: k = 0.133·Z^{2/3}/√A, ε = 11.5·E·Z^{−7/3},
 * g = 3ε^0.15 + 0.7ε^0.6 + ε, q = k·g / (1 + k·g).
 */
export function lindhardQuenching(z: number, a: number, eKeV: number): number {
  if (eKeV <= 0) return 0;
  const k = (0.133 * Math.pow(z, 2 / 3)) / Math.sqrt(a);
  const eps = 11.5 * eKeV * Math.pow(z, -7 / 3);
  const g = 3 * Math.pow(eps, 0.15) + 0.7 * Math.pow(eps, 0.6) + eps;
  return (k * g) / (1 + k * g);
}

/** Standard normal CDF via erf (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7): ample for pixel weights. */
export function normalCdf(t: number): number {
  const x = Math.abs(t) / Math.SQRT2;
  const k = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * k - 1.453152027) * k + 1.421413741) * k - 0.284496736) * k + 0.254829592) * k * Math.exp(-x * x);
  return t >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** An energy (keV) from a uniform or log-uniform spectrum on [minKeV, maxKeV]. */
export function drawSpectrum(rng: Rng, spec: { spectrum: 'log-uniform' | 'uniform'; minKeV: number; maxKeV: number }): number {
  const { minKeV: a, maxKeV: b } = spec;
  return spec.spectrum === 'uniform' ? rng.range(a, b) : a * Math.pow(b / a, rng.uniform());
}
