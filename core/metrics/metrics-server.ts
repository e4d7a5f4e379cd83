import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A bare HTTP server answering GET /metrics with `render()` (Prometheus text format), on a port of
 * its own: never the public API port, so scraping needs no credentials and the API's routes, rate
 * limits and logs never see it. Port 0 picks a free one (tests); callers turn metrics off before.
 */
export function serveMetrics(render: () => Promise<{ contentType: string; body: string }>, port: number, host = '0.0.0.0'): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; metrics are at /metrics\n');
      return;
    }
    render().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

/** The process role's metrics port: WFW_METRICS_PORT, else the role's default; null when turned off (0). */
export function metricsPortFor(configured: number | undefined, roleDefault: number): number | null {
  const port = configured ?? roleDefault;
  return port === 0 ? null : port;
}

export const API_METRICS_PORT = 9464;
export const WORKER_METRICS_PORT = 9465;
