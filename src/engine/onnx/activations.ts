/**
 * Keras activation names -> ONNX nodes. Add an entry here to export a new activation (e.g. for a
 * second model: 'swish'/'silu' is already x·sigmoid(x)).
 */
import type { GraphBuilder } from './graph-builder.js';

export type ActivationEmitter = (b: GraphBuilder, x: string, base: string) => string;

const single = (op: string): ActivationEmitter => (b, x, base) => b.node(op, [x], base);

export const ACTIVATIONS: Record<string, ActivationEmitter | null> = {
  linear: null,
  relu: single('Relu'),
  sigmoid: single('Sigmoid'),
  tanh: single('Tanh'),
  softplus: single('Softplus'),
  elu: single('Elu'),
  selu: single('Selu'),
  swish: (b, x, base) => b.node('Mul', [x, b.node('Sigmoid', [x], `${base}_sig`)], base),
};

export function emitActivation(b: GraphBuilder, name: string | undefined, x: string, base: string): string {
  const key = (name ?? 'linear').toLowerCase();
  if (key === 'silu') return emitActivation(b, 'swish', x, base);
  const emit = ACTIVATIONS[key];
  if (emit === undefined) throw new Error(`ONNX export: activation '${name}' is not supported (known: ${Object.keys(ACTIVATIONS).join(', ')}, silu)`);
  return emit === null ? x : emit(b, x, base);
}
