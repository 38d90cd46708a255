/**
 * The contract every anomaly score fulfils: a batch of analysis maps in, one anomaly map per input
 * out, on the same grid. Classical scores work frame by frame; learned ones (the autoencoders) run
 * batched through ONNX Runtime behind the same interface, so trigger, calibration and evaluation never
 * know which kind they hold.
 */
export interface AnomalyScore {
  /** Method name used in reports and evaluation.json (e.g. 'gaussian', 'ae-refined'). */
  readonly name: string;
  /** Human description for reports. */
  readonly description: string;
  /** Preferred batch size (1 for per-frame scores). */
  readonly batchSize: number;
  scoreBatch(maps: Float32Array[], width: number, height: number): Promise<Float32Array[]>;
  /**
   * Learned scores only: milliseconds spent so far inside the model's forward pass, so the model's
   * share of the score time can be reported apart from the data handling around it.
   */
  readonly modelMs?: number;
  /**
   * Learned scores only: sha256 of the network the score serves (the model directory's ONNX file), so
   * a τ calibrated for one model is never applied to another.
   */
  readonly modelSha256?: string;
  /** Release native resources (sessions); no-op for classical scores. */
  dispose?(): Promise<void>;
}

/** Adapter for scores that are pure per-frame functions. */
export function perFrameScore(
  name: string,
  description: string,
  fn: (map: Float32Array, width: number, height: number) => Float32Array,
): AnomalyScore {
  return {
    name,
    description,
    batchSize: 1,
    async scoreBatch(maps, width, height) {
      return maps.map((m) => fn(m, width, height));
    },
  };
}

/** Score of one map through any AnomalyScore. */
export async function scoreOne(score: AnomalyScore, map: Float32Array, width: number, height: number): Promise<Float32Array> {
  const [out] = await score.scoreBatch([map], width, height);
  return out;
}
