/**
 * The MIGDAL analysis grid, the one place its size is written down (spec detectors.md, "MIGDAL";
 * overlap-separation.md, "Data"): the ORCA-Quest camera's 2048×1152 pixels, binned 4×4 more, give the
 * 512×288 analysis images (156 µm per pixel). The MIGDAL simulator renders on this grid and the
 * reader of MIGDAL_simulator output bins camera coordinates onto it, unless told otherwise.
 */
export interface MigdalGrid {
  /** Analysis image, px [spec: 512 × 288]. */
  width: number;
  height: number;
  /** Camera pixels per analysis pixel along each axis [spec: 4×4 binning, 2048 → 512]. */
  cameraBinning: number;
}

export const MIGDAL_GRID: Readonly<MigdalGrid> = Object.freeze({ width: 512, height: 288, cameraBinning: 4 });
