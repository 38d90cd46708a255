/**
 * ONNX Runtime inference for exported models (onnxruntime-node, CPU by default; CUDA when
 * installed with ONNXRUNTIME_NODE_INSTALL_CUDA and asked for, see docs/ENGINE.md). Takes and
 * returns the tfjs layout (NHWC float32), like the tfjs model it was exported from.
 */
import { cpus } from 'node:os';
import * as ort from 'onnxruntime-node';

export interface OnnxSessionOptions {
  /** intra-op threads (default: all cores) */
  threads?: number;
  /** execution providers in order of preference (default ['cpu']; GPU: ['cuda', 'cpu']) */
  executionProviders?: string[];
  /**
   * Let idle intra-op threads spin (ORT's default). Default false here: on shared cores a spinning
   * thread steals the core its team needs (256² forward on 2 threads: 150 ms spinning vs 110 ms
   * not, on this project's shared 2-core machine). Set true on a dedicated machine.
   */
  spinning?: boolean;
  /** write ONNX Runtime's per-node profile (JSON) to files starting with this prefix; see endProfiling */
  profileFilePrefix?: string;
}

export class OnnxModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputName: string,
    readonly outputName: string,
  ) {}

  /** Loads a model from bytes (exportOnnx output) or from a path to a .onnx file. */
  static async load(model: Uint8Array | string, options: OnnxSessionOptions = {}): Promise<OnnxModel> {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: options.threads ?? cpus().length,
      interOpNumThreads: 1,
      executionProviders: options.executionProviders ?? ['cpu'],
      graphOptimizationLevel: 'all',
      extra: { session: { intra_op: { allow_spinning: options.spinning ? '1' : '0' } } },
      ...(options.profileFilePrefix ? { enableProfiling: true, profileFilePrefix: options.profileFilePrefix } : {}),
    };
    const session =
      typeof model === 'string' ? await ort.InferenceSession.create(model, sessionOptions) : await ort.InferenceSession.create(model, sessionOptions);
    return new OnnxModel(session, session.inputNames[0], session.outputNames[0]);
  }

  /** Runs one batch: data [N, H, W, C] row-major float32 -> the output's float32 values. */
  async run(data: Float32Array, shape: number[]): Promise<Float32Array> {
    return (await this.runWithShape(data, shape)).data;
  }

  /** As run, also returning the output shape. */
  async runWithShape(data: Float32Array, shape: number[]): Promise<{ data: Float32Array; shape: number[] }> {
    const feeds = { [this.inputName]: new ort.Tensor('float32', data, shape) };
    const result = await this.session.run(feeds);
    const out = result[this.outputName];
    const values = out.data as Float32Array;
    const dims = [...out.dims];
    out.dispose();
    return { data: values, shape: dims };
  }

  /** Ends profiling (profileFilePrefix) and flushes the profile file. */
  endProfiling(): void {
    this.session.endProfiling();
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
