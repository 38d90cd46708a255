/**
 * Export a tfjs-layers functional model to ONNX for inference with ONNX Runtime.
 * 1. Find each Conv2D/Conv2DTranspose (linear activation) whose output feeds only one
 *    BatchNormalization, and fold that batch norm (moving statistics) into its weights and bias.
 * 2. Walk the layers in topological order, converting each with LAYER_CONVERTERS; 4-D values stay
 *    NCHW inside the graph.
 * 3. Graph inputs and outputs keep the tfjs layout (NHWC, symbolic batch 'N'), so the exported model
 *    takes and returns exactly the arrays the tfjs model does.
 * Each layer must have been applied once (true of models built like buildRoiAutoencoder and
 * buildOasisUnet). Models covered: the ROI autoencoder and the OASIS U-Net, whose own layers
 * (GroupNormalization, DepthwiseStride2, BilinearUpsample2x) are converted by class name, so
 * the engine never imports src/models.
 */
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { batchNormAffine, FOLDABLE, LAYER_CONVERTERS, type FoldedNorm } from './converters.js';
import { GraphBuilder, type OnnxValue } from './graph-builder.js';
import { encodeModel, type OnnxGraph } from './onnx-proto.js';

const asList = (t: SymbolicTensor | SymbolicTensor[]): SymbolicTensor[] => (Array.isArray(t) ? t : [t]);

export interface OnnxExportOptions {
  /** producer_version written into the model (default: the tpcvision package version is not read; '0') */
  producerVersion?: string;
  /** fold batch norms into preceding convolutions (default true; false keeps BatchNormalization nodes) */
  foldBatchNorm?: boolean;
}

export function buildOnnxGraph(model: LayersModel, options: OnnxExportOptions = {}): OnnxGraph {
  const layers = model.layers;
  // 1. Consumers of every symbolic tensor, to know when a conv's output feeds only a batch norm.
  const consumers = new Map<number, string[]>();
  for (const layer of layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    for (const t of asList(layer.input)) consumers.set(t.id, [...(consumers.get(t.id) ?? []), layer.name]);
  }
  for (const t of model.outputs) consumers.set(t.id, [...(consumers.get(t.id) ?? []), '<output>']);
  const folds = new Map<string, FoldedNorm>(); // conv layer name -> folded BN
  const foldedBn = new Map<string, string>(); // BN layer name -> conv layer name
  if (options.foldBatchNorm !== false) {
    for (const layer of layers) {
      if (!FOLDABLE.has(layer.getClassName())) continue;
      if (((layer.getConfig().activation as string) ?? 'linear') !== 'linear') continue;
      const users = consumers.get((layer.output as SymbolicTensor).id) ?? [];
      const next = users.length === 1 ? layers.find((l) => l.name === users[0]) : undefined;
      if (next?.getClassName() !== 'BatchNormalization') continue;
      const axis = next.getConfig().axis as number | number[];
      if (!(axis === -1 || axis === 3 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3)))) continue;
      folds.set(layer.name, batchNormAffine(next));
      foldedBn.set(next.name, layer.name);
    }
  }

  // 2. Convert layer by layer.
  const b = new GraphBuilder();
  const values = new Map<number, OnnxValue>();
  for (const layer of layers) {
    const out = layer.output as SymbolicTensor;
    if (layer.getClassName() === 'InputLayer') {
      const name = b.unique(layer.name);
      const shape = out.shape.slice();
      b.inputs.push({ name, shape: shape.map((d) => (d == null ? 'N' : d)) });
      values.set(out.id, { name, layout: 'plain', shape });
      continue;
    }
    const inputs = asList(layer.input).map((t) => {
      const v = values.get(t.id);
      if (v == null) throw new Error(`ONNX export: input of ${layer.name} not converted yet`);
      return v;
    });
    if (foldedBn.has(layer.name)) {
      values.set(out.id, inputs[0]); // already applied inside the convolution
      continue;
    }
    const convert = LAYER_CONVERTERS[layer.getClassName()];
    if (convert == null) {
      throw new Error(`ONNX export: layer ${layer.name} of class ${layer.getClassName()} is not supported (supported: ${Object.keys(LAYER_CONVERTERS).join(', ')})`);
    }
    values.set(out.id, convert({ layer, inputs, b, fold: folds.get(layer.name) }));
  }

  // 3. Outputs back in tfjs layout, under the model's output names.
  model.outputs.forEach((t, i) => {
    const v = b.toPlain(values.get(t.id)!);
    const name = b.unique(model.outputNames[i] ?? `output_${i}`);
    b.nodes.push({ opType: 'Identity', inputs: [v.name], outputs: [name], name: b.unique(`${name}_Identity`) });
    b.outputs.push({ name, shape: t.shape.map((d) => (d == null ? 'N' : d)) });
  });
  return b.graph(model.name);
}

/** The serialized ONNX model (ModelProto bytes), ready to write to model.onnx. */
export async function exportOnnx(model: LayersModel, options: OnnxExportOptions = {}): Promise<Uint8Array> {
  return encodeModel(buildOnnxGraph(model, options), options.producerVersion ?? '0');
}
