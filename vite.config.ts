import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

// One config for the widget build and for vitest, so both resolve JSX and paths the same way.
export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist/widget',
    emptyOutDir: true,
    target: 'es2022',
    // A webmail embeds us with one <script> tag: one self-contained IIFE file, CSS inlined as a string
    // (it is injected into the shadow root, never into the host document).
    lib: {
      entry: 'plugin/index.tsx',
      formats: ['iife'],
      name: 'AmavisQuarantineBundle',
      fileName: () => 'amavis-quarantine.js',
    },
    sourcemap: false,
    minify: true,
  },
  test: {
    // Integration and browser tests share one real stack (amavisd is stopped and started by some of
    // them), so files run one after another; unit tests are pure and stay parallel.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{server,shared,plugin}/**/*.test.{ts,tsx}'],
          environment: 'node',
          // The chunks' English strings (plugin/i18n/en-*.ts), which a chunk's module adds as it loads.
          setupFiles: ['plugin/testing/register-english.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['e2e/integration/**/*.test.ts'],
          fileParallelism: false,
          // One after another in one worker that keeps its loaded modules: each file starts and closes its
          // own servers, and the server's modules hold no state of their own across apps. Importing the
          // server afresh for each of ~50 files took 45 s of every run.
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['e2e/browser/**/*.test.ts'],
          fileParallelism: false,
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
