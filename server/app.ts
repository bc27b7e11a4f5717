import express, { type Express } from 'express';
import type { Config } from './config';
import type { AppContext } from './context';
import type { Logger } from './logger';
import { cors } from './middleware/cors';
import { csrfProtection } from './middleware/csrf';
import { apiNotFound, errorHandler } from './middleware/error-handler';
import { listingGate } from './middleware/listing-gate';
import { loginLimits } from './middleware/login-limits';
import { requestContext } from './middleware/request-context';
import { securityHeaders } from './middleware/security-headers';
import { absoluteLifetime, sessionMiddleware } from './middleware/session';
import { healthRoutes } from './routes/health';
import { actionRoutes } from './routes/actions';
import { batchRoutes } from './routes/batches';
import { auditRoutes } from './routes/audit';
import { requestRoutes } from './routes/requests';
import { selfServiceRoutes } from './routes/self-service';
import { listRoute, messageRoutes } from './routes/messages';
import { sessionRoutes } from './routes/session';
import { senderListRoutes } from './routes/sender-lists';
import { learningRoutes } from './routes/learning';
import { policyRoutes } from './routes/policy';
import { statsRoutes } from './routes/stats';
import { widgetRoutes } from './routes/widget';
import { digestSettingsRoutes } from './routes/digest-settings';

export interface AppDeps {
  config: Readonly<Config>;
  logger: Logger;
  /** Demo mode only: the webmail-like page served at `/`. */
  demoPage?: string | undefined;
  /** Aborted when index.ts begins to shut down: running batches start no further id. */
  shutdown?: AbortSignal | undefined;
  services: Pick<
    AppContext,
    | 'health'
    | 'auth'
    | 'messages'
    | 'release'
    | 'requests'
    | 'audit'
    | 'selfService'
    | 'sso'
    | 'sessionStore'
    | 'rateLimitStores'
    | 'senderLists'
    | 'spamPolicy'
    | 'learning'
    | 'digestSettings'
    | 'stats'
  >;
}

/** Builds the Express app from its dependencies. It never listens: index.ts and the tests do. */
export function createApp({ config, logger, services, demoPage, shutdown }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // The API's answers are per user and mostly Cache-Control: no-store, so a hash of every body (Express's
  // default weak ETag) buys nothing; the widget's files set their own ETag (routes/widget.ts).
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  app.use(requestContext(logger));
  app.use(securityHeaders());

  app.use(widgetRoutes(config.widgetFile));
  if (demoPage) app.get('/', (_req, res) => res.type('html').send(demoPage));

  const api = express.Router();
  api.use(cors(config.allowedOrigins));
  api.use(express.json({ limit: '100kb' }));
  // Health is public and needs no session: keep it in front, so probes create nothing in the store.
  api.use(healthRoutes(services.health));
  api.use(sessionMiddleware(config, services.sessionStore));
  api.use(absoluteLifetime(config.session.maxHours));
  // The listing next: a widget repeats it most, and none of the routers between here and messageRoutes serve it.
  api.use(
    listRoute({
      messages: services.messages,
      config,
      retentionDays: config.retentionDays,
      releasePolicy: config.releasePolicy,
      listingGate: listingGate({ perSession: config.db.listsPerSession }),
    }),
  );
  // Self-service links come before the CSRF check: a person's link page posts a form, and the route checks
  // the signed token and the Origin itself (no cookie is involved).
  api.use(selfServiceRoutes({ selfService: services.selfService, enabled: config.selfService, allowedOrigins: config.allowedOrigins, stores: services.rateLimitStores }));
  // Sign-in and single sign-on have no session yet, hence no token; they still must be JSON.
  const noSessionYet = new Set(['/session', '/session/sso']);
  api.use(csrfProtection({ exempt: (req) => req.method === 'POST' && noSessionYet.has(req.path) }));
  const signInLimits = loginLimits(
    { ...config.loginLimits, perAccountAddress: config.loginLimitPerAccountAddress, defaultDomain: config.defaultDomain },
    services.rateLimitStores,
  );
  // SSO shares the per-IP limiter (the first) with sign-in; the per-account one keys on `username`, which it lacks.
  api.use(
    sessionRoutes({
      auth: services.auth,
      sso: services.sso,
      config,
      loginLimits: signInLimits,
      ssoLimits: signInLimits.slice(0, 1),
      features: { learn: services.learning.enabled, digest: Boolean(config.mail.url) },
    }),
  );
  api.use(messageRoutes({ messages: services.messages, config }));
  api.use(
    batchRoutes({ release: services.release, requests: services.requests, learning: services.learning, senderLists: services.senderLists, config, logger, shutdown }),
  );
  api.use(actionRoutes({ release: services.release, requests: services.requests, config }));
  api.use(senderListRoutes({ senderLists: services.senderLists, config }));
  api.use(learningRoutes({ learning: services.learning, config }));
  api.use(policyRoutes({ spamPolicy: services.spamPolicy, config }));
  api.use(requestRoutes({ requests: services.requests, config }));
  api.use(auditRoutes({ audit: services.audit, config }));
  api.use(digestSettingsRoutes({ digestSettings: services.digestSettings, config }));
  api.use(statsRoutes({ stats: services.stats, config }));
  api.use(apiNotFound);
  app.use('/api', api);

  app.use(errorHandler(logger));
  return app;
}
