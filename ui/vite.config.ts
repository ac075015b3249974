import { defineConfig } from "vitest/config";

// Two pages: the main window and the call-card window (created hidden at start).
export default defineConfig({
  clearScreen: false,
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    target: "safari15",
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: {
      input: {
        main: "index.html",
        card: "card.html",
      },
    },
  },
  server: { port: 5173, strictPort: true },
  test: { environment: "jsdom", include: ["src/**/*.test.ts", "src/**/*.test.tsx"] },
});
