import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import preact from '@preact/preset-vite';
import { build, type Plugin, type Rollup } from 'vite';
import { WIDGET_CHUNKS, widgetChunkFileFor } from '../../shared/routes';

/**
 * `npm run build`: the widget as one IIFE file a webmail loads with one <script> tag (vite.config.ts), and
 * beside it what a user does not need at first, in chunks it loads on demand (plugin/chunks/loader.ts): the
 * de and fr strings and the secondary screens. IIFE has no code splitting, so each chunk is a build of its
 * own, an IIFE too, that takes Preact, the I18nContext and the other shared modules from the main file
 * (window.AmavisQuarantine._shared, plugin/chunks/shared.ts) instead of carrying a second copy. Chunks are
 * built first: the main file carries their content-hashed names and their Subresource Integrity.
 */
const root = path.resolve(import.meta.dirname, '../..');
// An argument builds elsewhere (a check that must not replace the widget a running server serves).
const outDir = path.resolve(root, process.argv[2] ?? 'dist/widget');

// Import → key in shared.ts. A chunk must never bundle its own Preact (two hook states) or i18n (two contexts).
const SHARED_PACKAGES: Record<string, string> = { preact: 'preact', 'preact/hooks': 'hooks', 'preact/jsx-runtime': 'jsx' };
const SHARED_FILES: Record<string, string> = {
  'plugin/api/actions': 'actions',
  'plugin/api/client': 'client',
  'plugin/i18n': 'i18n',
  'plugin/i18n/index': 'i18n',
  'plugin/chunks/loader': 'loader',
  // Used by the list too: shared rather than copied into the message chunk.
  'plugin/api/risks': 'risks',
  'plugin/hooks/use-message-actions': 'messageActions',
  'plugin/components/action-buttons': 'actionButtons',
  'plugin/components/confirm-bar': 'confirmBar',
};
const PREFIX = 'aq-shared:';
// Where each shared key's module is, for the main file's generated shared.ts.
const SHARED_SOURCES: Record<string, string> = {
  preact: 'preact',
  hooks: 'preact/hooks',
  jsx: 'preact/jsx-runtime',
  actions: '../api/actions',
  client: '../api/client',
  i18n: '../i18n',
  loader: './loader',
  risks: '../api/risks',
  messageActions: '../hooks/use-message-actions',
  actionButtons: '../components/action-buttons',
  confirmBar: '../components/confirm-bar',
};

const sharedModules: Plugin = {
  name: 'aq-shared-modules',
  enforce: 'pre',
  resolveId(source, importer) {
    let key = SHARED_PACKAGES[source];
    if (!key && importer && source.startsWith('.')) {
      key = SHARED_FILES[path.relative(root, path.resolve(path.dirname(importer), source)).replace(/\.tsx?$/, '')];
    }
    return key ? { id: PREFIX + key, external: true } : null;
  },
};

/**
 * The names a chunk takes from each shared module: its IIFE receives the modules as parameters, in the
 * order of the trailing arguments (`})(AmavisQuarantine._shared.hooks, …)`), and reads `param.name`. A
 * name that is not an export of the module (a local that shadows the parameter) is dropped later.
 */
export function sharedBindings(code: string): Record<string, Set<string>> {
  const params = /^(?:var [\w$]+=)?\(function\(([\w$,]*)\)\{/.exec(code)?.[1]?.split(',') ?? [];
  const args = /\}\)\(([^()]*)\);?\s*$/.exec(code)?.[1]?.split(',') ?? [];
  const used: Record<string, Set<string>> = {};
  params.forEach((param, i) => {
    const key = /^AmavisQuarantine\._shared\.(\w+)$/.exec(args[i] ?? '')?.[1];
    if (!key) return;
    const names = (used[key] ??= new Set());
    for (const m of code.matchAll(new RegExp(`(?<![\\w$.])${param.replace('$', '\\$')}\\.([\\w$]+)`, 'g'))) names.add(m[1]!);
  });
  return used;
}

