import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import { WIDGET_FILE, WIDGET_MANIFEST, widgetChunkFileFor, widgetFileFor } from '../../shared/routes';
import { AppError } from '../errors';

type Encoding = 'br' | 'gzip';

/** The built widget in memory: the file, its precompressed copies that proved sound, and its hash. */
interface WidgetBundle {
  hash: string;
  integrity: string;
  bodies: { identity: Buffer } & Partial<Record<Encoding, Buffer>>;
}

const SUFFIX: Record<Encoding, string> = { br: '.br', gzip: '.gz' };
const DECOMPRESS: Record<Encoding, (b: Buffer) => Buffer> = { br: brotliDecompressSync, gzip: gunzipSync };
// The stable URL changes meaning with every upgrade: the browser keeps it but asks (ETag) before each use.
const REVALIDATE = 'no-cache';
// A hashed URL names one build for ever.
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the built widget for <script> tags on the webmail's origin, compressed as the browser accepts:
 * at the stable `/amavis-quarantine.js` (revalidated by ETag, so an upgrade reaches every page at once)
 * and at `/amavis-quarantine.<hash>.js` (cached for a year), with `/amavis-quarantine.json` naming the
 * latter. The stable URL carries the whole bundle, not a loader: `document.currentScript`, its data-*
 * attributes and a `window.AmavisQuarantine` usable right after a synchronous tag all keep working.
 */
export function widgetRoutes(widgetFile: string): Router {
  const router = Router();
  const absolute = path.resolve(widgetFile);
  let cached: { key: string; bundle: WidgetBundle } | undefined;

  // Read once per build: a rebuild under a running server (development) is picked up by its mtime.
  const bundle = (): WidgetBundle => {
    const key = stamp(absolute);
    if (key === undefined) throw new AppError(404, 'not_found', `the widget is not built (${absolute} is missing): run \`npm run build\``);
    if (cached?.key !== key) cached = { key, bundle: loadBundle(absolute) };
    return cached.bundle;
  };

  router.get(`/${WIDGET_FILE}`, (req, res) => sendBundle(req, res, bundle(), REVALIDATE));
  router.get(/^\/amavis-quarantine\.([0-9a-f]{16})\.js$/, (req, res) => {
    const current = bundle();
    // Only the current build is kept: an old hash is gone, and must not be cached as if it were there.
    if (req.params[0] !== current.hash) throw new AppError(404, 'not_found', 'this version of the widget is no longer served');
    sendBundle(req, res, current, IMMUTABLE);
  });
  // A chunk (plugin/chunks/): always by its hashed name, which the main file carries; fetched with CORS
  // (its <script> has integrity), so any origin may read it. Only a file whose content has that hash is served.
  const chunkCache = new Map<string, { key: string; bundle: WidgetBundle }>();
  router.get(/^\/amavis-quarantine\.([a-z]{2,16})\.([0-9a-f]{16})\.js$/, (req, res) => {
    const file = path.join(path.dirname(absolute), widgetChunkFileFor(req.params[0]!, req.params[1]!));
    const key = stamp(file);
    if (key === undefined) {
      chunkCache.delete(file);
      throw new AppError(404, 'not_found', 'this part of the widget is not in the current build');
    }
    let entry = chunkCache.get(file);
    if (entry?.key !== key) chunkCache.set(file, (entry = { key, bundle: loadBundle(file) }));
    if (entry.bundle.hash !== req.params[1]) throw new AppError(404, 'not_found', 'this part of the widget is not in the current build');
    res.setHeader('Access-Control-Allow-Origin', '*');
    sendBundle(req, res, entry.bundle, IMMUTABLE);
  });
  router.get(`/${WIDGET_MANIFEST}`, (_req, res) => {
    const { hash, integrity } = bundle();
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', REVALIDATE);
    res.json({ src: widgetFileFor(hash), integrity });
  });
  return router;
}

function sendBundle(req: Request, res: Response, bundle: WidgetBundle, cacheControl: string): void {
  const encoding = pickEncoding(
    req.get('accept-encoding'),
    (['br', 'gzip'] as const).filter((e) => bundle.bodies[e]),
  );
  // The webmail is another origin: it must be allowed to load this script.
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('Vary', 'Accept-Encoding');
  // One strong ETag per representation: a cache must never answer a gzip request with brotli bytes.
  res.setHeader('ETag', `"${bundle.hash}${encoding === 'identity' ? '' : `-${encoding}`}"`);
  if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  res.send(bundle.bodies[encoding]);
}

/** Picks brotli, then gzip, among the encodings the client accepts (Accept-Encoding, q=0 excluded); else identity. */
export function pickEncoding(header: string | undefined, available: readonly Encoding[]): Encoding | 'identity' {
  const quality = new Map<string, number>();
  for (const part of (header ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim());
    if (!name) continue;
    const q = params.find((p) => p.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    quality.set(name, Number.isFinite(value) ? value : 0);
  }
  let best: Encoding | 'identity' = 'identity';
  let bestQ = 0;
  for (const encoding of available) {
    const q = quality.get(encoding) ?? (encoding === 'gzip' ? quality.get('x-gzip') : undefined) ?? quality.get('*') ?? 0;
    if (q > bestQ) [best, bestQ] = [encoding, q];
  }
  return best;
}

function stamp(file: string): string | undefined {
  const parts = [file, `${file}.gz`, `${file}.br`].map((f) => {
    try {
      const s = statSync(f);
      return `${s.mtimeMs}:${s.size}`;
    } catch {
      return '-';
    }
  });
  return parts[0] === '-' ? undefined : parts.join('|');
}

function loadBundle(file: string): WidgetBundle {
  const identity = readFileSync(file);
  const bodies: WidgetBundle['bodies'] = { identity };
  for (const encoding of ['br', 'gzip'] as const) {
    try {
      const body = readFileSync(file + SUFFIX[encoding]);
      // A copy left over from another build (or a plain `vite build`) is skipped, never served.
      if (DECOMPRESS[encoding](body).equals(identity)) bodies[encoding] = body;
    } catch {
      // Not precompressed: served as is.
    }
  }
  return {
    hash: createHash('sha256').update(identity).digest('hex').slice(0, 16),
    integrity: `sha384-${createHash('sha384').update(identity).digest('base64')}`,
    bodies,
  };
}
