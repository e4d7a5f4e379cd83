import Router from '@koa/router';
import Koa from 'koa';
import type { Core } from '../core/composition-root';
import type { ApiRouteMetrics } from '../core/metrics/api-metrics';
import { errorMiddleware } from './http/error-middleware';
import { mcpEndpoint } from './http/mcp-endpoint';
import { requestContext } from './http/request-context';
import { mountRoutes, RouteSpec } from './http/route';
import { createRegistry, generateDocument } from './openapi/openapi-document';
import { accountRoutes } from './routes/account-routes';
import { authRoutes } from './routes/auth-routes';
import { metaRoutes, ReadinessProbe } from './routes/meta-routes';
import { serviceAccountRoutes } from './routes/service-account-routes';
import { agentRoutes } from './routes/agent-routes';
import { operationRoutes } from './routes/operation-routes';
import { platformCredentialRoutes } from './routes/platform-credential-routes';
import { scoutRoutes } from './routes/scout-routes';
import { templateRoutes } from './routes/template-routes';
import { webhookRoutes } from './routes/webhook-routes';
import { eventRoutes } from './routes/event-routes';
import { callRoutes } from './routes/call-routes';
import { creditRoutes } from './routes/credit-routes';
import { callBatchRoutes } from './routes/call-batch-routes';
import { knowledgeBaseRoutes } from './routes/knowledge-base-routes';

export interface ApiDeps {
  core: Core;
  probes: ReadinessProbe[];
  /** Extra route groups (resources added by later modules). */
  extraRoutes?: RouteSpec[];
  /** Request metrics (core/metrics/api-metrics.ts), served by the entry point on a port of their own. */
  metrics?: ApiRouteMetrics;
}

export interface Api {
  app: Koa;
  openApiDocument(): Record<string, unknown>;
}

/**
 * The route table: every RouteSpec the API mounts, in mounting order. Tests generate their
 * per-route checks (tenancy, scopes) from it, so a new route is covered without being listed.
 */
export function apiRoutes({ core, probes, openApiDocument = () => ({}), extraRoutes = [] }: ApiDeps & { openApiDocument?: () => Record<string, unknown> }): RouteSpec[] {
  return [
    ...metaRoutes({ probes, openApiDocument, logger: core.logger }),
    ...authRoutes({ tokens: core.tokens, serviceAccounts: core.serviceAccounts }),
    ...accountRoutes({ accounts: core.accounts }),
    ...creditRoutes({ credit: core.credit }),
    ...serviceAccountRoutes({ serviceAccounts: core.serviceAccounts, quotas: core.quotas }),
    ...agentRoutes({ agents: core.agents, provisioning: core.provisioning, quotas: core.quotas }),
    ...operationRoutes({ operations: core.operations, provisioning: core.provisioning }),
    ...templateRoutes(core.templates),
    ...scoutRoutes({ research: (url) => core.research.research(url), suggest: core.templates.suggest, quotas: core.quotas }),
    ...platformCredentialRoutes({ credentials: core.credentials }),
    ...webhookRoutes({ webhooks: core.webhooks, agents: core.agents, quotas: core.quotas }),
    ...eventRoutes({ streams: core.eventStream }),
    ...callRoutes({ calls: core.calls, ingestion: core.callIngestion, testCalls: core.testCalls, outbound: core.outboundCalls, knowledgeBaseServer: core.knowledgeBaseServer }),
    ...callBatchRoutes({ batches: core.callBatches, doNotCall: core.doNotCall }),
    ...knowledgeBaseRoutes({ knowledgeBase: core.knowledgeBase, proposals: core.kbProposals, research: (url) => core.research.research(url) }),
    ...extraRoutes,
  ];
}

export function createApi({ core, probes, extraRoutes = [], metrics }: ApiDeps): Api {
  const app = new Koa({ proxy: false });
  const router = new Router();
  const registry = createRegistry();
  let document: Record<string, unknown> | undefined;
  const openApiDocument = () => (document ??= generateDocument(registry, core.config.publicBaseUrl ?? '/'));

  const routes = apiRoutes({ core, probes, openApiDocument, extraRoutes });
  mountRoutes(router, registry, routes, {
    tokens: core.tokens,
    rateLimits: core.rateLimits,
    idempotency: core.idempotency,
    maxBodyBytes: core.config.maxBodyBytes,
    accountRateLimit: { requestsPerWindow: core.config.quotas.accountRequestsPerMinute, windowSeconds: 60 },
    ipRateLimit: { requestsPerWindow: core.config.quotas.tokenRequestsPerIpPerMinute, windowSeconds: 60 },
    metrics,
  });

  app.use(requestContext(core.logger));
  app.use(errorMiddleware(core.logger));
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    await next();
  });
  // MCP over Streamable HTTP at /mcp: outside the route table; its tools call these routes over loopback.
  app.use(mcpEndpoint({ tokens: core.tokens, apiUrl: core.config.apiInternalUrl, logger: core.logger, maxBodyBytes: core.config.maxBodyBytes }));
  app.use(router.routes());
  app.use(router.allowedMethods());
  // Koa's default handler would print stack traces to stderr; our error middleware already logged it.
  app.silent = true;
  return { app, openApiDocument };
}