async function buildChunk(name: string): Promise<{ file: string; integrity: string; code: string }> {
  const output = (await build({
    configFile: false,
    root,
    logLevel: 'warn',
    plugins: [sharedModules, preact()],
    build: {
      write: false,
      target: 'es2022',
      minify: true,
      sourcemap: false,
      lib: { entry: path.join(root, `plugin/chunks/${name}.ts`), formats: ['iife'], name: `AmavisQuarantineChunk_${name}`, fileName: () => `${name}.js` },
      rollupOptions: { output: { globals: (id: string) => (id.startsWith(PREFIX) ? `AmavisQuarantine._shared.${id.slice(PREFIX.length)}` : id) } },
    },
  })) as Rollup.RollupOutput[];
  const chunk = output[0]!.output.find((o): o is Rollup.OutputChunk => o.type === 'chunk')!;
  const bundled = Object.keys(chunk.modules).filter((id) => /node_modules\/preact|plugin\/i18n\/index/.test(id));
  if (bundled.length) throw new Error(`build: the ${name} chunk bundles its own ${bundled.join(', ')}: add it to SHARED_* in build.ts and shared.ts`);
  const { code } = chunk;
  // One SHA-256 names the file (as the server checks it) and is its integrity (loader.ts chunkFile).
  const digest = createHash('sha256').update(code).digest();
  return { file: widgetChunkFileFor(name, digest.toString('hex').slice(0, 16)), integrity: `sha256-${digest.toString('base64')}`, code };
}

/**
 * shared.ts as the main file gets it: only the exports the chunks use (a namespace would keep every export
 * of Preact and its hooks, about 1.5 KB gzip), so that what the main file carries for chunks stays small.
 */
async function sharedModule(codes: string[]): Promise<string> {
  const used: Record<string, Set<string>> = {};
  for (const code of codes) for (const [key, names] of Object.entries(sharedBindings(code))) for (const n of names) (used[key] ??= new Set()).add(n);
  const imports: string[] = [];
  const entries: string[] = [];
  for (const [key, source] of Object.entries(SHARED_SOURCES)) {
    // Under tsx, the module itself says what it exports (a relative source is relative to shared.ts).
    const file = path.resolve(root, 'plugin/chunks', source);
    const url = source.startsWith('.') ? pathToFileURL(['.ts', '.tsx', '/index.ts'].map((ext) => file + ext).find((f) => existsSync(f))!).href : source;
    const exported = new Set(Object.keys((await import(url)) as object));
    const names = [...(used[key] ?? [])].filter((n) => exported.has(n)).sort();
    imports.push(`import { ${names.map((n) => `${n} as ${key}_${n}`).join(', ')} } from '${source}';`);
    entries.push(`${key}: { ${names.map((n) => `${n}: ${key}_${n}`).join(', ')} }`);
  }
  return `${imports.join('\n')}\nexport const SHARED = { ${entries.join(', ')} };\n`;
}

const built = await Promise.all(WIDGET_CHUNKS.map(async (name) => [name, await buildChunk(name)] as const));
const table = Object.fromEntries(built.map(([name, { integrity }]) => [name, integrity]));
const shared = await sharedModule(built.map(([, { code }]) => code));
const sharedFile = path.join(root, 'plugin/chunks/shared.ts');
const narrowShared: Plugin = { name: 'aq-narrow-shared', enforce: 'pre', load: (id) => (id === sharedFile ? shared : null) };
// The main file last: its build empties dist/widget, then the chunks are written beside it.
await build({ root, logLevel: 'warn', plugins: [narrowShared], define: { __AQ_CHUNKS__: JSON.stringify(table) }, build: { outDir } });
for (const [, { file, code }] of built) writeFileSync(path.join(outDir, file), code);
console.log(`build: ${path.relative(root, outDir)}/amavis-quarantine.js and ${built.length} chunks (${WIDGET_CHUNKS.join(', ')})`);
