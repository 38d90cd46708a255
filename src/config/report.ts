/**
 * Presentation defaults of the HTML report (report/): how much of the evaluation the page shows and
 * how large its images are. None changes a number of the evaluation; they trade page size against
 * detail (spec roi-trigger.md, "Low-coverage inspection", asks for the panels and the event list).
 *
 * Resolved with config/resolve.ts's resolveConfig (unknown keys and wrong types are ConfigErrors
 * naming the dotted key and its layer). Ignored: the evaluation settings the report reads
 * from the pipeline config it was given (evaluation.referenceAreaCut, evaluation.lowEnergyRange).
 */
import { z } from 'zod';
import { schemaDefaults } from './resolve.js';

export const reportSchema = z.strictObject({
  /**
   * Widest panel image in the page, px; wider panels are block-reduced (tool choice 384: a 1024² grid
   * of pedestal noise becomes 342², about 0.4 MB of base64 per image instead of 4 MB at full size; the
   * page shows them 300 px wide).
   */
  panelMaxWidth: z.number().int().positive().default(384),
  /** Colour map of the anomaly score in the panels (tool choice: perceptual, dark background). */
  scoreColormap: z.enum(['viridis', 'magma']).default('magma'),
  /** Rows per method in the near-zero-coverage list, events (tool choice; the full list is in events.csv). */
  lowCoverageRows: z.number().int().nonnegative().default(200),
  /** Test events whose ER prediction, truth and residual maps the overlap-separation section shows, events (tool choice). */
  oasisExamples: z.number().int().nonnegative().default(3),
});
export type ReportConfig = z.infer<typeof reportSchema>;

export const REPORT_DEFAULTS: Readonly<ReportConfig> = Object.freeze({ ...schemaDefaults(reportSchema) });

