/**
 * Configuration of the LIME simulator: one strict zod schema whose defaults are the public facts of
 * ../shared/spec/detectors.md, section "CYGNO / LIME" (cited as [det] below), plus the modelling
 * choices of docs/SIMULATION.md (cited as [sim]). Unknown keys are rejected at every level.
 *
 * Geometry principle: a frame smaller than 2304² is a miniature sensor with LIME's pixel pitch, so
 * tracks keep their size in px; features tied to the sensor's geometry (vignetting radii, edge band,
 * row/column banding length) are given for the 2304-px reference sensor and scaled by
 * min(width, height) / 2304 at run time (see `geometryScale`).
 *
 * In: a partial config (JSON object) or nothing. Out: a fully resolved `LimeConfig`. Helpers that
 * compute from a resolved config (`geometryScale`, `meanEventsPerFrame`) live with the simulator in
 * simulation/lime/config.ts.
 */
import { z } from 'zod';
import { ConfigChecks, resolveConfig, type ConfigLayer } from './resolve.js';

/** Side of the real LIME frame, px [det: Camera]; the size every geometric default refers to.
 *  The CLI's `--size` presets (full 2304, half 1152, quarter 576, eighth 288) are miniatures of it. */
export const LIME_SIZE_PX = 2304;

const positive = () => z.number().positive();
const nonneg = () => z.number().nonnegative();
const fraction = () => z.number().min(0).max(1);

// ---- camera: sCMOS pedestal model [det: Pedestal] -------------------------------------------------

const cameraSchema = z.strictObject({
  /** Frame width and height, px [det: Camera 2304×2304]; `--size` sets both. */
  width: z.number().int().min(16).max(8192).default(LIME_SIZE_PX),
  height: z.number().int().min(16).max(8192).default(LIME_SIZE_PX),
  /** Readout-plane size of one pixel, mm/px [det: 346 mm / 2304 ≈ 0.15]. */
  pixelPitchMm: positive().default(0.15),
  /**
   * Seed of the camera's fixed pattern (per-pixel means and σ, hot clusters, burst and telegraph pixels), or null
   * for the run's seed [sim]. The same camera seed with another run seed is a later run of the same
   * camera: what a model and pedestal statistics made on one run meet in the next (the run's isolated
   * hot pixels and every frame's noise still follow the run seed).
   */
  seed: z.number().int().nullable().default(null),
  /** Per-pixel mean: global level and its pixel-to-pixel σ, counts [det: mean ~100, means span 97–103 ≈ ±3σ]. */
  pedestalMean: nonneg().default(100),
  pedestalSpread: nonneg().default(1.0),
  /**
   * Per-pixel noise σ, counts [det: "from about 1 to a few counts with a tail up to about 10"]:
   * log-normal core (median, σ of ln), floor, and a fraction of pixels drawn log-uniform up to the tail max.
   */
  sigmaMedian: positive().default(1.8),
  sigmaLogSpread: nonneg().default(0.25),
  sigmaMin: positive().default(0.8),
  sigmaTailFraction: fraction().default(0.02),
  sigmaTailMax: positive().default(10),
  /**
   * Edge band [det: "noisier, less uniform response near the sensor edges"]: width at the 2304-px
   * sensor, px (the ROI study's 50-px border [roi-trigger.md: From residual map to ROIs]); σ and
   * mean spread are multiplied by up to these factors at the very edge, decaying inward.
   */
  edgeBandPx: nonneg().default(50),
  edgeSigmaFactor: z.number().min(1).default(2.0),
  edgeSpreadFactor: z.number().min(1).default(2.0),
  /**
   * Non-Gaussian pixel noise [det: "not Gaussian … each pixel from its own distribution"; sim]:
   * a fraction of pixels has bursts — with its own per-frame probability (log-uniform in the range)
   * a symmetric Laplace excursion whose scale is its own multiple of the pixel σ.
   */
  burstFraction: fraction().default(0.1),
  burstProbability: z.tuple([fraction(), fraction()]).default([0.001, 0.02]),
  burstScaleSigmas: z.tuple([positive(), positive()]).default([2, 5]),
  /**
   * Random-telegraph pixels [sim; typical of sCMOS]: a fraction switches each frame between two levels
   * `amplitude` counts apart (log-uniform range), high with its own probability (uniform range).
   * The mean map keeps its value: the levels are centred on it.
   */
  telegraphFraction: fraction().default(0.01),
  telegraphAmplitude: z.tuple([positive(), positive()]).default([3, 15]),
  telegraphHighProbability: z.tuple([fraction(), fraction()]).default([0.05, 0.5]),
  /**
   * Isolated hot pixels, different in every run [det: "isolated hot pixels that change from run to
   * run"]: density per megapixel, mean excess log-uniform in the range (counts), and dark-current
   * shot noise added in variance per count of excess (counts²/count).
   */
  hotPixelsPerMegapixel: nonneg().default(20),
  hotPixelAmplitude: z.tuple([positive(), positive()]).default([20, 2000]),
  hotPixelVariancePerCount: nonneg().default(0.5),
});

