import { createApiMetrics } from '../../core/metrics/api-metrics';
import { serveMetrics, metricsPortFor } from '../../core/metrics/metrics-server';
import { createWorkerMetrics } from '../../core/metrics/worker-metrics';

describe('metrics modules', () => {
  it('give every process role a registry of its own: two APIs and a worker in one process do not collide', async () => {
    let streams = 3;
    const a = createApiMetrics({ openStreams: () => streams });
    const b = createApiMetrics();
    const w = createWorkerMetrics();
    a.observeRequest({ method: 'get', path: '/v2/agents/{agent_id}', scope: 'agents:read' }, 200, 0.01);
    a.rateLimited({ method: 'post', path: '/v2/agents' }, 'account_rate_limited');
    const first = (await a.render()).body;
    expect(first).toContain('wfw_api_requests_total{method="GET",route="/v2/agents/{agent_id}",status="200",scope="agents:read"} 1');
    expect(first).toContain('wfw_api_rate_limited_total{method="POST",route="/v2/agents",policy="account_rate_limited"} 1');
    expect(first).toContain('wfw_api_open_event_streams 3');
    streams = 0;
    expect((await a.render()).body).toContain('wfw_api_open_event_streams 0');
    expect((await b.render()).body).not.toMatch(/wfw_api_requests_total\{/);
    expect((await w.render(async () => 'temporal_extra 1\n')).body).toMatch(/wfw_worker_outbox_lag_seconds 0[\s\S]*temporal_extra 1/);
  });

  it('serves /metrics only, on the port asked for; 0 in the configuration turns it off', async () => {
    expect(metricsPortFor(undefined, 9464)).toBe(9464);
    expect(metricsPortFor(0, 9464)).toBeNull();
    expect(metricsPortFor(9999, 9464)).toBe(9999);
    const m = createApiMetrics({ processMetrics: false });
    const server = await serveMetrics(() => m.render(), 0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(await res.text()).toContain('# TYPE wfw_api_requests_total counter');
      expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
