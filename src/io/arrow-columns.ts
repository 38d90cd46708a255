/**
 * Cell access shared by the two Feather readers (feather.ts, feather-migdal-simulator.ts): a named
 * column, a list cell as numbers, and sparse (x, y, value) lists made dense. Errors name the file
 * (and row) at fault.
 */
import type { Table, Vector } from 'apache-arrow';
import { InputError } from '../core/errors.js';

/** The column `name` of `table`, or an InputError naming the file and the missing column. */
export function column(table: Table, name: string, path: string): Vector {
  const col = table.getChild(name);
  if (!col) throw new InputError(path, `missing column '${name}' (columns: ${table.schema.fields.map((f) => f.name).join(', ')})`);
  return col;
}

/** A list cell as numbers (int64 lists arrive as BigInt64Array). */
export function listCell(col: Vector, row: number): Float64Array {
  const cell = col.get(row) as Vector | null;
  if (cell === null || cell === undefined) return new Float64Array(0);
  const arr = cell.toArray() as ArrayLike<number | bigint>;
  const out = new Float64Array(arr.length);
  for (let i = 0; i < arr.length; i++) out[i] = Number(arr[i]);
  return out;
}

/** Dense image [H·W] from sparse lists; pixels outside the image are an error naming the file and row. */
export function densify(xs: Float64Array, ys: Float64Array, vs: Float64Array, w: number, h: number, where: string): Float32Array {
  const img = new Float32Array(w * h);
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k];
    const y = ys[k];
    if (!(x >= 0 && x < w && y >= 0 && y < h)) throw new InputError(where, `pixel (${x}, ${y}) outside the ${w}×${h} image`);
    img[y * w + x] += vs[k];
  }
  return img;
}
