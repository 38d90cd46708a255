/**
 * A replacement for tfjs-core's Engine.gradients (used by optimizer.minimize → variableGrads and by
 * tf.grad/grads) that frees memory during the backward pass; installed with the native backend.
 *
 * Why: tfjs's backward loop (backpropagateGradients, tfjs-core/dist/tape.js) keeps the gradient of
 * every intermediate tensor until the whole backward pass ends, and the engine disposes the
 * tensors saved for the backward pass only then too. In the ROI autoencoder's 1024² training step
 * that is ~3.1 GB live at the last backward kernel at batch 1 where only ~1.25 GB are saved
 * activations, so memory grows with the number of layers rather than with the widest one.
 *
 * What is the same: the filtered tape (tape.ts), the reverse order, each gradient closure run in
 * its own tidy, the checks, and accumulation `grad ← add(grad, dx)` in the same order, so every
 * gradient is bit-identical to tfjs's loop given the same kernels.
 * What differs, only in when tensors are disposed:
 *   1. the gradient of a node's output is disposed right after that node (its producer, which
 *      comes after all its consumers in reverse order), unless it is one of the xs or was not
 *      created by this backward pass (the caller's dy, a saved tensor returned as a gradient);
 *   2. each node runs in its own tidy, so what its gradient function computes eagerly (zeros for
 *      unused outputs, customGrad results, per-channel factors) and an accumulated dx go with it;
 *   3. a node's saved tensors (clones that share data with the forward activations) are disposed
 *      right after that node, and those of nodes off the x → y path before the loop starts.
 *      The engine disposes all saved tensors again at the end; Tensor.dispose ignores tensors
 *      already disposed, and emptying each released node's saved list keeps that a no-op anyway.
 * Nested gradients (called while another gradients() records, e.g. a gradient of a gradient) use
 * tfjs's original: there the backward pass itself is on a tape and its tensors must stay.
 * TPCVISION_TFJS_BACKPROP=1 keeps tfjs's original everywhere.
 */
import { add, ones, Tensor, util } from '@tensorflow/tfjs-core';
import { engineInternals, filterTape, nextTensorId, type GradientsFn, type TapeNode } from './tape.js';

let original: GradientsFn | undefined;

/** Gradients held by tensor id, counting how many entries hold each gradient tensor. */
class GradientMap {
  private readonly byId = new Map<number, Tensor>();
  private readonly holders = new Map<Tensor, number>();
  constructor(private readonly firstOwnId: number) {}

  get(id: number): Tensor | undefined {
    return this.byId.get(id);
  }
  set(id: number, g: Tensor): void {
    const old = this.byId.get(id);
    this.byId.set(id, g);
    this.holders.set(g, (this.holders.get(g) ?? 0) + 1);
    if (old != null) this.unhold(old);
  }
  /** Drops the entry of `id` and disposes its gradient if nothing else holds it. */
  drop(id: number): void {
    const g = this.byId.get(id);
    if (g == null) return;
    this.byId.delete(id);
    this.unhold(g);
    this.release(g);
  }
  held(t: Tensor): boolean {
    return (this.holders.get(t) ?? 0) > 0;
  }
  /** Disposes t if this backward pass created it and no entry holds it. */
  release(t: Tensor): void {
    if (t.id >= this.firstOwnId && !this.held(t)) t.dispose();
  }
  private unhold(t: Tensor): void {
    const n = (this.holders.get(t) ?? 1) - 1;
    if (n > 0) this.holders.set(t, n);
    else this.holders.delete(t);
  }
}

/** Disposes a node's saved tensors except any held as a gradient, and empties its saved list. */
function releaseSaved(node: TapeNode, grads: GradientMap): void {
  const saved = node.saved;
  if (saved == null) return;
  const kept = saved.filter((t) => grads.held(t));
  for (const t of saved) if (!grads.held(t)) t.dispose();
  saved.splice(0, saved.length, ...kept); // the same array the node's gradient closure holds
}

/** One node of the loop: tfjs's backpropagateGradients body. Returns the gradients it set. */
function backpropNode(node: TapeNode, grads: GradientMap): Tensor[] {
  const e = engineInternals();
  const dys = node.outputs.map((o) => grads.get(o.id) ?? null);
  if (node.gradient == null) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
  const inputGradients = node.gradient(dys);
  for (const name in node.inputs) {
    if (!(name in inputGradients)) {
      throw new Error(`Cannot backprop through input ${name}. Available gradients found: ${Object.keys(inputGradients)}.`);
    }
    const dx = e.tidy(() => inputGradients[name]());
    if (dx.dtype !== 'float32') {
      throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`);
    }
    const x = node.inputs[name];
    if (!util.arraysEqual(dx.shape, x.shape)) {
      throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`);
    }
    const current = grads.get(x.id);
    if (current == null) {
      grads.set(x.id, dx);
    } else {
      grads.set(x.id, add(current, dx)); // tfjs: add(curGradient, dx), same operand order
      grads.release(current);
      grads.release(dx);
    }
  }
  return Object.values(node.inputs).map((x) => grads.get(x.id)!);
}

const leanGradients: GradientsFn = (f, xs, dy, allowNoGradients = false) => {
  const e = engineInternals();
  if (e.state.gradientDepth > 0) return original!.call(e, f, xs, dy, allowNoGradients);
  util.assert(xs.length > 0, () => 'gradients() received an empty list of xs.');
  if (dy != null && dy.dtype !== 'float32') throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
  const y = e.scopedRun(() => e.startTape(), () => e.endTape(), () => e.tidy('forward', f));
  util.assert(y instanceof Tensor, () => 'The result y returned by f() must be a tensor.');
  const tape = e.state.activeTape!;
  const filtered = filterTape(tape, xs, y);
  if (!allowNoGradients && filtered.length === 0 && xs.length > 0) {
    throw new Error('Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.');
  }
  return e.tidy('backward', () => {
    const grads = new GradientMap(nextTensorId());
    grads.set(y.id, dy ?? ones(y.shape));
    const onPath = new Set(filtered.map((n) => n.id));
    for (const node of tape) if (!onPath.has(node.id)) releaseSaved(node, grads); // never needed
    const keep = new Set(xs.map((x) => x.id));
    for (let i = filtered.length - 1; i >= 0; i--) {
      const node = filtered[i];
      e.tidy(() => backpropNode(node, grads));
      // 1. Every consumer of the node's outputs came later on the tape and has run.
      for (const o of node.outputs) if (!keep.has(o.id)) grads.drop(o.id);
      releaseSaved(node, grads);
    }
    const result = xs.map((x) => grads.get(x.id));
    // The engine's own end of gradients(): dispose what the tape saved and drop the tape.
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
    e.state.activeTape = null;
    return { value: y, grads: result } as never;
  });
};

/** Replaces the engine's gradients() unless TPCVISION_TFJS_BACKPROP=1 (idempotent). */
export function installLeanBackprop(): void {
  if (original != null || process.env.TPCVISION_TFJS_BACKPROP === '1') return;
  const e = engineInternals();
  original = e.gradients;
  e.gradients = leanGradients;
}

/** Puts tfjs's gradients() back (for tests comparing the two). */
export function uninstallLeanBackprop(): void {
  if (original == null) return;
  engineInternals().gradients = original;
  original = undefined;
}
