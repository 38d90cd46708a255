/**
 * tfjs-core's gradient tape as the engine holds it at run time, typed narrowly for
 * lean-backprop.ts, and the tape filter tfjs-core does not export (getFilteredNodesXToY in
 * tfjs-core/dist/tape.js, 4.22), reimplemented with the same result and node order.
 */
import { engine, type Tensor, type TensorContainer } from '@tensorflow/tfjs-core';

/** One recorded kernel or customGrad op (tfjs-core's TapeNode). */
export interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, Tensor>;
  outputs: Tensor[];
  /** Present when the op has a gradient; a null dy is replaced by zeros of the output's shape. */
  gradient?: (dys: Array<Tensor | null>) => Record<string, () => Tensor>;
  /** Clones (engine.keep(engine.clone(t))) saved for the gradient, one array per node. */
  saved?: Tensor[];
}

export type GradientsFn = (
  f: () => Tensor, xs: Tensor[], dy?: Tensor, allowNoGradients?: boolean,
) => { value: Tensor; grads: Array<Tensor | undefined> };

/** The members of tfjs-core's Engine that the backward loop uses (all present in 4.22). */
export interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  gradients: GradientsFn;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T;
}

export function engineInternals(): EngineInternals {
  return engine() as unknown as EngineInternals;
}

/** The id the next tensor created will get (tfjs-core: static Engine.nextTensorId). */
export function nextTensorId(): number {
  return (engine().constructor as unknown as { nextTensorId: number }).nextTensorId;
}

/**
 * The nodes on a path from some x to y, in tape order, each a shallow copy whose inputs keep only
 * those that are functions of some x (outputs, gradient and saved are the original node's).
 */
export function filterTape(tape: TapeNode[], xs: Tensor[], y: Tensor): TapeNode[] {
  // 1. Forward: tensors and nodes that depend on some x.
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    for (const name in node.inputs) {
      if (fromX.has(node.inputs[name].id)) {
        for (const o of node.outputs) fromX.add(o.id);
        nodesFromX.add(node.id);
        break;
      }
    }
  }
  // 2. Backward: nodes with an output that leads to y (then all their inputs lead to y).
  const leadToY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (!node.outputs.some((o) => leadToY.has(o.id))) continue;
    for (const name in node.inputs) {
      leadToY.add(node.inputs[name].id);
      nodesToY.add(node.id);
    }
  }
  // 3. Both, with inputs pruned to those depending on x.
  const filtered: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, Tensor> = {};
    for (const name in node.inputs) if (fromX.has(node.inputs[name].id)) inputs[name] = node.inputs[name];
    filtered.push({ ...node, inputs, outputs: node.outputs });
  }
  return filtered;
}
