/**
 * The LIME simulator for one seed: builds the camera once, then makes pedestal frames (noise only,
 * GEM off) and data frames (noise + events + photon statistics) with their per-event truth.
 *
 * In: resolved config, seed. Out: uint16 frames and truth records, one call per frame.
 * Every frame's randomness comes from Rng.derive(seed, label) with its own label — 'ped:<i>' for
 * pedestal i; 'data:<i>/noise', 'data:<i>/events', 'data:<i>/photons' for data frame i — so a frame is
 * the same whatever else the run contains, and the noise of a data frame can be regenerated alone.
 * Data frame = quantize(noise + countsPerPhoton · Poisson(Σ event images / countsPerPhoton)).
 */
import { makeFrame, type Frame } from '../../core/frame.js';
import { Rng } from '../../core/rng.js';
import { buildCamera, runHotPixels, type LimeCamera, type RunHotPixels } from './camera.js';
import type { EventType, LimeConfig } from '../../config/lime.js';
import { sampleEvent, visibleEnergyKeV } from './events.js';
import { quantize, renderNoise } from './noise.js';
import { vignettingMap } from './optics.js';
import { EventRenderer, addToFrame, truthPixels, type EventImage } from './render.js';

/** One event of a frame's truth file. */
export interface TruthEvent {
  id: number;
  type: EventType;
  /** Energy deposited in the visible gas (inside the frame and the drift volume), keV, before quenching. */
  energyKeV: number;
  depthCm: number;
  /** Vertex in frame px (x, y). */
  vertex: [number, number];
  /** Pixels whose noiseless expected counts reach truth.minCounts: index y·W + x, counts rounded to 0.01. */
  pixels: { index: number[]; counts: number[] };
}

export interface FrameTruth {
  frame: string;
  width: number;
  height: number;
  events: TruthEvent[];
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export class LimeSimulator {
  readonly camera: LimeCamera;
  /** Relative light response per pixel (1 at the centre). [H·W] */
  readonly vignetting: Float32Array;
  private readonly hot = new Map<number, RunHotPixels>();
  private readonly noiseBuf: Float32Array;
  private readonly signalBuf: Float32Array;
  private readonly renderer: EventRenderer;

  constructor(
    readonly config: LimeConfig,
    readonly seed: number,
  ) {
    this.camera = buildCamera(config, config.camera.seed ?? seed); // a fixed camera seed: another run of the same camera
    this.vignetting = vignettingMap(config);
    this.noiseBuf = new Float32Array(config.camera.width * config.camera.height);
    this.signalBuf = new Float32Array(this.noiseBuf.length);
    this.renderer = new EventRenderer(config, this.vignetting);
  }

  /** The isolated hot pixels of a run (cached). */
  hotPixels(runIndex: number): RunHotPixels {
    let h = this.hot.get(runIndex);
    if (!h) {
      h = runHotPixels(this.config, this.camera, this.config.runs.seed ?? this.seed, runIndex); // a fixed runs.seed: more frames of an earlier run
      this.hot.set(runIndex, h);
    }
    return h;
  }

  /** The float noise (counts) a frame with this Rng label gets, in run `runIndex`; valid until the next call. */
  noise(label: string, runIndex: number): Float32Array {
    return renderNoise(this.config, this.camera, this.hotPixels(runIndex), Rng.derive(this.seed, label), this.noiseBuf);
  }

  /** Pedestal frame i: noise only, in the pedestal run. */
  pedestalFrame(index: number): Frame<Uint16Array> {
    const data = quantize(this.noise(`ped:${index}`, this.config.runs.pedestalRun));
    return makeFrame(this.config.camera.width, this.config.camera.height, data, { kind: 'pedestal', index, seed: this.seed });
  }

  /** Data frame i holding the events with these ids (in the data run), and its truth. */
  dataFrame(index: number, eventIds: readonly number[], name = `frame_${String(index).padStart(5, '0')}.npy`): { frame: Frame<Uint16Array>; truth: FrameTruth } {
    const cfg = this.config;
    const { width: w, height: h } = cfg.camera;
    const signal = this.signalBuf; // all zero between calls
    const rng = Rng.derive(this.seed, `data:${index}/events`);
    const events: TruthEvent[] = [];
    const images: EventImage[] = [];
    for (const id of eventIds) {
      const ev = sampleEvent(cfg, rng, id);
      const img = this.renderer.render(ev.deposits, rng);
      if (img) {
        addToFrame(img, signal);
        images.push(img);
      }
      events.push({
        id,
        type: ev.type,
        energyKeV: round(visibleEnergyKeV(cfg, ev.deposits), 3),
        depthCm: round(ev.depthCm, 3),
        vertex: [round(ev.vertex[0], 2), round(ev.vertex[1], 2)],
        pixels: img ? truthPixels(img, cfg.truth.minCounts) : { index: [], counts: [] },
      });
    }
    const noise = this.noise(`data:${index}/noise`, cfg.runs.dataRun);
    // photon statistics of the summed light, once per lit pixel (events may overlap), clearing as we go
    const photons = Rng.derive(this.seed, `data:${index}/photons`);
    const cpp = cfg.physics.countsPerPhoton;
    for (const img of images) {
      for (const i of img.index) {
        const s = signal[i];
        if (s > 0) {
          noise[i] += cpp * photons.poisson(s / cpp);
          signal[i] = 0;
        }
      }
    }
    const data = quantize(noise);
    return {
      frame: makeFrame(w, h, data, { kind: 'data', index, seed: this.seed, events: events.length }),
      truth: { frame: name, width: w, height: h, events },
    };
  }
}
