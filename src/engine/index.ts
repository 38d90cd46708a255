/**
 * Engine stage: how tensors are computed, not what is computed. In: tfjs models and tensors from
 * the model and training stages. Out: (1) the 'tpcvision-native' tfjs backend, where convolutions
 * (forward, backward-data, backward-weights, hence also transposed convolutions), batched matmul,
 * batch norm, activations, concat/slice/tile and reductions run in a oneDNN/OpenMP addon while
 * autograd, optimizers and serialization stay tfjs (with leaner batch-norm/Mean/Sum gradients
 * installed alongside, lean-gradients.ts, and a backward loop that frees gradients and saved
 * tensors as soon as they are used, lean-backprop.ts); (2) export of a trained LayersModel to ONNX
 * (batch norm folded into convolutions, NHWC handled) and inference with ONNX Runtime. Ignores
 * which model it runs, data and configuration; see docs/ENGINE.md for install and GPU use.
 */
export { loadNativeAddon, NativeEngineUnavailable, type NativeAddon } from './addon.js';
export { NATIVE_BACKEND, NativeBackend, nativeKernelConfigs, registerNativeBackend } from './native-backend.js';
export { selectBackend, type EngineChoice, type SelectBackendOptions } from './select-backend.js';
export { buildOnnxGraph, exportOnnx, type OnnxExportOptions } from './onnx/export.js';
export { LAYER_CONVERTERS, type LayerConverter } from './onnx/converters.js';
export { OnnxModel, type OnnxSessionOptions } from './onnx-runtime.js';
export { installLeanGradients, uninstallLeanGradients } from './lean-gradients.js';
export { installLeanBackprop, uninstallLeanBackprop } from './lean-backprop.js';
