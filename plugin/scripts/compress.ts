import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * Runs after the build (plugin/scripts/build.ts): writes the widget and each of its chunks precompressed
 * beside it (`.gz`, `.br`), at the highest levels, once per build rather than per request. The server serves
 * whichever the browser accepts, and checks that each still decompresses to the built file before it trusts it.
 */
const file = process.argv[2] ?? 'dist/widget/amavis-quarantine.js';

let files: string[];
try {
  readFileSync(file);
  const dir = path.dirname(file);
  files = [
    file,
    ...readdirSync(dir)
      .filter((f) => /^amavis-quarantine\.[a-z]+\.[0-9a-f]{16}\.js$/.test(f))
      .map((f) => path.join(dir, f)),
  ];
} catch {
  console.error(`compress: ${file} is missing: run \`npm run build\` first`);
  process.exit(2);
}
const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`;
for (const f of files) {
  const source = readFileSync(f);
  const gzip = gzipSync(source, { level: 9 });
  const brotli = brotliCompressSync(source, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
    },
  });
  writeFileSync(`${f}.gz`, gzip);
  writeFileSync(`${f}.br`, brotli);
  console.log(`compress: ${f}: ${kb(source.length)} raw, ${kb(gzip.length)} gzip, ${kb(brotli.length)} brotli`);
}
