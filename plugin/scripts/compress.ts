import { readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * Runs after `vite build`: writes the widget precompressed beside it (`.gz`, `.br`), at the highest
 * levels, once per build rather than per request. The server serves whichever the browser accepts, and
 * checks that each still decompresses to the built file before it trusts it.
 */
const file = process.argv[2] ?? 'dist/widget/amavis-quarantine.js';

let source: Buffer;
try {
  source = readFileSync(file);
} catch {
  console.error(`compress: ${file} is missing: run \`vite build\` first`);
  process.exit(2);
}
const gzip = gzipSync(source, { level: 9 });
const brotli = brotliCompressSync(source, {
  params: {
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
    [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
  },
});
writeFileSync(`${file}.gz`, gzip);
writeFileSync(`${file}.br`, brotli);
const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`;
console.log(`compress: ${file}: ${kb(source.length)} raw, ${kb(gzip.length)} gzip, ${kb(brotli.length)} brotli`);
