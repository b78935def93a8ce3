import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real-server integration tests start TorchServe (JVM + Python workers): give them room.
    testTimeout: 60_000,
    hookTimeout: 240_000,
    // Two cores: integration files each start a server; run files one or two at a time.
    fileParallelism: true,
    maxWorkers: 2,
    env: { NO_COLOR: "1" },
  },
});
