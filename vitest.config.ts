import { defineConfig } from "vitest/config";

// as-pect owns assembly/**/*.spec.ts; vitest runs only the TypeScript suites under tests/.
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 120_000,
  },
});