// ---- structured noise: correlations between pixels [sim] -----------------------------------------

const offsetsSchema = (sigma: number, bandSigma: number) =>
  z.strictObject({
    enabled: z.boolean().default(true),
    /** σ of an independent offset per row (or column), fresh every frame, counts. */
    sigma: nonneg().default(sigma),
    /** σ of a smooth banding component, counts, correlated over `bandLengthPx` (2304-px sensor, scaled). */
    bandSigma: nonneg().default(bandSigma),
    bandLengthPx: positive().default(48),
  });

const structuredNoiseSchema = z.strictObject({
  /** sCMOS rows are read together: a common offset per row, fresh every frame. */
  rowOffsets: offsetsSchema(0.5, 0.3).default(offsetsSchema(0.5, 0.3).parse({})),
  /** Column amplifiers: a common offset per column, fresh every frame. */
  columnOffsets: offsetsSchema(0.4, 0.2).default(offsetsSchema(0.4, 0.2).parse({})),
  /**
   * Slow background gradient, fresh every frame: a plane plus a radial bowl whose coefficients have
   * this σ in counts at the frame corner (stray light, temperature drift).
   */
  gradient: z
    .strictObject({ enabled: z.boolean().default(true), amplitude: nonneg().default(0.5) })
    .default({ enabled: true, amplitude: 0.5 }),
  /**
   * Clustered hot spots, fixed for the camera (part of the fixed pattern): density per megapixel,
   * disk radius in px (log-uniform), peak excess counts (log-uniform); noise grows like a hot pixel's.
   */
  hotClusters: z
    .strictObject({
      enabled: z.boolean().default(true),
      perMegapixel: nonneg().default(2),
      radiusPx: z.tuple([positive(), positive()]).default([1, 3]),
      amplitude: z.tuple([positive(), positive()]).default([5, 50]),
    })
    .default({ enabled: true, perMegapixel: 2, radiusPx: [1, 3], amplitude: [5, 50] }),
});

// ---- optics ---------------------------------------------------------------------------------------

const opticsSchema = z.strictObject({
  vignetting: z
    .strictObject({
      enabled: z.boolean().default(true),
      /**
       * Relative light response vs distance from the frame centre, [radius px at the 2304-px sensor,
       * response] [det: Optical vignetting 1.0 / 0.86 @600 / 0.56 @1100 / 0.22 @1440]; a monotone
       * cubic through the points, flat at the centre, constant beyond the last point.
       */
      profile: z
        .array(z.tuple([nonneg(), nonneg()]))
        .min(1)
        .default([
          [0, 1.0],
          [600, 0.86],
          [1100, 0.56],
          [1440, 0.22],
        ]),
    })
    .default({
      enabled: true,
      profile: [
        [0, 1.0],
        [600, 0.86],
        [1100, 0.56],
        [1440, 0.22],
      ],
    }),
});

// ---- gas and amplification [det: Gas, Diffusion, Light yield] -----------------------------------

const physicsSchema = z.strictObject({
  /** Mean energy per ion pair in He:CF4 60/40, eV [det: W = 46.2 eV]. */
  wEv: positive().default(46.2),
  /** He:CF4 60/40 at 1 atm, 20 °C: 0.6·0.166 + 0.4·3.66 mg/cm³ [sim]; sets ranges through mass ranges. */
  gasDensityMgCm3: positive().default(1.56),
  /** σ_T = sqrt(σ0² + D_T²·z) [det: Diffusion σ0 ≈ 0.35 mm, D_T ≈ 0.11–0.13 mm/√cm]. */
  sigma0Mm: nonneg().default(0.35),
  diffusionTMmPerSqrtCm: nonneg().default(0.12),
  /** Longitudinal spread of the arriving charge, only used by saturation: σ_L = sqrt(σL0² + D_L²·z) [sim]. */
  sigmaL0Mm: positive().default(0.2),
  diffusionLMmPerSqrtCm: nonneg().default(0.12),
  /**
   * Drift depth range of vertices, cm [det: drift up to 50 cm]; uniform in between. driftMaxCm is
   * also the length of the gas: deposits deeper than it (or at z < 0) are invisible.
   */
  driftMinCm: nonneg().default(0),
  driftMaxCm: positive().default(50),
  /** Linear-regime light yield at vignetting 1, counts/keV [det: ~1.7×10³, ⁵⁵Fe 5.9 keV ≈ 10⁴ counts]. */
  lightYieldCountsPerKeV: positive().default(1700),
  /** Camera counts per detected photon; photon statistics are Poisson [det: Light yield]. */
  countsPerPhoton: positive().default(1),
  /** Fluctuation of the first GEM's gain per primary electron [det: "fluctuates exponentially"]. */
  gainFluctuation: z.enum(['exponential', 'none']).default('exponential'),
  /**
   * Saturation of dense deposits at the last GEM [det; sim]: a pixel's light is divided by
   * (1 + (ρ/ρ_sat)^p)^(1/p), ρ = its counts per mm of arrival-depth spread (counts/(px·mm)), p the
   * sharpness of the knee. Defaults tuned so that an alpha sums to ~10⁶ counts with at most ~600 per
   * pixel, while ⁵⁵Fe spots stay near-linear except close to the GEM [det: Track shapes; sim].
   */
  saturation: z.boolean().default(true),
  saturationDensity: positive().default(150),
  saturationSharpness: positive().default(2),
  /** Deposits are rendered as pixel-integrated Gaussians truncated at this many σ [sim]. */
  truncationSigmas: positive().default(3.5),
  /** Electrons are grouped into at most this many clusters per event, for speed [sim]. */
  maxClustersPerEvent: z.number().int().positive().default(4000),
});

