/**
 * Accumulates ONNX nodes and initializers while the exporter walks a tfjs model, and tracks the
 * layout of every value: tfjs is NHWC, ONNX convolutions are NCHW, so 4-D values are kept in NCHW
 * inside the graph ('nchw') and transposed only where a layer needs tfjs order ('plain').
 */
import type { OnnxAttribute, OnnxGraph, OnnxNode, OnnxTensor, OnnxValueInfo } from './onnx-proto.js';
import { floatTensor, int64Tensor } from './onnx-proto.js';

export interface OnnxValue {
  name: string;
  /** 'nchw': a 4-D tfjs NHWC tensor stored transposed to NCHW; 'plain': same order as tfjs */
  layout: 'nchw' | 'plain';
  /** shape in tfjs order (NHWC for 4-D), batch as null */
  shape: Array<number | null>;
}

export const NHWC_TO_NCHW = [0, 3, 1, 2];
export const NCHW_TO_NHWC = [0, 2, 3, 1];

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  readonly inputs: OnnxValueInfo[] = [];
  readonly outputs: OnnxValueInfo[] = [];
  private used = new Set<string>();

  /** A fresh value/node name derived from `base`. */
  unique(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./-]/g, '_');
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  floatInit(base: string, dims: number[], values: Float32Array): string {
    const name = this.unique(base);
    this.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  int64Init(base: string, values: number[]): string {
    const name = this.unique(base);
    this.initializers.push(int64Tensor(name, values));
    return name;
  }

  /** Appends a node with one output and returns the output's name. */
  node(opType: string, inputs: string[], base: string, attributes: OnnxAttribute[] = []): string {
    const output = this.unique(base);
    this.nodes.push({ opType, inputs, outputs: [output], name: this.unique(`${base}_${opType}`), attributes });
    return output;
  }

  toNchw(v: OnnxValue): OnnxValue {
    if (v.layout === 'nchw' || v.shape.length !== 4) return v;
    const name = this.node('Transpose', [v.name], `${v.name}_nchw`, [{ name: 'perm', kind: 'ints', value: NHWC_TO_NCHW }]);
    return { name, layout: 'nchw', shape: v.shape };
  }

  toPlain(v: OnnxValue): OnnxValue {
    if (v.layout === 'plain') return v;
    const name = this.node('Transpose', [v.name], `${v.name}_nhwc`, [{ name: 'perm', kind: 'ints', value: NCHW_TO_NHWC }]);
    return { name, layout: 'plain', shape: v.shape };
  }

  graph(name: string): OnnxGraph {
    return { name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs };
  }
}

/** Permutes a dense row-major 4-D array: out[dims permuted] = in. */
export function permute4d(values: Float32Array, shape: number[], perm: number[]): { values: Float32Array; shape: number[] } {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const s = perm.map((p) => inStrides[p]);
  const out = new Float32Array(values.length);
  let o = 0;
  for (let a = 0; a < outShape[0]; a++)
    for (let b = 0; b < outShape[1]; b++)
      for (let c = 0; c < outShape[2]; c++)
        for (let d = 0; d < outShape[3]; d++) out[o++] = values[a * s[0] + b * s[1] + c * s[2] + d * s[3]];
  return { values: out, shape: outShape };
}
