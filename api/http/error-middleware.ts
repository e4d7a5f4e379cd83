import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { ApiError, ERROR_CODES } from '../../core/errors/errors';

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    retryable: boolean;
    retry_after?: number;
    recovery: string;
    request_id: string;
    details: unknown[];
  };
}

export function errorBody(err: ApiError, requestId: string): ErrorBody {
  return {
    error: {
      code: err.code,
      message: err.message,
      retryable: err.retryable,
      ...(err.retryAfterSeconds !== undefined ? { retry_after: err.retryAfterSeconds } : {}),
      recovery: err.recovery,
      request_id: requestId,
      details: err.details,
    },
  };
}

/** RFC 6749 §5.2 errors, used only by the token endpoint so that standard OAuth clients understand them. */
export class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'invalid_scope' | 'unsupported_grant_type' | 'unauthorized_client',
    readonly description: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
    readonly retryable = false,
  ) {
    super(description);
  }
}

export function writeError(ctx: Context, err: ApiError): void {
  ctx.status = err.status;
  for (const [name, value] of Object.entries(err.headers)) ctx.set(name, value);
  if (err.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(err.retryAfterSeconds));
  ctx.set('Cache-Control', 'no-store');
  ctx.body = errorBody(err, ctx.state.requestId);
}

/** The one place where anything thrown becomes an HTTP response; nothing else leaks out. */
export function errorMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 405 && !ctx.body) {
        throw new ApiError('METHOD_NOT_ALLOWED', `${ctx.method} is not allowed on ${ctx.path}.`, {
          headers: { Allow: ctx.response.get('Allow') },
          details: [{ issue: 'method_not_allowed', message: `allowed: ${ctx.response.get('Allow')}` }],
        });
      }
      if (ctx.status === 501 && !ctx.body) throw new ApiError('METHOD_NOT_ALLOWED', `${ctx.method} is not supported.`);
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new ApiError('ROUTE_NOT_FOUND', `No route for ${ctx.method} ${ctx.path}.`);
      }
    } catch (thrown) {
      if (thrown instanceof OAuthError) {
        ctx.status = thrown.status;
        for (const [name, value] of Object.entries(thrown.headers)) ctx.set(name, value);
        ctx.set('Cache-Control', 'no-store');
        ctx.set('Pragma', 'no-cache');
        ctx.body = { error: thrown.error, error_description: thrown.description, retryable: thrown.retryable, request_id: ctx.state.requestId };
        return;
      }
      const err = toApiError(thrown);
      if (err.status >= 500) logger.error({ err: thrown }, 'request failed');
      writeError(ctx, err);
    }
  };
}

export function toApiError(thrown: unknown): ApiError {
  if (thrown instanceof ApiError) return thrown;
  const e = thrown as { status?: number; expose?: boolean; message?: string; name?: string };
  // Mongo/driver connectivity failures are transient: say so, so that bots retry.
  if (e?.name === 'MongoServerSelectionError' || e?.name === 'MongoNetworkError' || e?.name === 'MongoNotConnectedError') {
    return new ApiError('SERVICE_UNAVAILABLE', 'The database is unreachable.', { retryAfterSeconds: 5 });
  }
  if (e?.status === 405) return new ApiError('METHOD_NOT_ALLOWED', e.message ?? 'Method not allowed.');
  return new ApiError('INTERNAL_ERROR', `An unexpected error occurred. ${ERROR_CODES.INTERNAL_ERROR.description}`, { retryAfterSeconds: 1 });
}
