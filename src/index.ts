export { HelmholtzMachine, LIMITS } from "./machine.js";
export type { CreateOptions, SampleOptions, LikelihoodOptions } from "./machine.js";
export type { FitOptions, FitProgress, EpochStats, Optimizer, OptimizerOptions } from "./training.js";
export { DescriptionLengthClassifier, type ScoreOptions } from "./classifier.js";
export type { Data, Vector } from "./data.js";
export type { Tensor } from "./safetensors.js";
export { initWasm, initThreadsWasm, MAX_MEMORY_BYTES, type WasmSource } from "./wasm.js";
export { bars } from "./problems/bars.js";
export { mulberry32 } from "./problems/random.js";
