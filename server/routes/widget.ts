import { existsSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { WIDGET_FILE } from '../../shared/routes';
import { AppError } from '../errors';

/** Serves the built widget bundle, loadable by a <script> tag on the webmail's origin. */
export function widgetRoutes(widgetFile: string): Router {
  const router = Router();
  const absolute = path.resolve(widgetFile);
  router.get(`/${WIDGET_FILE}`, (_req, res, next) => {
    if (!existsSync(absolute)) {
      next(new AppError(404, 'not_found', `the widget is not built (${absolute} is missing): run \`npm run build\``));
      return;
    }
    // The webmail is another origin: it must be allowed to load this script, and to revalidate it
    // after an upgrade.
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.sendFile(absolute, { headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' } });
  });
  return router;
}
