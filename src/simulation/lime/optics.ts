/**
 * Optical vignetting: relative light response of the lens as a function of the distance from the
 * frame centre. In: the profile points of the config (radius at the 2304-px sensor, response) and the
 * frame size. Out: a smooth radial function and a per-pixel response map (Float32, 1.0 at the centre).
 *
 * The points are joined by a monotone cubic (Fritsch–Carlson), so the curve never overshoots between
 * measurements; its slope is zero at the centre (a lens response is smooth there); beyond the last
 * point it stays constant. Radii scale with the sensor (miniature-sensor principle, config.ts).
 * Ignored: colour, angle of incidence, asymmetry of a real lens.
 */
import { type LimeConfig } from '../../config/lime.js';
import { geometryScale } from './derived.js';

/** Monotone cubic Hermite interpolant through (xs, ys), xs increasing, slope 0 at xs[0]. */
export function monotoneCubic(xs: readonly number[], ys: readonly number[]): (x: number) => number {
  const n = xs.length;
  if (n === 1) return () => ys[0];
  const h: number[] = [];
  const delta: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    h.push(xs[i + 1] - xs[i]);
    delta.push((ys[i + 1] - ys[i]) / h[i]);
  }
  const m: number[] = new Array(n).fill(0);
  m[0] = 0; // flat at the centre
  m[n - 1] = delta[n - 2];
  for (let i = 1; i < n - 1; i++) m[i] = delta[i - 1] * delta[i] <= 0 ? 0 : (delta[i - 1] + delta[i]) / 2;
  // Fritsch–Carlson limiter: keeps each segment monotone
  for (let i = 0; i < n - 1; i++) {
    if (delta[i] === 0) {
      m[i] = 0;
      m[i + 1] = 0;
      continue;
    }
    const a = m[i] / delta[i];
    const b = m[i + 1] / delta[i];
    const s = a * a + b * b;
    if (s > 9) {
      const t = 3 / Math.sqrt(s);
      m[i] = t * a * delta[i];
      m[i + 1] = t * b * delta[i];
    }
  }
  return (x: number) => {
    if (x <= xs[0]) return ys[0];
    if (x >= xs[n - 1]) return ys[n - 1];
    let i = 0;
    while (x > xs[i + 1]) i++;
    const t = (x - xs[i]) / h[i];
    const t2 = t * t;
    const t3 = t2 * t;
    return (
      (2 * t3 - 3 * t2 + 1) * ys[i] + (t3 - 2 * t2 + t) * h[i] * m[i] + (-2 * t3 + 3 * t2) * ys[i + 1] + (t3 - t2) * h[i] * m[i + 1]
    );
  };
}

/** Response at radius r (px of this frame) from the frame centre. */
export function vignettingProfile(cfg: LimeConfig): (rPx: number) => number {
  if (!cfg.optics.vignetting.enabled) return () => 1;
  const scale = geometryScale(cfg);
  const pts = cfg.optics.vignetting.profile;
  const f = monotoneCubic(
    pts.map((p) => p[0] * scale),
    pts.map((p) => p[1]),
  );
  return f;
}

/** Per-pixel response map, pixel (x, y) at index y·W + x, evaluated at the pixel centre. */
export function vignettingMap(cfg: LimeConfig): Float32Array {
  const { width: w, height: h } = cfg.camera;
  const map = new Float32Array(w * h);
  if (!cfg.optics.vignetting.enabled) return map.fill(1);
  const f = vignettingProfile(cfg);
  // tabulate the profile at 1/4-px steps of radius, then interpolate linearly (the profile is smooth)
  const cx = w / 2;
  const cy = h / 2;
  const rMax = Math.hypot(cx, cy) + 1;
  const steps = Math.ceil(rMax * 4) + 2;
  const table = new Float64Array(steps);
  for (let i = 0; i < steps; i++) table[i] = f(i / 4);
  for (let y = 0; y < h; y++) {
    const dy = y + 0.5 - cy;
    for (let x = 0; x < w; x++) {
      const dx = x + 0.5 - cx;
      const u = Math.sqrt(dx * dx + dy * dy) * 4; // (Math.hypot is several times slower)
      const i = Math.floor(u);
      const frac = u - i;
      map[y * w + x] = table[i] + frac * (table[i + 1] - table[i]);
    }
  }
  return map;
}
