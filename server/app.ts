import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Config } from './config';
import type { Logger } from './logger';
import { cors } from './middleware/cors';
import { apiNotFound, errorHandler } from './middleware/error-handler';
import { requestContext } from './middleware/request-context';
import { healthRoutes } from './routes/health';
import { widgetRoutes } from './routes/widget';
import type { HealthService } from './services/health';

export interface AppDeps {
  config: Pick<Config, 'allowedOrigins' | 'trustProxy' | 'widgetFile'>;
  logger: Logger;
  health: HealthService;
}

/** Builds the Express app from its dependencies. It never listens: index.ts and the tests do. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy);
  app.use(requestContext(deps.logger));
  app.use(helmet());

  app.use(widgetRoutes(deps.config.widgetFile));

  const api = express.Router();
  api.use(cors(deps.config.allowedOrigins));
  api.use(express.json({ limit: '100kb' }));
  api.use(healthRoutes(deps.health));
  api.use(apiNotFound);
  app.use('/api', api);

  app.use(errorHandler(deps.logger));
  return app;
}
