import { createHash } from 'node:crypto';
import type Router from '@koa/router';
import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Context } from 'koa';
import { z, ZodType } from 'zod';
import type { Principal } from '../../core/auth/principal';
import type { Scope } from '../../core/auth/scopes';
import type { ApiRouteMetrics } from '../../core/metrics/api-metrics';
import { ApiError, ERROR_CODES, ErrorCode, ErrorDetail, InsufficientScopeError, UnauthenticatedError, ValidationError } from '../../core/errors/errors';
import { crashPoint } from '../../core/faults/crash-points';
import type { IdempotencyService } from '../../core/idempotency/idempotency-service';
import type { RateLimitPolicy, RateLimitService, RateLimitState } from '../../core/rate-limits/rate-limit-service';
import type { TokenService } from '../../core/auth/token-service';
import { errorBody, OAuthError, toApiError } from './error-middleware';
import { BodyMediaType, readBody } from './request-body';
import { errorResponseSchema } from '../openapi/common-schemas';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HandlerInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Present on every route that declares a scope. */
  principal: Principal;
  /** Set when the request carries an Idempotency-Key: the same on a re-run after a crash. */
  idempotency?: { key: string; claimedAt: Date };
  requestId: string;
  ctx: Context;
}

interface ResponseSpec {
  description: string;
  schema?: ZodType;
  contentType?: string;
  headers?: Record<string, { description: string; schema: { type: 'string' | 'integer' } }>;
}

export interface RouteSpec<P extends z.ZodObject = z.ZodObject, Q extends z.ZodObject = z.ZodObject, B extends ZodType = ZodType> {
  method: HttpMethod;
  /** OpenAPI form, e.g. `/v2/service-accounts/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** The scope a caller must hold; `public` routes need no credentials. */
  scope: Scope | 'public';
  params?: P;
  query?: Q;
  body?: B;
  bodyTypes?: BodyMediaType[];
  responses: Record<number, ResponseSpec>;
  /** Error codes this route can answer beyond the ones every authenticated route has. */
  errors?: ErrorCode[];
  /**
   * The handler writes the response itself (streams). Such routes are not idempotency-wrapped.
   */
  raw?: boolean;
  /** Report every failure as an RFC 6749 §5.2 error (the token endpoint); a 429 keeps our shape. */
  oauthErrors?: boolean;
  /** A public route counted per client IP (deps.ipRateLimit): the token endpoint. */
  ipRateLimited?: boolean;
  handler(input: HandlerInput<z.infer<P>, z.infer<Q>, z.infer<B>>): Promise<RouteResult | void>;
}

export interface RouteDeps {
  tokens: TokenService;
  rateLimits: RateLimitService;
  idempotency: IdempotencyService;
  maxBodyBytes: number;
  /** Every credential of an account together, beside each credential's own bucket. */
  accountRateLimit?: RateLimitPolicy;
  /** Per client IP on routes marked ipRateLimited. */
  ipRateLimit?: RateLimitPolicy;
  /** Prometheus counters (core/metrics/api-metrics.ts); absent, nothing is counted. */
  metrics?: ApiRouteMetrics;
}

const MUTATING: ReadonlySet<HttpMethod> = new Set(['post', 'put', 'patch', 'delete']);
export const IDEMPOTENCY_KEY_MAX = 255;

export function defineRoute<P extends z.ZodObject, Q extends z.ZodObject, B extends ZodType>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as unknown as RouteSpec;
}

/** Turns zod issues into our error details, each naming the bad field by its dotted path. */
export function zodDetails(error: z.ZodError, location: 'body' | 'query' | 'path' | 'header'): ErrorDetail[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...base, key].join('.'), location, issue: 'unrecognized_key', message: `unknown field ${key}` }));
    }
    return [{ field: base.length ? base.join('.') : location, location, issue: issue.code, message: issue.message }];
  });
}

