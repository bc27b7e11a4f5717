import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

/**
 * `npm run size`: the widget's gzip size (JS with its CSS inlined), against its budget. Fails above it,
 * so CI stops a change that would make every webmail page load slower.
 */
// 21 KB since the widget follows the webmail user (data-user) and opens linked requests (#aq-request);
// 21.5 KB since it sorts by sender and subject and oldest first (#13), in three languages;
// 24 KB since it allows and blocks senders, learns spam and "not spam", and has a sender-lists screen (#14),
// in three languages (about 2 KB of code and 0.7 KB of strings);
// 26 KB since it has a spam-filter screen (levels, presets, per-field sources and inherit, admins' "For"),
// in three languages: 23.77 → 25.88 KB gzip;
// 29 KB since it has a statistics screen (an inline-SVG chart, totals, rates, a table, admins' top lists) and
// the digest frequency in the spam-filter screen (#15), in three languages: 25.92 → 28.90 KB gzip. Splitting
// the secondary screens into a chunk loaded on demand would win this back (issue #16 asks for 24 KB).
const BUDGET_BYTES = 29 * 1024;
const file = process.argv[2] ?? 'dist/widget/amavis-quarantine.js';

let source: Buffer;
try {
  source = readFileSync(file);
} catch {
  console.error(`size: ${file} is missing: run \`npm run build\` first`);
  process.exit(2);
}
const gzip = gzipSync(source, { level: 9 }).length;
const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`;
console.log(`widget ${file}: ${kb(source.length)} raw, ${kb(gzip)} gzip (budget ${kb(BUDGET_BYTES)} gzip, ${Math.round((gzip / BUDGET_BYTES) * 100)}% used)`);
if (gzip > BUDGET_BYTES) {
  console.error(`size: over budget by ${kb(gzip - BUDGET_BYTES)}`);
  process.exit(1);
}
