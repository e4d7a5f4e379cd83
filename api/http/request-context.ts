import { randomBytes } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { logContext } from '../../core/logging/logger';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Accepts a well-formed X-Request-Id from the client (or makes one), returns it, and runs the
 * rest of the request inside a log context so that every log line carries it.
 */
export function requestContext(logger: Logger): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const requestId = CLIENT_REQUEST_ID.test(incoming) ? incoming : `req_${randomBytes(12).toString('hex')}`;
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    await logContext.run({ request_id: requestId }, async () => {
      try {
        await next();
      } finally {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        // Path only: query strings may carry cursors, never logged credentials, but stay out of logs anyway.
        logger.info({ method: ctx.method, path: ctx.path, status: ctx.status, duration_ms: Math.round(ms * 10) / 10, account_id: ctx.state.principal?.accountId }, 'request');
      }
    });
  };
}