function parseOrThrow<T extends ZodType>(schema: T | undefined, value: unknown, location: 'body' | 'query' | 'path'): z.infer<T> {
  if (!schema) return undefined as z.infer<T>;
  const result = schema.safeParse(value);
  if (!result.success) {
    if (location === 'path') {
      throw new ApiError('INVALID_ID', 'A path parameter is not a valid ID.', { details: zodDetails(result.error, location) });
    }
    throw new ValidationError(zodDetails(result.error, location), `Invalid ${location}.`);
  }
  return result.data;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

async function authenticate(ctx: Context, tokens: TokenService): Promise<Principal> {
  const header = ctx.get('Authorization');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new UnauthenticatedError(header ? 'Authorization must be "Bearer <token>".' : 'Send credentials as "Authorization: Bearer <token>".');
  const principal = await tokens.authenticate(match[1]);
  if (!principal) throw new UnauthenticatedError('The access token or secret key is invalid, expired or revoked.');
  return principal;
}

type RateState = Pick<RateLimitState, 'limit' | 'remaining' | 'resetSeconds' | 'windowSeconds'>;

function setRateLimitHeaders(ctx: Context, policies: [name: string, state: RateState][]): void {
  // draft-ietf-httpapi-ratelimit-headers: a list of named policies, quota q per window w seconds;
  // "default" is the credential's, "account" all of its account's credentials', "ip" the client IP's.
  ctx.set('RateLimit-Policy', policies.map(([name, s]) => `"${name}";q=${s.limit};w=${s.windowSeconds}`).join(', '));
  ctx.set('RateLimit', policies.map(([name, s]) => `"${name}";r=${s.remaining};t=${s.resetSeconds}`).join(', '));
}

function rateLimited(state: RateLimitState, issue: string, what: string): ApiError {
  return new ApiError('RATE_LIMITED', `Rate limit of ${state.limit} requests per ${state.windowSeconds} s ${what} exceeded.`, {
    retryAfterSeconds: state.resetSeconds,
    details: [{ issue, message: `limit ${state.limit} per ${state.windowSeconds} s ${what}`, limit: state.limit, window_seconds: state.windowSeconds }],
  });
}

function applyResult(ctx: Context, result: RouteResult): void {
  ctx.status = result.status;
  for (const [name, value] of Object.entries(result.headers ?? {})) ctx.set(name, value);
  if (result.body !== undefined) ctx.body = result.body;
  else if (result.status !== 204) ctx.body = '';
}

/** Mounts routes on the router and describes each one in the OpenAPI registry, from the same schemas. */
export function mountRoutes(router: Router, registry: OpenAPIRegistry, routes: RouteSpec[], deps: RouteDeps): void {
  for (const route of routes) {
    const koaPath = route.path.replace(/\{(\w+)\}/g, ':$1');
    const handle = routeHandler(route, deps);
    router[route.method](route.operationId, koaPath, route.oauthErrors ? asOAuthErrors(handle) : handle);
    registry.registerPath(toOpenApi(route));
  }
}

function asOAuthErrors(handle: (ctx: Context) => Promise<void>) {
  return async (ctx: Context) => {
    try {
      await handle(ctx);
    } catch (thrown) {
      if (thrown instanceof ApiError && thrown.status < 500 && thrown.status !== 429) {
        const detail = thrown.details.map((d) => `${d.field ?? ''}: ${d.message}`).join('; ');
        throw new OAuthError('invalid_request', `${thrown.message}${detail ? ` (${detail})` : ''}`, thrown.status === 413 || thrown.status === 415 ? thrown.status : 400);
      }
      throw thrown;
    }
  };
}

type RouteInput = Parameters<RouteSpec['handler']>[0];

/** What the steps of one request learn, in order: who calls, then what they sent. */
interface Exchange {
  ctx: Context;
  route: RouteSpec;
  deps: RouteDeps;
  requestId: string;
  principal?: Principal;
  input?: RouteInput;
  /** The body as the idempotency fingerprint sees it (key order does not matter). */
  canonicalBody: string;
}

type Step = (x: Exchange) => Promise<void>;

/**
 * The order is part of the contract: every authenticated request counts against its rate limits,
 * valid or not, and the scope is checked before validation, so a caller without the scope gets
 * 403 whatever it sent and learns nothing of the route's input rules (test/api/scope-matrix).
 */
const REQUEST_STEPS: readonly Step[] = [limitByClientIp, authenticateCaller, limitByCredential, requireScope, validateRequest, runHandler];

function routeHandler(route: RouteSpec, deps: RouteDeps) {
  return async (ctx: Context): Promise<void> => {
    const exchange: Exchange = { ctx, route, deps, requestId: ctx.state.requestId, canonicalBody: '' };
    const metrics = deps.metrics;
    if (!metrics) {
      for (const step of REQUEST_STEPS) await step(exchange);
      return;
    }
    // Counted by route template (never the raw path: IDs would make a series per resource).
    const started = process.hrtime.bigint();
    let status = 500;
    try {
      for (const step of REQUEST_STEPS) await step(exchange);
      status = ctx.status;
    } catch (thrown) {
      const err = toApiError(thrown);
      status = err.status;
      if (err.code === 'RATE_LIMITED') metrics.rateLimited(route, err.details[0]?.issue ?? 'rate_limited');
      throw thrown;
    } finally {
      metrics.observeRequest(route, status, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
}

async function limitByClientIp({ ctx, route, deps }: Exchange): Promise<void> {
  if (!route.ipRateLimited || !deps.ipRateLimit) return;
  // Koa runs with proxy: false, so ctx.ip is the peer address (no spoofable X-Forwarded-For).
  const rate = await deps.rateLimits.consumeBucket(`ip:${ctx.ip}`, deps.ipRateLimit);
  setRateLimitHeaders(ctx, [['ip', rate]]);
  if (!rate.allowed) throw rateLimited(rate, 'ip_rate_limited', 'from this IP address');
}

async function authenticateCaller(x: Exchange): Promise<void> {
  if (x.route.scope === 'public') return;
  x.principal = await authenticate(x.ctx, x.deps.tokens);
  x.ctx.state.principal = x.principal;
}

async function limitByCredential({ ctx, deps, principal }: Exchange): Promise<void> {
  if (!principal) return;
  const rate = await deps.rateLimits.consume(principal.serviceAccountId);
  setRateLimitHeaders(ctx, [['default', rate]]);
  if (!rate.allowed) throw rateLimited(rate, 'rate_limited', 'for these credentials');
  // Only requests the credential's own bucket let through count against the account's.
  if (deps.accountRateLimit) {
    const account = await deps.rateLimits.consumeBucket(`acct:${principal.accountId}`, deps.accountRateLimit);
    setRateLimitHeaders(ctx, [['default', rate], ['account', account]]);
    if (!account.allowed) throw rateLimited(account, 'account_rate_limited', 'for the account (all its credentials)');
  }
}

async function requireScope({ route, principal }: Exchange): Promise<void> {
  if (route.scope === 'public' || !principal) return;
  if (!principal.scopes.has(route.scope)) throw new InsufficientScopeError(route.scope);
}

async function validateRequest(x: Exchange): Promise<void> {
  const { ctx, route, deps } = x;
  const params = parseOrThrow(route.params, ctx.params, 'path');
  const query = parseOrThrow(route.query, ctx.query, 'query');
  let body: unknown;
  if (route.body) {
    const parsed = await readBody(ctx, route.bodyTypes ?? ['json'], deps.maxBodyBytes);
    body = parseOrThrow(route.body, parsed.value ?? {}, 'body');
    x.canonicalBody = canonicalJson(parsed.value ?? null);
  }
  x.input = { params, query, body, principal: x.principal as Principal, requestId: x.requestId, ctx };
}

/** Runs the handler once, or under the caller's Idempotency-Key when it sent one on a mutating route. */
async function runHandler(x: Exchange): Promise<void> {
  const { ctx, route, principal } = x;
  const input = x.input as RouteInput;
  const keyHeader = ctx.get('Idempotency-Key');
  const useKey = MUTATING.has(route.method) && principal !== undefined && !route.raw && keyHeader !== '';
  if (keyHeader && keyHeader.length > IDEMPOTENCY_KEY_MAX) {
    throw new ValidationError([{ field: 'Idempotency-Key', location: 'header', issue: 'too_long', message: `at most ${IDEMPOTENCY_KEY_MAX} characters` }]);
  }
  if (!useKey || !principal) {
    const result = await route.handler(input);
    if (result) applyResult(ctx, result);
    return;
  }
  await runIdempotently(x, principal, keyHeader, input);
}

async function runIdempotently({ ctx, route, deps, requestId, canonicalBody }: Exchange, principal: Principal, keyHeader: string, input: RouteInput): Promise<void> {
  const fingerprint = createHash('sha256').update(`${route.method.toUpperCase()} ${ctx.path}?${ctx.querystring}\n${canonicalBody}`).digest('hex');
  const decision = await deps.idempotency.begin(principal.accountId, keyHeader, fingerprint);
  if (decision.kind === 'replay') {
    const stored = decision.response;
    ctx.status = stored.status;
    for (const [name, value] of Object.entries(stored.headers)) ctx.set(name, value);
    ctx.set('Idempotent-Replayed', 'true');
    deps.metrics?.idempotentReplay(route);
    if (stored.content_type) ctx.type = stored.content_type;
    ctx.body = stored.body === '' ? '' : JSON.parse(stored.body);
    return;
  }
  crashPoint('keyed.claimed');
  const hold = deps.idempotency.hold(principal.accountId, keyHeader);
  let result: RouteResult;
  try {
    result = (await route.handler({ ...input, idempotency: { key: keyHeader, claimedAt: decision.claimedAt } })) ?? { status: 204 };
  } catch (thrown) {
    await hold.stop();
    const err = toApiError(thrown);
    // A definite answer (404, 409 conflict…) is the request's outcome and is replayed;
    // a transient one is not stored, and the claim is reopened (not deleted) so the retry
    // keeps the claim time and finishes what this attempt wrote instead of duplicating it.
    // A 429 (a quota reached) is not an outcome either: the retry after room is made must run.
    if (err.retryable || err.status >= 500 || err.status === 429) await deps.idempotency.reopen(principal.accountId, keyHeader);
    else await deps.idempotency.complete(principal.accountId, keyHeader, { status: err.status, body: JSON.stringify(errorBody(err, requestId)), content_type: 'application/json', headers: err.headers });
    throw err;
  }
  await hold.stop();
  crashPoint('keyed.before-complete');
  await deps.idempotency.complete(principal.accountId, keyHeader, {
    status: result.status,
    body: result.body === undefined ? '' : JSON.stringify(result.body),
    content_type: result.body === undefined ? null : 'application/json',
    headers: result.headers ?? {},
  });
  applyResult(ctx, result);
}

const COMMON_ERRORS: ErrorCode[] = ['UNAUTHENTICATED', 'INSUFFICIENT_SCOPE', 'RATE_LIMITED', 'INTERNAL_ERROR', 'SERVICE_UNAVAILABLE'];

function toOpenApi(route: RouteSpec): RouteConfig {
  const responses: RouteConfig['responses'] = {};
  for (const [status, r] of Object.entries(route.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.headers ? { headers: r.headers } : {}),
      ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: r.schema } } } : {}),
    };
  }
  const errorCodes = new Set<ErrorCode>([...(route.scope === 'public' ? ['INTERNAL_ERROR' as const] : COMMON_ERRORS), ...(route.errors ?? [])]);
  if (route.params || route.query || route.body) errorCodes.add('VALIDATION_ERROR');
  if (route.body) ['INVALID_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'].forEach((c) => errorCodes.add(c as ErrorCode));
  const mutating = MUTATING.has(route.method) && route.scope !== 'public' && !route.raw;
  if (mutating) ['IDEMPOTENCY_KEY_IN_USE', 'IDEMPOTENCY_KEY_REUSED'].forEach((c) => errorCodes.add(c as ErrorCode));
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodes) {
    const status = (ApiErrorStatus as Record<string, number>)[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of byStatus) {
    if (responses[String(status)]) continue;
    responses[String(status)] = {
      description: `Error: ${codes.join(', ')}`,
      content: { 'application/json': { schema: errorResponseSchema } },
    };
  }
  const bodyTypes = route.bodyTypes ?? ['json'];
  const headers = mutating
    ? z.object({
        'Idempotency-Key': z.string().max(IDEMPOTENCY_KEY_MAX).optional().describe('Makes the request safe to retry: the same key and request within 24 h return the first response.'),
      })
    : undefined;
  return {
    method: route.method,
    path: route.path,
    operationId: route.operationId,
    summary: route.summary,
    description: [route.description, route.scope === 'public' ? 'No credentials needed.' : `Requires scope \`${route.scope}\`.`].filter(Boolean).join('\n\n'),
    tags: [route.tag],
    security: route.scope === 'public' ? [] : [{ oauth2: [route.scope] }, { bearerAuth: [route.scope] }],
    'x-required-scope': route.scope === 'public' ? undefined : route.scope,
    'x-error-codes': [...errorCodes].sort(),
    request: {
      ...(route.params ? { params: route.params } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(headers ? { headers } : {}),
      ...(route.body
        ? {
            body: {
              required: true,
              content: Object.fromEntries(bodyTypes.map((t) => [t === 'json' ? 'application/json' : 'application/x-www-form-urlencoded', { schema: route.body as ZodType }])),
            },
          }
        : {}),
    },
    responses,
  } as RouteConfig;
}

const ApiErrorStatus = Object.fromEntries(Object.entries(ERROR_CODES).map(([code, spec]) => [code, spec.status]));
