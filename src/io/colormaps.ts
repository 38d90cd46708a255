/**
 * Colour lookup tables for rendering maps: 256 RGB entries each, interpolated linearly between
 * anchor colours sampled from the published maps (viridis and magma: matplotlib's 256-entry tables at
 * steps of 1/16; coolwarm, Moreland's diverging map, at steps of 1/8). In: a position in [0, 1].
 * Out: RGB. Interpolating 17 anchors stays within 5 levels (of 255) of the full viridis table and
 * 3 of magma: invisible in a report figure, and 60 lines shorter.
 */

export type Colormap = 'gray' | 'viridis' | 'magma' | 'coolwarm';
export type Rgb = readonly [number, number, number];

export const COLORMAPS: readonly Colormap[] = ['gray', 'viridis', 'magma', 'coolwarm'];

const ANCHORS: Record<Exclude<Colormap, 'gray'>, string[]> = {
  viridis: [
    '440154', '48186a', '472d7b', '424086', '3b528b', '33638d', '2c728e', '26828e', '21918c',
    '1fa088', '28ae80', '3fbc73', '5ec962', '84d44b', 'addc30', 'd8e219', 'fde725',
  ],
  magma: [
    '000004', '0a0822', '1d1147', '36106b', '51127c', '6a1c81', '832681', '9c2e7f', 'b73779',
    'd0416f', 'e75263', 'f56b5c', 'fc8961', 'fea772', 'fec488', 'fde2a3', 'fcfdbf',
  ],
  // blue → light grey at 0 → red; used for signed maps (residuals, ER − NR) centred on zero
  coolwarm: ['3b4cc0', '6282ea', '8db0fe', 'b8d0f9', 'dddddd', 'f5c4ad', 'f49a7b', 'de604d', 'b40426'],
};

function hex(h: string): Rgb {
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

function buildLut(map: Colormap): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  if (map === 'gray') {
    for (let i = 0; i < 256; i++) lut.fill(i, 3 * i, 3 * i + 3);
    return lut;
  }
  const anchors = ANCHORS[map].map(hex);
  const segments = anchors.length - 1;
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * segments;
    const k = Math.min(Math.floor(t), segments - 1);
    const f = t - k;
    for (let c = 0; c < 3; c++) lut[3 * i + c] = Math.round(anchors[k][c] * (1 - f) + anchors[k + 1][c] * f);
  }
  return lut;
}

const LUTS = new Map<Colormap, Uint8Array>();

/** The 256×3 table of a colormap (built once). */
export function colormapLut(map: Colormap): Uint8Array {
  let lut = LUTS.get(map);
  if (!lut) {
    if (!COLORMAPS.includes(map)) throw new Error(`unknown colormap '${map}' (choices: ${COLORMAPS.join(', ')})`);
    lut = buildLut(map);
    LUTS.set(map, lut);
  }
  return lut;
}

/** Colour at position t in [0, 1] (clamped), nearest of the 256 entries. */
export function colorAt(map: Colormap, t: number): Rgb {
  const lut = colormapLut(map);
  const i = Math.round(Math.min(1, Math.max(0, t)) * 255);
  return [lut[3 * i], lut[3 * i + 1], lut[3 * i + 2]];
}
