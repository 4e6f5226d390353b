// as-pect 8.1 configuration for the kernel specs (`npm run test:kernels`).
// The compiler options live in ./as-pect.asconfig.json (as-pect's default --as-config), which
// extends ./asconfig.json, so the specs are built with the same features (simd) and runtime
// (stub) as the module, plus as-pect's transform, debug info and exported runtime.
export default {
  // One spec per kernel file.
  entries: ["assembly/__tests__/**/*.spec.ts"],
  include: ["assembly/__tests__/**/*.include.ts"],
  disclude: [/node_modules/],
  // The specs need no imports beyond as-pect's own.
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};
