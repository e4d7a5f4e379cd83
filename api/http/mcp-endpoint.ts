import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Principal } from '../../core/auth/principal';
import type { TokenService } from '../../core/auth/token-service';
import { UnauthenticatedError } from '../../core/errors/errors';
import { ApiCallError, ApiClient } from '../../mcp/api-client';
import { createMcpServer, SERVER_VERSION } from '../../mcp/server';

export const MCP_PATH = '/mcp';

export interface McpHttpOptions {
  /** Origins a browser-borne request may come from; requests without Origin are always allowed. */
  allowedOrigins: string[];
  /** Live sessions per account (all its credentials together). */
  maxSessionsPerAccount: number;
  /** A session unused this long is closed. */
  idleSeconds: number;
}

export function loadMcpHttpOptions(env: NodeJS.ProcessEnv = process.env): McpHttpOptions {
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  return {
    allowedOrigins: (env.WFW_MCP_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter(Boolean),
    maxSessionsPerAccount: int('WFW_MCP_MAX_SESSIONS', 10, 1, 1000),
    idleSeconds: int('WFW_MCP_SESSION_IDLE_SECONDS', 900, 10, 86_400),
  };
}

interface Session {
  id: string;
  accountId: string;
  serviceAccountId: string;
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  lastUsed: number;
}

export interface McpEndpointDeps {
  tokens: TokenService;
  /** Where the tools reach the REST API: this API itself, over loopback. */
  apiUrl: string;
  logger: Logger;
  maxBodyBytes: number;
  options?: McpHttpOptions;
}

/** A JSON-RPC error answer, as the MCP transport itself answers transport-level problems. */
function rpcError(ctx: Context, status: number, message: string, headers: Record<string, string> = {}): void {
  ctx.status = status;
  for (const [k, v] of Object.entries(headers)) ctx.set(k, v);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { jsonrpc: '2.0', error: { code: -32000, message }, id: null };
}

/**
 * The MCP tools over Streamable HTTP at /mcp, outside the route table (it is a protocol endpoint,
 * not a REST resource). Each tool call reaches the REST API over loopback with the caller's own
 * Bearer credential, so every route's scope, tenancy, rate-limit and idempotency rules apply as
 * they do for any client. Sessions live in this process's memory, bound to the credential that
 * opened them, at most `maxSessionsPerAccount` per account, closed after `idleSeconds` unused.
 */
export function mcpEndpoint(deps: McpEndpointDeps): Middleware & { sessions: Map<string, Session>; closeAll(): Promise<void> } {
  const options = deps.options ?? loadMcpHttpOptions();
  const sessions = new Map<string, Session>();
  /** Initialisations in flight per account, counted against the cap until they settle. */
  const opening = new Map<string, number>();

  const close = (s: Session) => {
    sessions.delete(s.id);
    void s.server.close().catch(() => undefined);
  };
  const sweep = () => {
    const cutoff = Date.now() - options.idleSeconds * 1000;
    for (const s of sessions.values()) if (s.lastUsed < cutoff) close(s);
  };
  const sweeper = setInterval(sweep, Math.min(60, options.idleSeconds) * 1000);
  sweeper.unref();

  const liveFor = (accountId: string) => [...sessions.values()].filter((s) => s.accountId === accountId);

  const middleware = async (ctx: Context, next: () => Promise<void>) => {
    if (ctx.path !== MCP_PATH) return next();
    if (!['POST', 'GET', 'DELETE'].includes(ctx.method)) {
      rpcError(ctx, 405, `${ctx.method} is not allowed on ${MCP_PATH}.`, { Allow: 'GET, POST, DELETE' });
      return;
    }
    // DNS-rebinding protection: a browser always sends Origin on these requests; other clients need not.
    const origin = ctx.get('Origin');
    if (origin && !options.allowedOrigins.includes(origin.replace(/\/+$/, ''))) {
      rpcError(ctx, 403, 'Origin not allowed (WFW_MCP_ALLOWED_ORIGINS).');
      return;
    }
    const principal = await authenticate(ctx, deps.tokens);
    sweep();

    const sessionId = ctx.get('Mcp-Session-Id');
    let session: Session | undefined;
    if (sessionId) {
      session = sessions.get(sessionId);
      // Another credential's session is answered like an unknown one: nothing to learn from it.
      if (!session || session.serviceAccountId !== principal.serviceAccountId) {
        rpcError(ctx, 404, 'Session not found: initialize a new one.');
        return;
      }
      session.lastUsed = Date.now();
      await handle(ctx, session.transport, principal);
      if (ctx.method === 'DELETE') close(session);
      return;
    }
    if (ctx.method !== 'POST') {
      rpcError(ctx, 400, 'Mcp-Session-Id header required.');
      return;
    }
    const live = liveFor(principal.accountId);
    const pending = opening.get(principal.accountId) ?? 0;
    if (live.length + pending >= options.maxSessionsPerAccount) {
      const oldestIdle = Math.min(...live.map((s) => s.lastUsed), Date.now());
      const retryAfter = Math.max(1, Math.ceil((oldestIdle + options.idleSeconds * 1000 - Date.now()) / 1000));
      rpcError(ctx, 429, `At most ${options.maxSessionsPerAccount} MCP sessions per account (WFW_MCP_MAX_SESSIONS); end one with DELETE ${MCP_PATH} or wait for an idle one to expire.`, { 'Retry-After': String(retryAfter) });
      return;
    }

    const server = createMcpServer((extra) => {
      const token = extra.authInfo?.token;
      if (!token) throw new ApiCallError({ code: 'UNAUTHENTICATED', message: 'No credentials on this request.', retryable: false, recovery: 'reauthenticate', details: [], status: 401 });
      return new ApiClient({ baseUrl: deps.apiUrl, credential: token, userAgent: `workforcewave-mcp/${SERVER_VERSION} (http)` });
    });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: deps.maxBodyBytes,
      onsessioninitialized: (id) => {
        sessions.set(id, { id, accountId: principal.accountId, serviceAccountId: principal.serviceAccountId, transport, server, lastUsed: Date.now() });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    opening.set(principal.accountId, pending + 1);
    try {
      await server.connect(transport);
      await handle(ctx, transport, principal);
    } finally {
      const n = (opening.get(principal.accountId) ?? 1) - 1;
      if (n > 0) opening.set(principal.accountId, n);
      else opening.delete(principal.accountId);
      // Not an initialize request (the transport answered 400): nothing to keep.
      if (!transport.sessionId || !sessions.has(transport.sessionId)) void server.close().catch(() => undefined);
    }
  };

  async function handle(ctx: Context, transport: StreamableHTTPServerTransport, principal: Principal & { token?: string }): Promise<void> {
    const req = ctx.req as IncomingMessage & { auth?: AuthInfo };
    req.auth = { token: principal.token as string, clientId: principal.serviceAccountId, scopes: [...principal.scopes], extra: { accountId: principal.accountId } };
    ctx.respond = false;
    try {
      await transport.handleRequest(req, ctx.res);
    } catch (err) {
      deps.logger.error({ err, request_id: ctx.state.requestId }, 'mcp transport failed');
      if (!ctx.res.headersSent) {
        ctx.res.statusCode = 500;
        ctx.res.setHeader('Content-Type', 'application/json');
        ctx.res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }));
      }
    }
  }

  return Object.assign(middleware, {
    sessions,
    async closeAll() {
      clearInterval(sweeper);
      for (const s of [...sessions.values()]) close(s);
    },
  });
}

async function authenticate(ctx: Context, tokens: TokenService): Promise<Principal & { token: string }> {
  const header = ctx.get('Authorization');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new UnauthenticatedError(header ? 'Authorization must be "Bearer <token>".' : 'Send credentials as "Authorization: Bearer <token>" (an access token or a secret key).');
  const principal = await tokens.authenticate(match[1]);
  if (!principal) throw new UnauthenticatedError('The access token or secret key is invalid, expired or revoked.');
  return { ...principal, token: match[1] };
}
