import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's default headers (CSP, HSTS, X-Content-Type-Options, frame and referrer policies…), worked out
 * once at start-up and set on every answer by one middleware. helmet() is a chain of a dozen middlewares
 * whose headers never depend on the request; running that chain on every request was about 5% of a list
 * request's CPU (bench:http's profile). A CSP directive given as a function (a nonce) depends on the request
 * and cannot be precomputed: such options are refused here (use helmet() itself for them).
 */
export function securityHeaders(options?: Parameters<typeof helmet>[0]): RequestHandler {
  const directives = options?.contentSecurityPolicy && typeof options.contentSecurityPolicy === 'object' ? options.contentSecurityPolicy.directives : undefined;
  if (Object.values(directives ?? {}).some((v: unknown) => typeof v === 'function' || (Array.isArray(v) && v.some((x) => typeof x === 'function')))) {
    throw new Error('securityHeaders: a CSP directive that is a function depends on the request and cannot be precomputed; use helmet()');
  }
  const { headers, removed } = helmetRun(options);
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/** The headers helmet sets, in its order, read off one run against a stand-in response. */
export function helmetHeaders(options?: Parameters<typeof helmet>[0]): Array<[string, HeaderValue]> {
  return helmetRun(options).headers;
}

type HeaderValue = string | number | readonly string[];

/** What helmet does to a response: the headers it sets, and those it removes (X-Powered-By). */
function helmetRun(options?: Parameters<typeof helmet>[0]): { headers: Array<[string, HeaderValue]>; removed: string[] } {
  const set = new Map<string, HeaderValue>();
  const removed = new Set<string>();
  const response = {
    setHeader(name: string, value: HeaderValue) {
      set.set(name, value);
      return response;
    },
    removeHeader(name: string) {
      set.delete(name);
      removed.add(name);
    },
  };
  let done = false;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error('helmet failed', { cause: err });
    done = true;
  });
  // helmet's chain is synchronous; an asynchronous one would leave the headers unknown here.
  if (!done) throw new Error('helmet did not finish synchronously: its headers cannot be precomputed');
  return { headers: [...set], removed: [...removed].filter((name) => !set.has(name)) };
}
