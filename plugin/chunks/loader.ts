/**
 * A chunk's file, from its Subresource Integrity (`sha256-<base64>`, fixed at build time): beside the main
 * script, named `amavis-quarantine.<name>.<the digest's first 16 hex digits>.js`, as the server names it.
 * One digest for both keeps the table in the main file small.
 */
export function chunkFile(name: string, integrity: string): string {
  const digest = atob(integrity.slice(integrity.indexOf('-') + 1));
  const hex = [...digest.slice(0, 8)].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
  return `amavis-quarantine.${name}.${hex}.js`;
}

/** How a chunk's script reaches the page: resolves once it ran, rejects when it could not be fetched. */
export type InsertScript = (src: string, integrity: string) => Promise<void>;

/** Loads the parts of the widget a user does not need at first (screens, string catalogs), each once. */
export interface ChunkLoader {
  /** Called by a chunk's own script when it runs: hands over what it exports. */
  define(name: string, exports: unknown): void;
  /** The chunk's exports; a failed load is forgotten, so the next call tries again. */
  load<T>(name: string): Promise<T>;
}

/** The loader's logic, with the table of chunks, their base URL and the way to insert a script passed in (unit tests pass fakes). */
export function createChunkLoader(table: Record<string, string>, base: () => string, insert: InsertScript): ChunkLoader {
  const defined = new Map<string, unknown>();
  const pending = new Map<string, Promise<unknown>>();
  const fetchChunk = async (name: string): Promise<unknown> => {
    const integrity = table[name];
    if (!integrity) throw new Error(`amavis-quarantine: no chunk "${name}" in this build (built without \`npm run build\`?)`);
    await insert(new URL(chunkFile(name, integrity), base()).href, integrity);
    if (!defined.has(name)) throw new Error(`amavis-quarantine: the chunk "${name}" ran without defining itself`);
    return defined.get(name);
  };
  return {
    define: (name, exports) => void defined.set(name, exports),
    load<T>(name: string): Promise<T> {
      if (defined.has(name)) return Promise.resolve(defined.get(name) as T);
      let promise = pending.get(name);
      if (!promise) {
        promise = fetchChunk(name).finally(() => pending.delete(name));
        pending.set(name, promise);
      }
      return promise as Promise<T>;
    },
  };
}

/**
 * Inserts a classic <script> (chunks are IIFEs like the main file, so they run wherever it runs: a host's
 * CSP that lets the main script in by origin lets them in too, and a nonce is copied). With its integrity,
 * in CORS mode (the server allows it): a host that pinned the main file by SRI pins every chunk with it.
 */
export function scriptInserter(nonce: string | undefined): InsertScript {
  return (src, integrity) =>
    new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.async = true;
      script.crossOrigin = 'anonymous';
      script.integrity = integrity;
      if (nonce) script.nonce = nonce;
      script.onload = () => resolve();
      script.onerror = () => {
        // A retry inserts a fresh tag.
        script.remove();
        reject(new Error(`amavis-quarantine: could not load ${src}`));
      };
      document.head.append(script);
    });
}

declare const __AQ_CHUNKS__: Record<string, string> | undefined;

let base: string | undefined;
let nonce: string | undefined;

/**
 * Where chunks come from: the directory of the main script (document.currentScript while it first runs),
 * else the directory the API base lies in (the server serves both). The first caller wins.
 */
export function setChunkOrigin(script: { src?: string; nonce?: string } | null, api?: string): void {
  nonce ??= script?.nonce || undefined;
  if (base) return;
  if (script?.src) base = new URL('.', script.src).href;
  else if (api) base = new URL('.', new URL(api.replace(/\/+$/, ''), location.href)).href;
}

/** The widget's loader: the table is the build's (`npm run build` defines it), empty under a plain vite build or in tests. */
export const chunks: ChunkLoader = createChunkLoader(
  typeof __AQ_CHUNKS__ === 'undefined' ? {} : __AQ_CHUNKS__,
  () => base ?? location.href,
  (src, integrity) => scriptInserter(nonce)(src, integrity),
);
