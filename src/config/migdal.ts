/**
 * Configuration of the MIGDAL simulator: one strict zod schema whose defaults are the public facts of
 * /work/shared/spec/detectors.md, section "MIGDAL" (cited as [det]), and the modelling choices of
 * docs/MIGDAL.md (cited as [sim]). Unknown keys are rejected at every level, naming the dotted key.
 *
 * Coordinates: image x = column (to the right), y = row (downward), both in px of the 288×512 analysis
 * image (156 µm/px); depth z = drift distance to the first GEM, cm.
 *
 * In: a partial config (JSON object) or nothing. Out: a fully resolved `MigdalConfig`; the simulator
 * itself is in simulation/migdal/.
 */
import { z } from 'zod';
import { MIGDAL_GRID } from './migdal-grid.js';
import { ConfigChecks, resolveConfig, type ConfigLayer } from './resolve.js';

const positive = () => z.number().positive();
const nonneg = () => z.number().nonnegative();
const fraction = () => z.number().min(0).max(1);
const pair = () => z.tuple([nonneg(), nonneg()]);

const imageSchema = z.strictObject({
  /** Analysis image, px [det: 2048×1152 camera binned 4×4 more → 512×288; MIGDAL_GRID]. */
  width: z.number().int().min(16).max(4096).default(MIGDAL_GRID.width),
  height: z.number().int().min(16).max(4096).default(MIGDAL_GRID.height),
  /** Readout-plane size of one analysis pixel, mm/px [det: 8 cm / 512 ≈ 0.156]. */
  pixelMm: positive().default(0.15625),
  /**
   * Relative light response vs distance from the image centre, [radius px, response], joined
   * linearly and constant beyond the last point. [det: "about as for LIME": LIME's 1.0 / 0.86 @600 /
   * 0.56 @1100 / 0.22 @1440 px are given on a sensor whose half-diagonal is 1629 px; scaled by
   * 293.7/1629 = 0.180 to this image's half-diagonal, so the corners get ~0.22.]
   */
  vignetting: z
    .array(z.tuple([nonneg(), nonneg()]))
    .min(1)
    .default([
      [0, 1.0],
      [108, 0.86],
      [198, 0.56],
      [260, 0.22],
    ]),
});

const gasSchema = z.strictObject({
  /**
   * CF4 at 50 Torr, 20 °C: ρ = P·M/(R·T) = 6666 Pa · 88 g/mol / (8.314 · 293 K) = 0.241 mg/cm³ [det; sim].
   * The pressure is recorded for provenance; ranges follow the density (change both together).
   */
  pressureTorr: positive().default(50),
  densityMgCm3: positive().default(0.241),
  /** Mean energy per ion pair in CF4, eV [det: W = 34.2 eV]. */
  wEv: positive().default(34.2),
  /** Drift field, V/cm [det: ~200 V/cm]; recorded for provenance, diffusion is given directly. */
  driftFieldVPerCm: positive().default(200),
  /** Drift gap, cm [det: 3 cm]: deposits are clipped to 0 ≤ z ≤ gap. */
  driftGapCm: positive().default(3),
  /** Vertex depth range, cm [det: drift depths about 0.5–2.5 cm]; uniform in between. */
  vertexDepthCm: pair().default([0.5, 2.5]),
  /** Transverse diffusion in the drift, µm/√cm [det: ~264 µm/√cm]: σ = D_T·√z. */
  diffusionTUmPerSqrtCm: nonneg().default(264),
});

const gemSchema = z.strictObject({
  /** Mean total effective gain (electrons out per primary electron, transmission included) [det: ~2000]. */
  totalGain: positive().default(2000),
  /** Fraction of electrons passing each GEM [det: 170 µm holes at 280 µm pitch → ~1/3]. */
  transmission: z.tuple([fraction(), fraction()]).default([1 / 3, 1 / 3]),
  /**
   * First-stage gain fluctuation per transmitted primary electron [det: "fluctuates exponentially"]:
   * 'exponential' (Polya with θ = 0, the Furry limit) or 'none'. The second stage averages over the
   * ~45 electrons of each first-stage avalanche and is drawn from a Gaussian of the same variance.
   */
  fluctuation: z.enum(['exponential', 'none']).default('exponential'),
  /** Spread of an avalanche after the first GEM (transfer gap) and after the last, µm [det: 270, 70]. */
  spreadAfterFirstUm: nonneg().default(270),
  spreadAfterLastUm: nonneg().default(70),
  /** Mean image intensity per keV of ionisation energy at vignetting 1, ADU/keV [det: 2.45×10⁴ / 5.9 keV]. */
  aduPerKeV: positive().default(24500 / 5.9),
  /** Avalanches are rendered as pixel-integrated Gaussians truncated at this many σ [sim]. */
  truncationSigmas: positive().default(3.5),
});

