// The module's exports: the kernels over pointers, and the machine-level entry points.
export { rng_seed, rng_fill_uniform } from "./rng";
export { logistic_f32 } from "./logistic";
export { sample_bernoulli, sample_logistic, sample_logistic_logprob, binary_to_states } from "./sample";
export { bias_plus_rows } from "./pass";
export { logistic_delta, delta_rule, add_to_rows, add_row_sums, add_vector } from "./update";
export { accumulator_bytes, accumulator_layout } from "./accumulate";
export { subset_table_build, add_subset_sums } from "./subsets";
export { groups_bytes, groups_layout, groups_release, groups_share, groups_view_bytes, groups_view_layout, grouped_bias_plus_rows } from "./groups";
export { deferred_bytes, deferred_block, deferred_step } from "./deferred";
export { log_bernoulli_sum } from "./logprob";
export { machine_end, layout_machine, shard_bytes, layout_shard, param_ptr, params_begin, params_end, q_begin, rng_ptr, state_ptr, prob_ptr } from "./layout";
export { machine_init, load_row, wake_step, sleep_step, train_rows, make_order, dream_rows, recognize_row, reconstruct_row, binarize_rows } from "./machine";
export { trainer_bytes, trainer_configure, trainer_copy, trainer_steps, trainer_set_steps, trainer_apply_slice, trainer_region_floats, train_batches, wake_rows, sleep_rows, trainer_acc_clear, trainer_tables_begin } from "./trainer";
export { seed_shard, shards_step } from "./shards";
export { recruit_bytes, recruit_configure, recruit_silence_all, recruit_count } from "./recruit";
export { apply_sgd, apply_momentum, apply_adam, all_finite } from "./optimizer";
export { description_length_rows, log_likelihood_rows, exact_log_likelihood_rows } from "./estimators";

// First free byte after the module's static data: where the TypeScript side places machines.
export function heap_base(): usize { return __heap_base; }

// 1 in the relaxed-SIMD build (fused multiply-adds in exp and log1p, simd/fma.ts), 0 in the plain one.
export function relaxed_simd(): i32 { return ASC_FEATURE_RELAXED_SIMD ? 1 : 0; }

// Bumped whenever an export's meaning changes, so that a .js and .wasm of different builds are caught.
export function abi_version(): i32 { return 15; }
