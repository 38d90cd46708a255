/**
 * The ONNX protobuf messages the exporter writes (field numbers from onnx/onnx.proto, IR version
 * 8, default-domain opset 13): ModelProto > GraphProto > NodeProto / TensorProto / ValueInfoProto,
 * built from plain objects.
 */
import { ProtoWriter } from './protobuf.js';

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 13;

export enum OnnxDataType {
  FLOAT = 1,
  INT64 = 7,
}

export type OnnxAttribute =
  | { name: string; kind: 'int'; value: number }
  | { name: string; kind: 'float'; value: number }
  | { name: string; kind: 'ints'; value: number[] }
  | { name: string; kind: 'floats'; value: number[] }
  | { name: string; kind: 'string'; value: string };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes?: OnnxAttribute[];
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: OnnxDataType;
  /** little-endian raw bytes of the values */
  raw: Uint8Array;
}

export interface OnnxValueInfo {
  name: string;
  /** a number for a fixed dimension, a string for a symbolic one (e.g. 'batch') */
  shape: Array<number | string>;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export function floatTensor(name: string, dims: number[], values: Float32Array): OnnxTensor {
  const copy = new Float32Array(values); // own, aligned buffer
  return { name, dims, dataType: OnnxDataType.FLOAT, raw: new Uint8Array(copy.buffer) };
}

export function int64Tensor(name: string, values: number[]): OnnxTensor {
  return { name, dims: [values.length], dataType: OnnxDataType.INT64, raw: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) };
}

function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  // AttributeProto: name=1, f=2, i=3, s=4, floats=7, ints=8, type=20
  w.string(1, a.name);
  switch (a.kind) {
    case 'float': w.float(2, a.value).int(20, 1); break;
    case 'int': w.int(3, a.value).int(20, 2); break;
    case 'string': w.string(4, a.value).int(20, 3); break;
    case 'floats': w.packedFloats(7, a.value).int(20, 6); break;
    case 'ints': w.packedInts(8, a.value).int(20, 7); break;
  }
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  // ValueInfoProto: name=1, type=2; TypeProto.tensor_type=1; Tensor: elem_type=1, shape=2;
  // TensorShapeProto.dim=1; Dimension: dim_value=1, dim_param=2
  w.string(1, v.name).message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, OnnxDataType.FLOAT).message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

export function encodeModel(graph: OnnxGraph, producerVersion: string): Uint8Array {
  const w = new ProtoWriter();
  // ModelProto: ir_version=1, producer_name=2, producer_version=3, graph=7, opset_import=8
  w.int(1, ONNX_IR_VERSION).string(2, 'tpcvision').string(3, producerVersion);
  w.message(7, (g) => {
    // GraphProto: node=1, name=2, initializer=5, input=11, output=12
    for (const n of graph.nodes) {
      g.message(1, (nw) => {
        // NodeProto: input=1, output=2, name=3, op_type=4, attribute=5
        for (const i of n.inputs) nw.string(1, i);
        for (const o of n.outputs) nw.string(2, o);
        nw.string(3, n.name).string(4, n.opType);
        for (const a of n.attributes ?? []) nw.message(5, (aw) => writeAttribute(aw, a));
      });
    }
    g.string(2, graph.name);
    for (const t of graph.initializers) {
      // TensorProto: dims=1, data_type=2, name=8, raw_data=9
      g.message(5, (tw) => tw.packedInts(1, t.dims).int(2, t.dataType).string(8, t.name).bytes(9, t.raw));
    }
    for (const v of graph.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of graph.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  });
  w.message(8, (o) => o.string(1, '').int(2, ONNX_OPSET));
  return w.finish();
}