// ---- events ---------------------------------------------------------------------------------------

const spectrum = z.enum(['log-uniform', 'uniform']);

const eventsSchema = z.strictObject({
  /**
   * Mean events per frame as a density, per megapixel: 3 per full 2304² frame (5.308 Mpx) [sim], so
   * a smaller sensor gets proportionally fewer. `perFrame` (if set) overrides it.
   */
  perMegapixel: nonneg().default(3 / 5.308416),
  perFrame: nonneg().nullable().default(null),
  /** Relative weights of the event types [sim]. */
  weights: z
    .strictObject({ fe55: nonneg(), er: nonneg(), nr: nonneg(), muon: nonneg(), alpha: nonneg() })
    .default({ fe55: 0.25, er: 0.45, nr: 0.1, muon: 0.15, alpha: 0.05 }),
  /** ⁵⁵Fe: Mn Kα 5.9 keV and Kβ 6.49 keV (fraction of Kβ) [det: Track shapes]. */
  fe55: z
    .strictObject({ energyKeV: positive(), kBetaKeV: positive(), kBetaFraction: fraction() })
    .default({ energyKeV: 5.9, kBetaKeV: 6.49, kBetaFraction: 0.12 }),
  /**
   * Electron recoils [det: 1–100 keV]: spectrum, range scale on the Katz–Penfold range–energy
   * relation, multiple-scattering strength (rad per √(step / residual range)) and mean number of
   * large-angle kinks per residual range [sim].
   */
  er: z
    .strictObject({
      spectrum: spectrum,
      minKeV: positive(),
      maxKeV: positive(),
      rangeScale: positive(),
      scattering: nonneg(),
      kinksPerRange: nonneg(),
    })
    .default({ spectrum: 'log-uniform', minKeV: 1, maxKeV: 100, rangeScale: 1, scattering: 1.2, kinksPerRange: 1 }),
  /**
   * Nuclear recoils [det: "< 1 mm below 100 keV, very bright"]: recoil-energy spectrum (keV), species
   * weights, range at 100 keV (mm) with R ∝ E^rangeExponent [sim], Lindhard quenching.
   */
  nr: z
    .strictObject({
      spectrum: spectrum,
      minKeV: positive(),
      maxKeV: positive(),
      species: z.strictObject({ he: nonneg(), c: nonneg(), f: nonneg() }),
      rangeMmAt100KeV: z.strictObject({ he: positive(), c: positive(), f: positive() }),
      rangeExponent: positive(),
    })
    .default({
      spectrum: 'log-uniform',
      minKeV: 5,
      maxKeV: 200,
      species: { he: 0.6, c: 0.1, f: 0.3 },
      rangeMmAt100KeV: { he: 0.9, c: 0.45, f: 0.35 },
      rangeExponent: 0.75,
    }),
  /**
   * Cosmic muons [det: "long straight tracks … denser clumps"]: mean dE/dx (keV/cm), primary
   * clusters per cm with a 1/E² cluster-energy spectrum up to `deltaMaxKeV`; clusters above
   * `deltaTrackMinKeV` become delta-ray electron tracks. Zenith angle ~ cos²θ, the image's y axis vertical.
   */
  muon: z
    .strictObject({
      dEdxKeVPerCm: positive(),
      clustersPerCm: positive(),
      deltaMaxKeV: positive(),
      deltaTrackMinKeV: positive(),
    })
    .default({ dEdxKeVPerCm: 2.5, clustersPerCm: 20, deltaMaxKeV: 50, deltaTrackMinKeV: 2 }),
  /**
   * Alphas [det: "long, straight, very bright"]: energy range (radon chain 5.5–7.7 MeV and degraded
   * ones), keV; range at 5.5 MeV (cm) with R ∝ E^rangeExponent (Geiger) [sim].
   */
  alpha: z
    .strictObject({ minKeV: positive(), maxKeV: positive(), rangeCmAt5500KeV: positive(), rangeExponent: positive() })
    .default({ minKeV: 4000, maxKeV: 7700, rangeCmAt5500KeV: 4.5, rangeExponent: 1.55 }),
});

