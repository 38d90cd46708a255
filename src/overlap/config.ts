/**
 * The overlap-separation configuration lives in src/config/oasis.ts (every default in src/config);
 * this re-export keeps the stage's and the CLI's imports working.
 */
export * from '../config/oasis.js';
export { oasisLossSchema as lossSchema, oasisTrainingSchema as trainingSchema } from '../config/oasis.js';
