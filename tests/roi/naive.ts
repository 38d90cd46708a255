/**
 * Naive references for the ROI steps, written straight from the definitions (O(N·r²) disk operators,
 * flood-fill labelling); they live only in the tests, never in src.
 */

// Disk: offsets with dx² + dy² ≤ r². Dilation: outside the image is background (ignored).
// Erosion: outside the image is foreground (ignored likewise: only in-image pixels can erode).
export function naiveDilate(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const R = Math.floor(r);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let hit = 0;
      for (let dy = -R; dy <= R && !hit; dy++) {
        for (let dx = -R; dx <= R && !hit; dx++) {
          const u = x + dx;
          const v = y + dy;
          if (dx * dx + dy * dy <= r * r && u >= 0 && u < width && v >= 0 && v < height && mask[v * width + u]) hit = 1;
        }
      }
      out[y * width + x] = hit;
    }
  }
  return out;
}

export function naiveErode(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const R = Math.floor(r);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let keep = 1;
      for (let dy = -R; dy <= R && keep; dy++) {
        for (let dx = -R; dx <= R && keep; dx++) {
          const u = x + dx;
          const v = y + dy;
          if (dx * dx + dy * dy <= r * r && u >= 0 && u < width && v >= 0 && v < height && !mask[v * width + u]) keep = 0;
        }
      }
      out[y * width + x] = keep;
    }
  }
  return out;
}

export const naiveClose = (m: Uint8Array, w: number, h: number, r: number) => naiveErode(naiveDilate(m, w, h, r), w, h, r);

/** Reference labelling: flood fill from each unlabelled pixel in raster order, 8-connected. */
export function naiveLabels(mask: Uint8Array, width: number, height: number): number[] {
  const labels = new Array<number>(width * height).fill(0);
  let next = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    labels[start] = ++next;
    const stack = [start];
    while (stack.length > 0) {
      const i = stack.pop()!;
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const u = x + dx;
          const v = y + dy;
          const j = v * width + u;
          if (u >= 0 && u < width && v >= 0 && v < height && mask[j] && !labels[j]) {
            labels[j] = next;
            stack.push(j);
          }
        }
      }
    }
  }
  return labels;
}