const truthSchema = z.strictObject({
  /** A pixel is listed in an event's truth if its noiseless expected counts reach this [sim]. */
  minCounts: nonneg().default(0.5),
});

const runsSchema = z.strictObject({
  /** Run indices: the isolated hot pixels come from Rng.derive(seed, 'run:' + index) [det]. Equal by
   *  default (pedestals taken with the data run); make them differ to study a stale pedestal. */
  pedestalRun: z.number().int().nonnegative().default(0),
  dataRun: z.number().int().nonnegative().default(0),
  /**
   * Seed of the runs' state (their isolated hot pixels), or null for the run's seed [sim]. An earlier
   * simulation's seed here (with its camera seed) gives new frames and events of that same run, where
   * its pedestal statistics and the models trained on them still apply; null makes a later run.
   */
  seed: z.number().int().nullable().default(null),
});

export const limeConfigSchema = z.strictObject({
  /**
   * Noise preset: 'structured' (default) enables the structuredNoise components that are switched on;
   * 'independent' turns all of them off, leaving pixel-independent noise (fixed pattern, per-pixel
   * shapes, hot pixels).
   */
  noise: z.enum(['structured', 'independent']).default('structured'),
  camera: cameraSchema.default(cameraSchema.parse({})),
  structuredNoise: structuredNoiseSchema.default(structuredNoiseSchema.parse({})),
  optics: opticsSchema.default(opticsSchema.parse({})),
  physics: physicsSchema.default(physicsSchema.parse({})),
  events: eventsSchema.default(eventsSchema.parse({})),
  truth: truthSchema.default(truthSchema.parse({})),
  runs: runsSchema.default(runsSchema.parse({})),
});

export type LimeConfig = z.infer<typeof limeConfigSchema>;
export type LimeConfigInput = z.input<typeof limeConfigSchema>;
export type EventType = keyof LimeConfig['events']['weights'];
export const EVENT_TYPES: readonly EventType[] = ['fe55', 'er', 'nr', 'muon', 'alpha'];

export function defaultLimeConfig(): LimeConfig {
  return limeConfigSchema.parse({});
}

// ---- resolution: defaults ← partial config ← flags -----------------------------------------------

/**
 * Full configuration from a partial one (e.g. the JSON of `--config`), merged over the defaults and
 * validated. `source` names where the partial came from, for the error message.
 */
export function resolveLimeConfig(partial: unknown = {}, source = 'config'): LimeConfig {
  return resolveLimeLayers([{ source, value: partial }]);
}

/** Layers (e.g. file, then command-line flags) over the defaults, validated; ranges must be ordered. */
export function resolveLimeLayers(layers: readonly ConfigLayer[]): LimeConfig {
  const cfg = resolveConfig(limeConfigSchema, layers);
  const check = new ConfigChecks(layers);
  check.range('physics.driftMinCm/driftMaxCm', cfg.physics.driftMinCm, cfg.physics.driftMaxCm);
  check.range('events.er.minKeV/maxKeV', cfg.events.er.minKeV, cfg.events.er.maxKeV);
  check.range('events.nr.minKeV/maxKeV', cfg.events.nr.minKeV, cfg.events.nr.maxKeV);
  check.range('events.alpha.minKeV/maxKeV', cfg.events.alpha.minKeV, cfg.events.alpha.maxKeV);
  const c = cfg.camera;
  for (const key of ['burstProbability', 'burstScaleSigmas', 'telegraphAmplitude', 'telegraphHighProbability', 'hotPixelAmplitude'] as const) {
    check.range(`camera.${key}`, c[key][0], c[key][1]);
  }
  check.range('structuredNoise.hotClusters.radiusPx', ...cfg.structuredNoise.hotClusters.radiusPx);
  check.range('structuredNoise.hotClusters.amplitude', ...cfg.structuredNoise.hotClusters.amplitude);
  const weights = Object.values(cfg.events.weights).reduce((a, b) => a + b, 0);
  if (!(weights > 0)) check.problem('events.weights', 'at least one event type needs a positive weight');
  const species = Object.values(cfg.events.nr.species).reduce((a, b) => a + b, 0);
  if (!(species > 0)) check.problem('events.nr.species', 'at least one species needs a positive weight');
  check.radiiFromZero('optics.vignetting.profile', cfg.optics.vignetting.profile.map((p) => p[0]));
  check.done();
  return cfg;
}

