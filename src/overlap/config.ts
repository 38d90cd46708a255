/**
 * The overlap-separation configuration lives in src/config/oasis.ts (every default in src/config);
 * this re-export keeps the stage's and the CLI's imports working.
 */
export {
  oasisLossSchema as lossSchema,
  oasisTrainingSchema as trainingSchema,
  oasisConfigSchema,
  PRESET_NAMES,
  PRESETS,
  isPresetName,
  resolveOasisConfig,
  resolveOasisLayers,
  type LossConfig,
  type OasisTrainingConfig,
  type OasisConfig,
  type PresetName,
} from '../config/oasis.js';
