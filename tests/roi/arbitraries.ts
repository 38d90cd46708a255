/**
 * fast-check generators shared by the ROI tests: small binary masks of every density, from empty to
 * full, that shrink towards small images and sparse masks.
 */
import fc from 'fast-check';

export interface MaskCase {
  width: number;
  height: number;
  mask: Uint8Array;
}

/** A width×height mask (1 ≤ each side ≤ maxSide) with a random fill density 0–100 %. */
export function maskArb(maxSide: number): fc.Arbitrary<MaskCase> {
  return fc
    .record({
      width: fc.integer({ min: 1, max: maxSide }),
      height: fc.integer({ min: 1, max: maxSide }),
      percent: fc.integer({ min: 0, max: 100 }),
    })
    .chain(({ width, height, percent }) =>
      fc
        .array(fc.integer({ min: 0, max: 99 }), { minLength: width * height, maxLength: width * height })
        .map((draws) => ({ width, height, mask: Uint8Array.from(draws, (d) => (d < percent ? 1 : 0)) })),
    );
}

/** Render a mask as rows of '#' and '.' (readable failure messages). */
export function show(mask: ArrayLike<number>, width: number): string {
  const rows: string[] = [];
  for (let i = 0; i < mask.length; i += width) {
    rows.push(Array.from({ length: width }, (_, x) => (mask[i + x] ? '#' : '.')).join(''));
  }
  return rows.join('\n');
}

/** Parse rows of '#'/'.' (or '1'/'0') into a mask. */
export function parseMask(rows: string[]): MaskCase {
  const width = rows[0].length;
  const mask = new Uint8Array(width * rows.length);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) mask[y * width + x] = row[x] === '#' || row[x] === '1' ? 1 : 0;
  });
  return { width, height: rows.length, mask };
}
