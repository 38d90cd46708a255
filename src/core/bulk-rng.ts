/**
 * A generator for bulk per-pixel noise (millions of draws per frame), seeded from a core Rng so that
 * every frame's randomness still flows from Rng.derive(seed, label).
 *
 * Why a second generator: core Rng keeps its state as unsigned doubles (`>>> 0`), which costs ~40 ns
 * a draw in V8; this one is the same xoshiro128** recurrence on int32 fields (~4 ns), and draws
 * normals with the Marsaglia–Tsang ziggurat (128 layers) instead of the polar method.
 * Layer index and magnitude come from disjoint bits of one word (Doornik's fix to the original).
 * Uniforms have 32 bits of resolution: ample for noise, not meant for event kinematics.
 */
import type { Rng } from './rng.js';

const LAYERS = 128;
const R = 3.442619855899; // start of the tail, σ
const V = 9.91256303526217e-3; // area of each layer
const M = 16777216; // 2^24: magnitude resolution of the 25 high bits (sign + 24)

const KN = new Int32Array(LAYERS);
const WN = new Float64Array(LAYERS);
const FN = new Float64Array(LAYERS);
(() => {
  let dn = R;
  let tn = dn;
  const q = V / Math.exp(-0.5 * dn * dn);
  KN[0] = Math.floor((dn / q) * M);
  KN[1] = 0;
  WN[0] = q / M;
  WN[LAYERS - 1] = dn / M;
  FN[0] = 1;
  FN[LAYERS - 1] = Math.exp(-0.5 * dn * dn);
  for (let i = LAYERS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(V / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = Math.floor((dn / tn) * M);
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / M;
  }
})();

export class BulkRng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seedFrom: Rng) {
    this.s0 = seedFrom.nextU32() | 0;
    this.s1 = seedFrom.nextU32() | 0;
    this.s2 = seedFrom.nextU32() | 0;
    this.s3 = seedFrom.nextU32() | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Uniform 32-bit word as a signed int32 (xoshiro128**). */
  int32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Uniform in [0, 1), 32-bit resolution. */
  uniform(): number {
    return (this.int32() >>> 0) * 2.3283064365386963e-10;
  }

  /** Uniform in (0, 1]: safe under a logarithm. */
  uniformPositive(): number {
    return ((this.int32() >>> 0) + 1) * 2.3283064365386963e-10;
  }

  /** Standard normal (ziggurat): one word per draw in ~99% of cases. */
  normal(): number {
    const u = this.int32();
    const iz = u & (LAYERS - 1);
    const hz = u >> 7; // signed, |hz| < 2^24
    if (Math.abs(hz) < KN[iz]) return hz * WN[iz];
    return this.normalSlow(hz, iz);
  }

  private normalSlow(hz0: number, iz0: number): number {
    let hz = hz0;
    let iz = iz0;
    for (;;) {
      const x = hz * WN[iz];
      if (iz === 0) {
        // tail beyond R (Marsaglia 1964)
        let tx: number;
        let ty: number;
        do {
          tx = -Math.log(this.uniformPositive()) / R;
          ty = -Math.log(this.uniformPositive());
        } while (ty + ty < tx * tx);
        return hz > 0 ? R + tx : -R - tx;
      }
      if (FN[iz] + this.uniform() * (FN[iz - 1] - FN[iz]) < Math.exp(-0.5 * x * x)) return x;
      const u = this.int32();
      iz = u & (LAYERS - 1);
      hz = u >> 7;
      if (Math.abs(hz) < KN[iz]) return hz * WN[iz];
    }
  }

  /**
   * Fills `out` with standard normals. Same draws as calling normal() out.length times; the state lives
   * in locals inside the loop, which V8 keeps in registers (about twice as fast on a full frame).
   */
  fillNormal(out: Float64Array): void {
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let i = 0; i < out.length; i++) {
      const m = Math.imul(s1, 5);
      const u = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      const iz = u & (LAYERS - 1);
      const hz = u >> 7;
      if (Math.abs(hz) < KN[iz]) {
        out[i] = hz * WN[iz];
      } else {
        this.s0 = s0;
        this.s1 = s1;
        this.s2 = s2;
        this.s3 = s3;
        out[i] = this.normalSlow(hz, iz);
        s0 = this.s0;
        s1 = this.s1;
        s2 = this.s2;
        s3 = this.s3;
      }
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /** Exponential with mean 1. */
  exponential(): number {
    return -Math.log(this.uniformPositive());
  }
}
