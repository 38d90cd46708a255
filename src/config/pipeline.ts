/**
 * Defaults of the ROI-trigger chain (preprocess → score → ROI → calibrate → evaluate), one zod schema
 * per stage. Every number comes from ../shared/spec/roi-trigger.md (section named beside it) and is a
 * default the user can override; presets scale the geometry for smaller frames.
 */
import { z } from 'zod';
import { configError, resolveConfig, type ConfigLayer } from './resolve.js';

const box = z.strictObject({
  x: z.number().int().min(0),
  y: z.number().int().min(0),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type Box = z.infer<typeof box>;

export const preprocessSchema = z.strictObject({
  /** Raw frame size the crop refers to, px (spec "The problem": LIME 2304×2304). */
  frameWidth: z.number().int().positive().default(2304),
  frameHeight: z.number().int().positive().default(2304),
  /** Fiducial crop (x, y, w, h), raw px (spec "Preprocessing" step 1). */
  crop: box.default({ x: 375, y: 375, width: 1525, height: 1525 }),
  /** Divisor mapping 16-bit counts to [0, 1] (step 2). */
  scale: z.number().positive().default(65535),
  /** Analysis resolution after bilinear resize without anti-alias, px (step 5). */
  analysisWidth: z.number().int().positive().default(1024),
  analysisHeight: z.number().int().positive().default(1024),
  /**
   * Global min–max of the mean-subtracted pedestal set (step 4). 'minmax' is the paper's choice;
   * 'percentile' takes robust extrema, because hot pixels move the true extrema from run to run.
   */
  extrema: z.enum(['minmax', 'percentile']).default('minmax'),
  /** Percentiles (in %) used when extrema = 'percentile'. */
  extremaPercentiles: z.tuple([z.number().min(0).max(100), z.number().min(0).max(100)]).default([0.001, 99.999]),
  /**
   * Raw input (preprocessing/raw-input.ts), before everything above: a dark frame (.npy of the
   * camera's size, counts) subtracted from every frame, then bin × bin blocks summed (MIGDAL's
   * pipelines: dark subtraction and 4×4 binning of the ORCA-Quest frames). frameWidth/frameHeight
   * and the crop then refer to the binned frame. The pedestal statistics keep a copy of the dark.
   * [default: no dark, bin 1]
   */
  darkFrame: z.string().min(1).nullable().default(null),
  bin: z.number().int().positive().default(1),
});
export type PreprocessConfig = z.infer<typeof preprocessSchema>;

export const scoreSchema = z.strictObject({
  /** Floor on the per-pixel σ in the z-score, in analysis units, so dead pixels do not divide by ~0. */
  sigmaFloor: z.number().nonnegative().default(1e-6),
  /** Gaussian smoothing of the matched filter, analysis px (issue 3, point 5). */
  matchedFilterSigma: z.number().positive().default(1.5),
});
export type ScoreConfig = z.infer<typeof scoreSchema>;

export const roiSchema = z.strictObject({
  /** Score threshold τ; 0.04 is the refined autoencoder's working point (spec "From residual map to ROIs"). */
  tau: z.number().default(0.04),
  /** Radius of the closing disk, analysis px (spec "From residual map to ROIs", step 2: 40). */
  closingRadius: z.number().int().nonnegative().default(40),
});
export type RoiConfig = z.infer<typeof roiSchema>;

export const triggerSchema = z.strictObject({
  /**
   * A frame keeping more than this fraction of the analysis grid is flagged (summary.json
   * highOccupancy, exit code 4) [ours: 0.2; calibrated runs keep ~1–3% with events, so 20% means a
   * τ or statistics that do not fit the data, or a broken frame].
   */
  maxKeptFraction: z.number().gt(0).max(1).default(0.2),
});

export const calibrationSchema = z.strictObject({
  /**
   * Target fraction of pedestal pixels inside ROI masks. Default: the study's 6.9×10⁻³ at τ = 0.04
   * (spec "From residual map to ROIs", step 1).
   */
  targetFraction: z.number().gt(0).lt(1).default(6.9e-3),
  /** Border excluded in the second calibration, analysis px (spec: 50). */
  border: z.number().int().nonnegative().default(50),
  /** Bisection steps on τ. */
  iterations: z.number().int().positive().default(30),
  /**
   * Bisection stops when the τ bracket is narrower than this, relative to max(1, |τ|) (tool choice:
   * below float32 resolution of the scores; spec "From residual map to ROIs", step 1).
   */
  tolerance: z.number().positive().default(1e-7),
  /**
   * Range of pedestal exceedance fractions the τ sweep spans, log-spaced (tool choice, so that every
   * method's sweep covers the same false-positive rates; spec "Evaluation protocol", threshold sweep).
   */
  sweepExceedance: z.tuple([z.number().gt(0).lt(1), z.number().gt(0).lt(1)]).default([1e-6, 0.5]),
  /**
   * Score quantiles (the bisection's lower bound, the sweep's τ values) are taken over a strided sample
   * of at most about this many pixels of all pedestal maps, px (tool choice: a sort of 4M floats takes
   * well under a second, while 60 frames of 1024² would be 63M).
   */
  quantileSamplePixels: z.number().int().positive().default(4_000_000),
});
export type CalibrationConfig = z.infer<typeof calibrationSchema>;

export const evaluationSchema = z.strictObject({
  /** Containment: an event counts if one of its pixels lies farther than this from the border, analysis px (spec: 50). */
  containmentBorder: z.number().int().nonnegative().default(50),
  /** Coverage under which an event is listed as "near zero" for inspection. */
  lowCoverage: z.number().min(0).max(1).default(0.05),
  /** Number of τ values in the sweep. */
  sweepPoints: z.number().int().min(2).default(24),
  /** Energy bin edges for coverage vs energy, keV. */
  energyBins: z.array(z.number()).default([1, 2, 5, 10, 20, 50, 100]),
  /** Energy range singled out in every sweep point (the faint tracks), keV. */
  lowEnergyRange: z.tuple([z.number(), z.number()]).default([1, 5]),
  /** Example panels drawn per method: frames with events, and frames with near-zero-coverage events. */
  examplePanels: z.number().int().nonnegative().default(2),
  lowCoveragePanels: z.number().int().nonnegative().default(3),
  /**
   * Area cut at which coverage is quoted (coverageAtReferenceCut) and the report draws its rule, as a
   * fraction (the study's operating point 97.8%, spec "Evaluation protocol").
   */
  referenceAreaCut: z.number().min(0).max(1).default(0.978),
});
export type EvaluationConfig = z.infer<typeof evaluationSchema>;

export const pipelineSchema = z.strictObject({
  preprocess: preprocessSchema.default(preprocessSchema.parse({})),
  score: scoreSchema.default(scoreSchema.parse({})),
  roi: roiSchema.default(roiSchema.parse({})),
  trigger: triggerSchema.default(triggerSchema.parse({})),
  calibration: calibrationSchema.default(calibrationSchema.parse({})),
  evaluation: evaluationSchema.default(evaluationSchema.parse({})),
});
export type PipelineConfig = z.infer<typeof pipelineSchema>;

/**
 * Geometry for a frame of `width` × `height` raw px with LIME's pixel pitch: on each axis the crop
 * keeps the spec's proportions (375/2304 margin, 1525/2304 width) and the analysis grid keeps its
 * px-per-analysis-px ratio 1525/1024, rounded to a multiple of 16 for the autoencoder; so a CYGNO-04
 * 4096×2304 frame gets a 2711×1525 crop and a 1824×1024 grid, and a square frame what the square
 * presets always gave. Closing radius and borders stay in analysis px, so a track has the same
 * footprint whatever the frame size.
 */
export function geometryForFrame(width: number, height: number): PipelineConfig['preprocess'] {
  const axis = (size: number) => {
    const margin = Math.round((375 * size) / 2304);
    const side = Math.round((1525 * size) / 2304);
    return { margin, side, analysis: Math.max(16, Math.round((side * 1024) / 1525 / 16) * 16) };
  };
  const x = axis(width);
  const y = axis(height);
  return preprocessSchema.parse({
    frameWidth: width,
    frameHeight: height,
    crop: { x: x.margin, y: y.margin, width: x.side, height: y.side },
    analysisWidth: x.analysis,
    analysisHeight: y.analysis,
  });
}

/** geometryForFrame of a square frame of `size` px (the --size presets). */
export function geometryForSize(size: number): PipelineConfig['preprocess'] {
  return geometryForFrame(size, size);
}

/**
 * The part of the configuration a frame size implies: its geometry, and the borders scaled with the
 * analysis grid's shorter side (edge effects scale with the sensor). The closing radius stays 40
 * analysis px: it is a track-linking distance, and tracks keep their size in px whatever the sensor.
 */
export function presetForFrame(width: number, height: number): { preprocess: PreprocessConfig; calibration: { border: number }; evaluation: { containmentBorder: number } } {
  const preprocess = geometryForFrame(width, height);
  const border = Math.round((50 * Math.min(preprocess.analysisWidth, preprocess.analysisHeight)) / 1024);
  return { preprocess, calibration: { border }, evaluation: { containmentBorder: border } };
}

export function presetForSize(size: number): ReturnType<typeof presetForFrame> {
  return presetForFrame(size, size);
}


/** Resolve a partial user config (file or flags) over the defaults; unknown keys and wrong types are errors. */
export function resolvePipelineConfig(partial: unknown, source = 'config'): PipelineConfig {
  return resolvePipelineLayers([{ source, value: partial }]);
}

/**
 * Resolve layers (preset → file → flags) over the defaults; errors name the key and the layer it came
 * from, and the crop must lie inside the frame.
 */
export function resolvePipelineLayers(layers: readonly ConfigLayer[]): PipelineConfig {
  const cfg = resolveConfig(pipelineSchema, layers);
  const { crop, frameWidth, frameHeight } = cfg.preprocess;
  if (crop.x + crop.width > frameWidth || crop.y + crop.height > frameHeight) {
    const message = `(${crop.x}, ${crop.y}, ${crop.width}, ${crop.height}) exceeds the ${frameWidth}×${frameHeight} frame`;
    throw configError(layers, [{ path: ['preprocess', 'crop'], message }]);
  }
  return cfg;
}
