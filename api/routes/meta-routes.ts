import type { Logger } from 'pino';
import { z } from 'zod';
import { defineRoute, RouteSpec } from '../http/route';

export interface ReadinessProbe {
  name: string;
  check(): Promise<void>;
}

const readinessSchema = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.record(
      z.string(),
      z.object({
        ok: z.boolean(),
        error: z.enum(['unavailable', 'timeout']).optional().describe('Why the dependency is not ready; the details are in the service logs under the request ID.'),
        latency_ms: z.number(),
      }),
    ),
  })
  .meta({ id: 'Readiness' });

export function metaRoutes(deps: { probes: ReadinessProbe[]; openApiDocument: () => Record<string, unknown>; logger: Logger }): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'health',
      summary: 'Liveness: the process is up',
      tag: 'meta',
      scope: 'public',
      responses: { 200: { description: 'Up.', schema: z.object({ status: z.literal('ok') }) } },
      async handler() {
        return { status: 200, body: { status: 'ok' } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'ready',
      summary: 'Readiness: the database and Temporal answer',
      tag: 'meta',
      scope: 'public',
      responses: {
        200: { description: 'Every dependency answered.', schema: readinessSchema },
        503: { description: 'At least one dependency did not answer.', schema: readinessSchema },
      },
      async handler() {
        const results = await Promise.all(
          deps.probes.map(async (probe) => {
            const started = Date.now();
            try {
              await withTimeout(probe.check(), 3000);
              return [probe.name, { ok: true, latency_ms: Date.now() - started }] as const;
            } catch (err) {
              // /readyz is public: a dependency's own error text (hosts, versions, stack frames) goes to the logs only.
              deps.logger.warn({ err, dependency: probe.name }, 'readiness check failed');
              const error = err instanceof ProbeTimeout ? ('timeout' as const) : ('unavailable' as const);
              return [probe.name, { ok: false, error, latency_ms: Date.now() - started }] as const;
            }
          }),
        );
        const ok = results.every(([, r]) => r.ok);
        return { status: ok ? 200 : 503, body: { status: ok ? 'ready' : 'unavailable', checks: Object.fromEntries(results) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/openapi.json',
      operationId: 'getOpenApiDocument',
      summary: 'This API described as OpenAPI 3.1',
      tag: 'meta',
      scope: 'public',
      responses: { 200: { description: 'The OpenAPI document.', schema: z.record(z.string(), z.unknown()) } },
      async handler() {
        return { status: 200, body: deps.openApiDocument() };
      },
    }),
  ];
}

class ProbeTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new ProbeTimeout(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}