const cameraSchema = z.strictObject({
  /**
   * The input is a dark-subtracted frame: what stays is the per-pixel offset the master dark did not
   * remove (a dark averaged over finitely many frames), ADU, fixed for the run [sim].
   */
  residualOffsetAdu: nonneg().default(0.5),
  /** Gaussian read noise per binned pixel: median σ and σ of ln σ across pixels, ADU [det; sim: "a few ADU" after 4×4 binning]. */
  readNoiseAdu: nonneg().default(3),
  readNoiseLogSpread: nonneg().default(0.15),
  /** Hot pixels left after dark subtraction (they flicker): mean count per frame, excess log-uniform, ADU [det: hot pixels]. */
  hotPixelsPerFrame: nonneg().default(2),
  hotPixelAdu: pair().default([20, 500]),
});

const erSchema = z.strictObject({
  /** ER energy spectrum over [minKeV, maxKeV] [det: electron recoils of 1–15 keV]. */
  spectrum: z.enum(['uniform', 'log-uniform']).default('uniform'),
  minKeV: positive().default(1),
  maxKeV: positive().default(15),
  /**
   * Path length (CSDA) R = a·E^b, mm with E in keV [sim: power law through ESTAR water-like mass
   * ranges 0.076 / 0.25 / 0.51 mg/cm² at 5 / 10 / 15 keV divided by ρ = 0.241 mg/cm³ → 3.1 / 10.4 /
   * 21 mm]; a = 0.194 mm, b = 1.73.
   */
  rangeCoefficientMm: positive().default(0.194),
  rangeExponent: positive().default(1.73),
  /** Multiple scattering: σ of the deflection per step, rad per √(step / residual range) [sim]. */
  scattering: nonneg().default(1.0),
  /** Path steps per track (the end gets finer steps through the residual range) [sim]. */
  steps: z.number().int().min(4).max(2000).default(60),
});

const speciesSchema = z.strictObject({
  /** Mass and atomic numbers [physics]. */
  a: positive(),
  z: positive(),
  /** Relative weight of this recoil species among NRs [sim]. */
  weight: nonneg(),
  /** Projected range at 100 keV, mm, R ∝ E^rangeExponent [sim: ~40–55 µg/cm² / 0.241 mg/cm³]. */
  rangeMmAt100KeV: positive(),
});

const nrSchema = z.strictObject({
  /** D-D neutron energy, keV [det: 2.45 MeV]: E_max = 4A/(1+A)² · E_n (F 465 keV, C 696 keV). */
  neutronKeV: positive().default(2450),
  /** Lowest recoil energy simulated, keV [sim: below it the NR is a faint spot, not a Migdal candidate]. */
  minKeV: positive().default(20),
  /**
   * Recoil spectrum p(E) ∝ (1 − E/E_max)^k on [minKeV, E_max] [sim]: k = 0 is isotropic elastic
   * scattering (flat); k = 1 (default) mimics the forward-peaked 2.45 MeV cross sections (falling).
   */
  spectrumPower: nonneg().default(1),
  /** F:C = 4:1 atoms with comparable elastic cross sections at 2.45 MeV → ~85% fluorine [sim]. */
  species: z
    .strictObject({ f: speciesSchema, c: speciesSchema })
    .default({
      f: { a: 19, z: 9, weight: 0.85, rangeMmAt100KeV: 1.7 },
      c: { a: 12, z: 6, weight: 0.15, rangeMmAt100KeV: 2.2 },
    }),
  rangeExponent: positive().default(0.8),
  /**
   * Lindhard quenching (k = 0.133·Z^{2/3}/√A, ε = 11.5·E·Z^{−7/3}, g = 3ε^0.15 + 0.7ε^0.6 + ε,
   * QF = k·g/(1 + k·g)) [sim]; false gives QF = 1.
   */
  quenching: z.boolean().default(true),
  /** Straggling of the NR direction, rad per √(step / range) [sim: NRs are nearly straight]. */
  straggling: nonneg().default(0.15),
  steps: z.number().int().min(2).max(2000).default(30),
});

