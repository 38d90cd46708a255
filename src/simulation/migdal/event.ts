/**
 * One MIGDAL sample: a Migdal event (an ER and an NR leaving a common vertex) or an NR alone, with its
 * truth kept per species.
 *
 * In: the resolved config, the run's camera, the run seed, the event index and kind. Out: a
 * `MigdalEvent` — the noisy input image (dark-subtracted ADU), the noiseless ER and NR images (ADU)
 * whose sum is exactly the noiseless part of the input, energies, vertex and ER direction.
 * All randomness of event i comes from Rng.derive(seed, 'event:' + i), so events can be simulated in
 * any order and a run is reproducible byte for byte.
 * Ignored: the Migdal electron's emission correlation with the NR (directions are independent and
 * isotropic), pile-up of unrelated tracks, the camera artefacts listed in camera.ts.
 */
import { Rng } from '../../core/rng.js';
import type { MigdalConfig, NrSpecies } from '../../config/migdal.js';
import { addCameraNoise, type MigdalCamera } from './camera.js';
import { renderSegments, vignettingMap } from './render.js';
import {
  erTrack,
  isotropic,
  nrTrack,
  sampleErEnergy,
  sampleNrEnergy,
  sampleNrSpecies,
  segmentsEnergyKeV,
  type Vertex,
} from './tracks.js';

export type MigdalKind = 'hybrid' | 'nr-only';

export interface MigdalEvent {
  readonly index: number;
  readonly kind: MigdalKind;
  readonly width: number;
  readonly height: number;
  /** Noisy input: ER + NR + camera noise, ADU (dark-subtracted, so noise has mean ≈ 0). [H·W] */
  readonly input: Float32Array;
  /** Noiseless truth per species, ADU. [H·W] each; `er` is all zeros for NR-only events. */
  readonly er: Float32Array;
  readonly nr: Float32Array;
  /** ER energy deposited in the drift gap, keV (0 for NR-only); the drawn ER energy. */
  readonly erEnergyKeV: number;
  readonly erInitialKeV: number;
  /** NR recoil energy (true), keV, and its visible (quenched) part deposited in the gap, keV. */
  readonly nrEnergyKeV: number;
  readonly nrVisibleKeV: number;
  readonly nrSpecies: NrSpecies;
  /** Common vertex: image px (x = column, y = row) and drift depth (cm). */
  readonly vertex: Vertex;
  /** Initial ER direction projected on the image plane and normalised, (dx, dy) in px axes with y = row
   *  (downward); [0, 0] for NR-only. */
  readonly erDir: readonly [number, number];
  /** Primary electrons of each species, for diagnostics. */
  readonly electrons: { readonly er: number; readonly nr: number };
}

/** Per-run context shared by all events: the camera and the vignetting map. */
export interface MigdalContext {
  readonly cfg: MigdalConfig;
  readonly seed: number;
  readonly camera: MigdalCamera;
  readonly vignetting: Float32Array;
}

export function migdalContext(cfg: MigdalConfig, seed: number, camera: MigdalCamera): MigdalContext {
  return { cfg, seed, camera, vignetting: vignettingMap(cfg) };
}

function drawVertex(cfg: MigdalConfig, rng: Rng): Vertex {
  const [zLo, zHi] = cfg.gas.vertexDepthCm;
  const z = rng.range(zLo, zHi);
  if (cfg.events.fixedVertexPx !== null) return { x: cfg.events.fixedVertexPx[0], y: cfg.events.fixedVertexPx[1], z };
  const m = cfg.events.vertexMarginMm / cfg.image.pixelMm;
  return { x: rng.range(m, cfg.image.width - m), y: rng.range(m, cfg.image.height - m), z };
}

/** Simulate event `index` of the run. Steps are numbered in the order they consume randomness. */
export function simulateMigdalEvent(ctx: MigdalContext, index: number, kind: MigdalKind): MigdalEvent {
  const { cfg } = ctx;
  const rng = Rng.derive(ctx.seed, `event:${index}`);
  const { width: w, height: h } = cfg.image;
  const n = w * h;
  // 1. kinematics: vertex, NR species and energy, ER energy, directions
  const vertex = drawVertex(cfg, rng);
  const species = sampleNrSpecies(cfg, rng);
  const nrKeV = sampleNrEnergy(cfg, species, rng);
  const nrDir = isotropic(rng);
  const erInitialKeV = kind === 'hybrid' ? sampleErEnergy(cfg, rng) : 0;
  const erDir3 = kind === 'hybrid' ? isotropic(rng) : ([0, 0, 0] as [number, number, number]);
  // 2. primary ionisation along both paths
  const nrSegs = nrTrack(cfg, rng, vertex, species, nrKeV, nrDir);
  const erSegs = kind === 'hybrid' ? erTrack(cfg, rng, vertex, erInitialKeV, erDir3) : null;
  // 3. drift, GEMs and light: one noiseless image per species
  const nr = new Float32Array(n);
  const er = new Float32Array(n);
  const nrStats = renderSegments(cfg, nrSegs, rng, ctx.vignetting, nr);
  const erStats = erSegs ? renderSegments(cfg, erSegs, rng, ctx.vignetting, er) : { electrons: 0, transmitted: 0 };
  // 4. input = ER + NR + camera noise (the sum in Float32 first, so input − noise is exactly er + nr)
  const input = new Float32Array(n);
  for (let i = 0; i < n; i++) input[i] = er[i] + nr[i];
  addCameraNoise(cfg, ctx.camera, rng, input);
  const hyp = Math.hypot(erDir3[0], erDir3[1]);
  const erDir: [number, number] = hyp > 0 ? [erDir3[0] / hyp, erDir3[1] / hyp] : [0, 0];
  return {
    index,
    kind,
    width: w,
    height: h,
    input,
    er,
    nr,
    erEnergyKeV: erSegs ? segmentsEnergyKeV(erSegs) : 0,
    erInitialKeV,
    nrEnergyKeV: nrKeV,
    nrVisibleKeV: segmentsEnergyKeV(nrSegs),
    nrSpecies: species,
    vertex,
    erDir,
    electrons: { er: erStats.electrons, nr: nrStats.electrons },
  };
}
