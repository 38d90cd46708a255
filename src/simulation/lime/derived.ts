/**
 * What the LIME simulator computes from a resolved configuration (the schema, its defaults and the
 * resolver live in src/config/lime.ts, with every other default).
 */
import { LIME_SIZE_PX, type LimeConfig } from '../../config/lime.js';

/** Factor by which geometry-bound features (vignetting radii, edge band, banding) scale with the sensor. */
export function geometryScale(cfg: LimeConfig): number {
  return Math.min(cfg.camera.width, cfg.camera.height) / LIME_SIZE_PX;
}

/** Mean number of events per frame: the explicit override, else the density times the megapixels. */
export function meanEventsPerFrame(cfg: LimeConfig): number {
  return cfg.events.perFrame ?? (cfg.events.perMegapixel * cfg.camera.width * cfg.camera.height) / 1e6;
}
