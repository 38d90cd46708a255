/**
 * Loads the compiled oneDNN addon (build/Release/tpcvision_native.node, built by `npm ci` through
 * node-gyp against Debian's libdnnl). When it is absent or cannot load its shared library, throws a
 * NativeEngineUnavailable that says which apt package to install and which command rebuilds it;
 * select-backend.ts turns that into a warning and the cpu backend.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The functions the addon exports (see native/*.cc). All buffers are float32, NHWC. */
export interface NativeAddon {
  setNumThreads(n: number): void;
  getNumThreads(): number;
  dnnlVersion(): string;
  /** glibc: serve large blocks from the heap and never trim it (see native/addon.cc) */
  retainFreedMemory(): boolean;
  conv2dForward(x: Float32Array, w: Float32Array, y: Float32Array, ...geometry: ConvGeometryArgs): void;
  conv2dBackwardData(dy: Float32Array, w: Float32Array, dx: Float32Array, ...geometry: ConvGeometryArgs): void;
  conv2dBackwardWeights(x: Float32Array, dy: Float32Array, dw: Float32Array, ...geometry: ConvGeometryArgs): void;
  conv2dImplInfo(kind: 'fwd' | 'bwd_data' | 'bwd_weights', ...geometry: ConvGeometryArgs): string;
  batchMatMul(a: Float32Array, b: Float32Array, out: Float32Array, dims: [number, number, number, number, number], transposeA: boolean, transposeB: boolean): void;
  unary(op: number, x: Float32Array, out: Float32Array, size: number, alpha: number): void;
  binary(op: number, mode: number, a: Float32Array, b: Float32Array, out: Float32Array, size: number, channels: number): void;
  reduceMiddle(x: Float32Array, out: Float32Array, outer: number, r: number, inner: number, mean: boolean): void;
  concatLast(inputs: Float32Array[], channels: number[], out: Float32Array, rows: number): void;
  splitLast(x: Float32Array, outputs: Float32Array[], channels: number[], rows: number): void;
  slice(x: Float32Array, out: Float32Array, shape: number[], begin: number[], size: number[]): void;
  /** out = x tiled reps times along each axis (tfjs Tile) */
  tile(x: Float32Array, out: Float32Array, shape: number[], reps: number[]): void;
  reluBackward(dy: Float32Array, x: Float32Array, out: Float32Array, size: number): void;
  centredChannelSum(x: Float32Array, mean: Float32Array, dy: Float32Array, out: Float32Array, rows: number, channels: number): void;
  sqDiffBackward(dy: Float32Array, a: Float32Array, b: Float32Array, out: Float32Array, rows: number, channels: number): void;
  batchNorm(x: Float32Array, mean: Float32Array, variance: Float32Array, scale: Float32Array | null, offset: Float32Array | null, out: Float32Array, rows: number, channels: number, epsilon: number): void;
  batchNormStats(x: Float32Array, mean: Float32Array, variance: Float32Array, rows: number, channels: number): void;
  groupNormForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, rstd: Float32Array, n: number, hw: number, channels: number, groups: number, epsilon: number, silu: boolean): void;
  groupNormBackward(dy: Float32Array, x: Float32Array, gamma: Float32Array, beta: Float32Array, mean: Float32Array, rstd: Float32Array, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, n: number, hw: number, channels: number, groups: number, silu: boolean): void;
  upsample2x(x: Float32Array, y: Float32Array, n: number, h: number, w: number, channels: number): void;
  upsample2xBackward(dy: Float32Array, dx: Float32Array, n: number, h: number, w: number, channels: number): void;
  weightedAbsSum(pred: Float32Array, target: Float32Array, weight: Float32Array, channelWeights: Float32Array, out: Float32Array, pixels: number, channels: number): void;
  weightedAbsBackward(dy: Float32Array, pred: Float32Array, target: Float32Array, weight: Float32Array, channelWeights: Float32Array, dpred: Float32Array, pixels: number, channels: number): void;
  maskedTvSum(pred: Float32Array, valid: Float32Array, out: Float32Array, n: number, h: number, w: number, channels: number): void;
  maskedTvBackward(dy: Float32Array, pred: Float32Array, valid: Float32Array, dpred: Float32Array, n: number, h: number, w: number, channels: number): void;
  /** One AdamW step of a variable (native/adamw.cc); params = [gradScale, β1, 1−β1, β2, 1−β2, 1−β1ᵗ, 1−β2ᵗ, ε, −lr, 1−lr·wd]. */
  adamwUpdate(w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, wOut: Float32Array, mOut: Float32Array, vOut: Float32Array, size: number, params: Float32Array): void;
  /** offset given: the gradient of relu(batch norm), dy masked where the forward output was > 0 */
  batchNormBackward(dy: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, scale: Float32Array, offset: Float32Array | null, dx: Float32Array, dscale: Float32Array, doffset: Float32Array, rows: number, channels: number, epsilon: number): void;
}

/** [srcShape NHWC, filterShape HWIO, dstShape NHWC, strides [h, w], pads [t, b, l, r], dilations [h, w]] */
export type ConvGeometryArgs = [number[], number[], number[], number[], number[], number[]];

export class NativeEngineUnavailable extends Error {
  constructor(reason: string) {
    super(
      `tpcvision native engine unavailable: ${reason}\n` +
        `  Install oneDNN:   apt-get install -y libdnnl-dev\n` +
        `  Rebuild addon:    npm rebuild tpcvision  (or, in the repository: npm run install)\n` +
        `  Without it tpcvision runs on the pure-JS tfjs 'cpu' backend (about 50x slower).`,
    );
    this.name = 'NativeEngineUnavailable';
  }
}

/** The repository root: the nearest directory above this module holding binding.gyp. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'binding.gyp')) && existsSync(join(dir, 'package.json'))) {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'tpcvision') return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new NativeEngineUnavailable('cannot find the tpcvision package root (binding.gyp)');
    dir = up;
  }
}

let cached: NativeAddon | undefined;

/**
 * libgomp reads its environment once, when it is loaded with the addon. By default an idle OpenMP
 * thread spins for a long time before sleeping; when the cores are shared (other processes, or
 * tfjs's own threads) a spinning team member holds a core the others need, and a 256² forward pass
 * measured 2.5x slower on two threads than on one. A short spin (then sleep) avoids that at a cost
 * of microseconds per parallel region. Users' own OMP_WAIT_POLICY / GOMP_SPINCOUNT win.
 */
export const DEFAULT_GOMP_SPINCOUNT = '10000';

function setOpenMpDefaults(): void {
  if (process.env.OMP_WAIT_POLICY == null && process.env.GOMP_SPINCOUNT == null) process.env.GOMP_SPINCOUNT = DEFAULT_GOMP_SPINCOUNT;
}

export function loadNativeAddon(): NativeAddon {
  if (cached) return cached;
  const path = join(packageRoot(), 'build', 'Release', 'tpcvision_native.node');
  if (!existsSync(path)) throw new NativeEngineUnavailable(`${path} has not been built`);
  setOpenMpDefaults();
  try {
    cached = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const why = /libdnnl/.test(msg) ? 'the oneDNN shared library (libdnnl.so) is missing' : 'the addon failed to load';
    throw new NativeEngineUnavailable(`${why} (${msg})`);
  }
  return cached;
}