const eventsSchema = z.strictObject({
  /** Fraction of NR-only samples when a run is asked only for a total [sim: the release uses equal counts]. */
  nrOnlyFraction: fraction().default(0.5),
  /** Vertices are uniform in the image, this far from every edge, mm [sim: keeps most ERs inside]. */
  vertexMarginMm: nonneg().default(10),
  /** Fixed vertex [x, y] px (tests, calibration studies), or null for uniform vertices. */
  fixedVertexPx: z.tuple([z.number(), z.number()]).nullable().default(null),
});

export const migdalConfigSchema = z.strictObject({
  image: imageSchema.default(imageSchema.parse({})),
  gas: gasSchema.default(gasSchema.parse({})),
  gem: gemSchema.default(gemSchema.parse({})),
  camera: cameraSchema.default(cameraSchema.parse({})),
  er: erSchema.default(erSchema.parse({})),
  nr: nrSchema.default(nrSchema.parse({})),
  events: eventsSchema.default(eventsSchema.parse({})),
});

export type MigdalConfig = z.infer<typeof migdalConfigSchema>;
export type MigdalConfigInput = z.input<typeof migdalConfigSchema>;
export type NrSpecies = keyof MigdalConfig['nr']['species'];

export function defaultMigdalConfig(): MigdalConfig {
  return migdalConfigSchema.parse({});
}

/**
 * Full configuration from a partial one (e.g. the JSON of `--config`) merged over the defaults and
 * validated; `source` names where the partial came from, for the error message.
 */
export function resolveMigdalConfig(partial: unknown = {}, source = 'config'): MigdalConfig {
  return resolveMigdalLayers([{ source, value: partial }]);
}

/** Layers (e.g. file, then command-line flags) over the defaults, validated across fields. */
export function resolveMigdalLayers(layers: readonly ConfigLayer[]): MigdalConfig {
  const cfg = resolveConfig(migdalConfigSchema, layers);
  const check = new ConfigChecks(layers);
  check.range('gas.vertexDepthCm', ...cfg.gas.vertexDepthCm);
  check.range('er.minKeV/maxKeV', cfg.er.minKeV, cfg.er.maxKeV);
  check.range('camera.hotPixelAdu', ...cfg.camera.hotPixelAdu);
  if (cfg.gas.vertexDepthCm[1] > cfg.gas.driftGapCm) check.problem('gas.vertexDepthCm', 'deeper than gas.driftGapCm');
  if (cfg.gem.transmission.some((t) => t <= 0)) check.problem('gem.transmission', 'every GEM must pass some electrons');
  const weights = Object.values(cfg.nr.species).reduce((a, s) => a + s.weight, 0);
  if (!(weights > 0)) check.problem('nr.species', 'at least one species needs a positive weight');
  for (const name of Object.keys(cfg.nr.species) as NrSpecies[]) {
    const max = nrMaxKeV(cfg, name);
    if (cfg.nr.species[name].weight > 0 && !(max > cfg.nr.minKeV)) {
      check.problem('nr.minKeV', `${cfg.nr.minKeV} keV is above the largest ${name} recoil (${max.toFixed(0)} keV)`);
    }
  }
  check.radiiFromZero('image.vignetting', cfg.image.vignetting.map((p) => p[0]));
  const fixed = cfg.events.fixedVertexPx;
  if (fixed !== null && !(fixed[0] >= 0 && fixed[0] < cfg.image.width && fixed[1] >= 0 && fixed[1] < cfg.image.height)) {
    check.problem('events.fixedVertexPx', `(${fixed[0]}, ${fixed[1]}) lies outside the ${cfg.image.width}×${cfg.image.height} image`);
  }
  const margin = cfg.events.vertexMarginMm / cfg.image.pixelMm;
  if (cfg.events.fixedVertexPx === null && (2 * margin >= cfg.image.width || 2 * margin >= cfg.image.height)) {
    check.problem('events.vertexMarginMm', 'leaves no room for vertices in the image');
  }
  check.done();
  return cfg;
}

/** Largest recoil energy of a species from elastic scattering of the neutron, keV: 4A/(1+A)²·E_n. */
export function nrMaxKeV(cfg: MigdalConfig, species: NrSpecies): number {
  const a = cfg.nr.species[species].a;
  return ((4 * a) / ((1 + a) * (1 + a))) * cfg.nr.neutronKeV;
}
