/**
 * Defaults of the overlap-separation samples (spec overlap-separation.md, "Data"): how a sample is
 * prepared (truth cut, guarded intensity scale, valid box) and how samples are stored in and read
 * from Feather files. The algorithms live in core/overlap-sample.ts and io/feather*.ts, which take
 * these values from their callers (core may not import config).
 *
 * Resolved with config/resolve.ts's resolveConfig (unknown keys and wrong types are ConfigErrors
 * naming the dotted key and its layer). Ignored: the grid (config/migdal-grid.ts).
 */
import { z } from 'zod';
import type { PrepareOptions } from '../core/overlap-sample.js';
import { schemaDefaults } from './resolve.js';

export const preparationSchema = z.strictObject({
  /** Truth pixels at or below this are set to 0 in each species' image, ADU [spec "Data": 1 ADU noise cut]. */
  truthCutAdu: z.number().nonnegative().default(1),
  /** Percentile of the frame that sets the intensity scale s, % [spec "Data": 99th percentile]. */
  percentile: z.number().min(0).max(100).default(99),
  /**
   * Guard against s ≈ 0 [spec "Data": "s must not collapse to ~0 when the event covers under 1%"]:
   * 'floor' keeps s ≥ sFloorAdu; 'event' takes the percentile over the event's own pixels below
   * minCoverage (core/overlap-sample.ts's PrepareOptions says why 'floor' is the default).
   */
  guard: z.enum(['floor', 'event']).default('floor'),
  /** Event coverage under which the guard acts, fraction of the frame's pixels [spec "Data": 1%]. */
  minCoverage: z.number().min(0).max(1).default(0.01),
  /** Lowest allowed s, ADU [tool choice: ~3× the 3-ADU read noise of the MIGDAL images, where a pixel starts to be signal]. */
  sFloorAdu: z.number().positive().default(10),
  /** Padding of the valid box around the event's pixels, px [spec "Data": valid mask = bounding box; tool choice 3]. */
  padPx: z.number().int().nonnegative().default(3),
});

export const featherSchema = z.strictObject({
  /**
   * Outside the valid box, input pixels at or below this are not stored in tpcvision's Feather files,
   * ADU [tool choice: ~3σ of the 3-ADU read noise, so hot pixels and stray tracks survive].
   */
  inputZeroSuppressAdu: z.number().default(10),
  /** ADU per unit of MIGDAL_simulator's q (which counts electrons) when reading its files [tool choice: 1, q taken as ADU]. */
  simulatorAduPerCount: z.number().positive().default(1),
});

export const overlapSampleSchema = z.strictObject({
  preparation: preparationSchema.default(preparationSchema.parse({})),
  feather: featherSchema.default(featherSchema.parse({})),
});
export type OverlapSampleConfig = z.infer<typeof overlapSampleSchema>;

/** The default preparation, as core/overlap-sample.ts's functions take it (the zod output is a PrepareOptions). */
export const PREPARATION_DEFAULTS: Readonly<PrepareOptions> = Object.freeze({ ...schemaDefaults(overlapSampleSchema).preparation });
export const FEATHER_DEFAULTS: Readonly<z.infer<typeof featherSchema>> = Object.freeze({ ...schemaDefaults(overlapSampleSchema).feather });

