/**
 * Reuse of the native kernels' float32 output buffers. tfjs's cpu storage drops a disposed tensor's
 * array and leaves the memory to V8's garbage collector, so during a training step hundreds of
 * megabytes of dead activations wait for a GC while fresh ones are allocated (and page-faulted in).
 * Here a buffer that kernels/util.ts output() allocated goes back to a free list keyed by length
 * when its tensor's data is disposed, and the next output of that length takes it.
 *
 * A buffer is pooled only while this module knows it is private to one tensor's data (dataId):
 * - readSync/read (dataSync, data, array, bufferSync, moving between backends) hand the backing
 *   array itself to the caller on the cpu backend, so a read buffer is never reused (escape()).
 * - A kernel may return a view of, or the very array of, an input under a new dataId (tfjs's cpu
 *   Slice returns a subarray for contiguous slices); checkOutputs() runs after every kernel on the
 *   native backend and drops such a buffer from the pool for good. (Reshape/Identity keep the
 *   same dataId and are refcounted by tfjs, so they need nothing.)
 * The pool holds at most POOL_MAX_BYTES; beyond that a freed buffer is left to the GC as before.
 */
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/** Upper bound of memory held in free lists (bytes): one 1024² batch-8 activation of 22 channels is 0.7 GiB. */
export const POOL_MAX_BYTES = 1 << 30;

// ArrayBuffer -> the dataId that owns it, for buffers allocated by takeBuffer and still private.
const owner = new WeakMap<ArrayBufferLike, DataId>();
const free = new Map<number, Float32Array[]>(); // length -> free buffers
let freeBytes = 0;

/** A float32 buffer of n elements, uninitialised: a pooled one if available, else a fresh one. */
export function takeBuffer(n: number): Float32Array {
  const list = free.get(n);
  const reused = list?.pop();
  if (reused != null) {
    freeBytes -= reused.byteLength;
    return reused;
  }
  // Buffer.allocUnsafeSlow: not zeroed, unpooled by Node, so the Float32Array is its whole ArrayBuffer.
  return new Float32Array(Buffer.allocUnsafeSlow(4 * n).buffer, 0, n);
}

/** Records that `values` (from takeBuffer) now belongs to `dataId`. */
export function adopt(values: Float32Array, dataId: DataId): void {
  if (values.length > 0) owner.set(values.buffer, dataId);
}

/** The buffer behind dataId's values may be seen outside its tensor: never pool it again. */
export function escape(backend: MathBackendCPU, dataId: DataId): void {
  const entry = backend.data.get(dataId);
  if (entry?.values != null && ArrayBuffer.isView(entry.values)) owner.delete(entry.values.buffer);
}

/** After a kernel: an output sharing a pooled buffer under another dataId makes that buffer unpoolable. */
export function checkOutputs(backend: MathBackendCPU, outputs: TensorInfo | TensorInfo[]): void {
  for (const out of Array.isArray(outputs) ? outputs : [outputs]) {
    const values = backend.data.get(out.dataId)?.values;
    if (values == null || !ArrayBuffer.isView(values)) continue;
    const id = owner.get(values.buffer);
    if (id != null && id !== out.dataId) owner.delete(values.buffer);
  }
}

/** Call before the backend drops dataId: returns its buffer to the pool if it is private. */
export function release(values: unknown, dataId: DataId): void {
  if (!(values instanceof Float32Array) || owner.get(values.buffer) !== dataId) return;
  owner.delete(values.buffer);
  if (values.byteOffset !== 0 || values.byteLength !== values.buffer.byteLength) return;
  if (freeBytes + values.byteLength > POOL_MAX_BYTES) return;
  const list = free.get(values.length);
  if (list == null) free.set(values.length, [values]);
  else list.push(values);
  freeBytes += values.byteLength;
}

/** Empties the free lists (their memory goes to the GC). */
export function drainPool(): void {
  free.clear();
  freeBytes = 0;
}

export function pooledBytes(): number {
  return freeBytes;
}
