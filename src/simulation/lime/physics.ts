/**
 * Gas physics of LIME's He:CF4 60/40 at 1 atm, in closed forms cheap enough to call per step:
 * diffusion widths, range–energy relations (electrons, nuclear recoils, alphas), Lindhard quenching,
 * and the muon's primary-cluster energy spectrum.
 *
 * In: the config. Out: pure functions of energy (keV), range (cm) and depth (cm).
 * Simplifications (docs/SIMULATION.md): electron ranges follow Katz–Penfold (fit for 10 keV–3 MeV,
 * extrapolated below); recoil and alpha ranges are power laws R ∝ E^p; quenching is Lindhard's for the
 * recoiling nucleus alone in a single-element target; no Garfield/Geant4-level transport.
 */
import { lindhardQuenching } from '../common.js';
import type { LimeConfig } from '../../config/lime.js';

// ---- diffusion -------------------------------------------------------------------------------------

/** Drift part of the transverse spread, D_T·√z, in px (σ0 is added at rendering). */
export function driftSigmaTPx(cfg: LimeConfig, zCm: number): number {
  return (cfg.physics.diffusionTMmPerSqrtCm * Math.sqrt(Math.max(0, zCm))) / cfg.camera.pixelPitchMm;
}

/** Drift part of the longitudinal spread, D_L·√z, in mm (σL0 is added at rendering). */
export function driftSigmaLMm(cfg: LimeConfig, zCm: number): number {
  return cfg.physics.diffusionLMmPerSqrtCm * Math.sqrt(Math.max(0, zCm));
}

/** Total transverse σ_T = sqrt(σ0² + D_T²·z), mm [det: Diffusion]. */
export function sigmaTMm(cfg: LimeConfig, zCm: number): number {
  const p = cfg.physics;
  return Math.sqrt(p.sigma0Mm ** 2 + p.diffusionTMmPerSqrtCm ** 2 * Math.max(0, zCm));
}

// ---- electrons -------------------------------------------------------------------------------------

/**
 * CSDA range of an electron, cm: Katz–Penfold R = 0.412·E^(1.265 − 0.0954 ln E) g/cm² (E in MeV),
 * over the gas density. In He:CF4 at 1 atm: ~1 mm at 10 keV, ~2.5 cm at 50 keV, ~9 cm at 100 keV.
 */
export function electronRangeCm(cfg: LimeConfig, eKeV: number): number {
  if (eKeV <= 0) return 0;
  const e = eKeV / 1000;
  const gPerCm2 = 0.412 * Math.pow(e, 1.265 - 0.0954 * Math.log(e));
  return (cfg.events.er.rangeScale * gPerCm2) / (cfg.physics.gasDensityMgCm3 / 1000);
}

/** Inverse of electronRangeCm: the energy (keV) whose range is rCm (bisection in log E; R is monotone below 3 MeV). */
export function electronEnergyAtRange(cfg: LimeConfig, rCm: number): number {
  if (rCm <= 0) return 0;
  let lo = Math.log(1e-3); // 1 eV
  let hi = Math.log(3000); // 3 MeV
  for (let i = 0; i < 48; i++) {
    const mid = (lo + hi) / 2;
    if (electronRangeCm(cfg, Math.exp(mid)) < rCm) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

// ---- nuclei ----------------------------------------------------------------------------------------

export type RecoilSpecies = keyof LimeConfig['events']['nr']['species'];
export const NUCLEI: Record<RecoilSpecies, { z: number; a: number }> = {
  he: { z: 2, a: 4 },
  c: { z: 6, a: 12 },
  f: { z: 9, a: 19 },
};

/** Lindhard quenching factor (visible ionisation / recoil energy) of a recoiling He, C or F nucleus. */
export function recoilQuenching(species: RecoilSpecies, eKeV: number): number {
  const { z, a } = NUCLEI[species];
  return lindhardQuenching(z, a, eKeV);
}

/** Nuclear-recoil range, cm: R = R(100 keV)·(E/100 keV)^p. */
export function recoilRangeCm(cfg: LimeConfig, species: RecoilSpecies, eKeV: number): number {
  const nr = cfg.events.nr;
  return (nr.rangeMmAt100KeV[species] / 10) * Math.pow(eKeV / 100, nr.rangeExponent);
}

/** Alpha range, cm: R = R(5.5 MeV)·(E/5.5 MeV)^p (Geiger's rule). */
export function alphaRangeCm(cfg: LimeConfig, eKeV: number): number {
  const al = cfg.events.alpha;
  return al.rangeCmAt5500KeV * Math.pow(eKeV / 5500, al.rangeExponent);
}

// ---- muons -----------------------------------------------------------------------------------------

/**
 * Lower edge (keV) of the 1/E² primary-cluster spectrum on [Emin, Emax] whose mean is dE/dx over the
 * cluster density: mean = ln(Emax/Emin)/(1/Emin − 1/Emax), solved by bisection in log Emin.
 */
export function muonClusterMinKeV(cfg: LimeConfig): number {
  const mu = cfg.events.muon;
  const target = mu.dEdxKeVPerCm / mu.clustersPerCm;
  const emax = mu.deltaMaxKeV;
  const mean = (a: number) => Math.log(emax / a) / (1 / a - 1 / emax);
  if (target >= emax) return emax;
  let lo = Math.log(emax) - 40;
  let hi = Math.log(emax);
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (mean(Math.exp(mid)) < target) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}
