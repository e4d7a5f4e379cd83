import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the API's request pipeline reports (api/http/route.ts); absent in processes without metrics. */
export interface ApiRouteMetrics {
  /** One finished request: its route template (`/v1/agents/{agent_id}`, never the raw path), status and scope. */
  observeRequest(route: { method: string; path: string; scope: string }, status: number, seconds: number): void;
  /** A 429 from one of the rate limits (`policy`: ip_rate_limited, rate_limited, account_rate_limited, …). */
  rateLimited(route: { method: string; path: string }, policy: string): void;
  /** A keyed request answered from the stored response. */
  idempotentReplay(route: { method: string; path: string }): void;
}

export interface ApiMetrics extends ApiRouteMetrics {
  registry: Registry;
  render(): Promise<{ contentType: string; body: string }>;
}

/**
 * The API process's metrics on a registry of its own (never prom-client's global one), so two APIs
 * in one jest process do not collide. `openStreams` is read at scrape time.
 */
export function createApiMetrics(options: { openStreams?: () => number; processMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'wfw_api_' });
  const requests = new Counter({ name: 'wfw_api_requests_total', help: 'HTTP requests by route template, method, status and required scope.', labelNames: ['method', 'route', 'status', 'scope'] as const, registers: [registry] });
  const latency = new Histogram({
    name: 'wfw_api_request_duration_seconds',
    help: 'HTTP request latency by route template and method (event streams: the stream duration).',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const limited = new Counter({ name: 'wfw_api_rate_limited_total', help: 'Requests refused with 429 by a rate limit, by policy.', labelNames: ['method', 'route', 'policy'] as const, registers: [registry] });
  const replays = new Counter({ name: 'wfw_api_idempotent_replays_total', help: 'Keyed requests answered from the stored response (Idempotent-Replayed).', labelNames: ['method', 'route'] as const, registers: [registry] });
  const openStreams = options.openStreams;
  new Gauge({
    name: 'wfw_api_open_event_streams',
    help: 'Server-sent event streams open on this instance.',
    registers: [registry],
    collect() {
      this.set(openStreams ? openStreams() : 0);
    },
  });
  return {
    registry,
    observeRequest(route, status, seconds) {
      const method = route.method.toUpperCase();
      requests.inc({ method, route: route.path, status: String(status), scope: route.scope });
      latency.observe({ method, route: route.path }, seconds);
    },
    rateLimited(route, policy) {
      limited.inc({ method: route.method.toUpperCase(), route: route.path, policy });
    },
    idempotentReplay(route) {
      replays.inc({ method: route.method.toUpperCase(), route: route.path });
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
