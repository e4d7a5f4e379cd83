import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';

/**
 * Serves a fixture website from test/fixtures/sites/<site>/ on 127.0.0.1:<random port>, plus
 * special routes for the crawler's failure modes. Every request is logged so a test can prove a
 * page was never fetched (robots.txt) rather than merely absent from the report.
 *
 * Files: "/" → index.html, "/about" → about.html or about/index.html, anything else as is.
 * "{{ORIGIN}}" inside .html/.txt files becomes the server's origin, for absolute links and JSON-LD.
 */
export type FixtureRoute =
  | { kind: 'redirect'; to: string; status?: number }
  | { kind: 'status'; status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  | { kind: 'content'; contentType: string; body: string | Buffer; headers?: Record<string, string> }
  /** An HTML page of `bytes` bytes, streamed in chunks without a Content-Length. */
  | { kind: 'huge'; bytes: number }
  /** Waits `delayMs` before answering (or, with `stallBody`, after sending the first bytes). */
  | { kind: 'slow'; delayMs: number; stallBody?: boolean }
  /** Serves another fixture file, e.g. to expose /home as index.html. */
  | { kind: 'alias'; file: string }
  /** The fixture file, gzip-compressed whether or not the client asked. */
  | { kind: 'gzip'; file: string };

export interface RecordedRequest {
  method: string;
  path: string;
  userAgent: string | undefined;
}

export interface FixtureSite {
  origin: string;
  port: number;
  url(pathname?: string): string;
  readonly requests: RecordedRequest[];
  /** How many times this path (query string ignored) was requested. */
  hits(pathname: string): number;
  /** Most requests the server was answering at the same moment. */
  readonly peakConcurrency: number;
  close(): Promise<void>;
}

const SITES_DIR = path.join(__dirname, '..', 'fixtures', 'sites');
export const HUGE_PAGE_BYTES = 3 * 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.xml': 'application/xml',
};

function builtinRoutes(origin: string): Record<string, FixtureRoute> {
  const port = new URL(origin).port;
  return {
    '/old': { kind: 'redirect', to: '/older', status: 301 },
    '/older': { kind: 'redirect', to: '/home', status: 302 },
    '/home': { kind: 'alias', file: 'index.html' },
    '/redirect-loop': { kind: 'redirect', to: '/redirect-loop', status: 302 },
    // Cloud metadata: a literal link-local address, judged by the URL check on the redirect hop.
    '/redirect-to-metadata': { kind: 'redirect', to: 'http://169.254.169.254/latest/meta-data/', status: 302 },
    // Back to this very server by name: only the DNS lookup hook can see that "localhost" is loopback.
    '/redirect-to-loopback': { kind: 'redirect', to: `http://localhost:${port}/`, status: 302 },
    '/huge': { kind: 'huge', bytes: HUGE_PAGE_BYTES },
    '/slow': { kind: 'slow', delayMs: 3000 },
    '/document.pdf': { kind: 'content', contentType: 'application/pdf', body: Buffer.from('%PDF-1.4\n% fixture\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n') },
    '/data.json': { kind: 'content', contentType: 'application/json', body: JSON.stringify({ name: 'not a web page', phone: '+1 555 0100' }) },
    '/image.png': { kind: 'content', contentType: 'image/png', body: Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex') },
    '/error-500': { kind: 'status', status: 500, body: '<html><body><h1>Internal Server Error</h1></body></html>' },
    '/error-404': { kind: 'status', status: 404, body: '<html><body><h1>Not Found</h1></body></html>' },
    '/rate-limited': { kind: 'status', status: 429, body: 'Too Many Requests', contentType: 'text/plain', headers: { 'retry-after': '30' } },
    '/empty': {
      kind: 'content',
      contentType: 'text/html; charset=utf-8',
      body: '<!doctype html><html><head><title>App</title><script src="/bundle.js"></script></head><body><div id="root"></div><noscript>You need to enable JavaScript to run this app.</noscript></body></html>',
    },
  };
}

export async function startFixtureSite(site: string | null, routes: Record<string, FixtureRoute> = {}): Promise<FixtureSite> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let peakConcurrency = 0;
  let origin = '';
  let table: Record<string, FixtureRoute> = {};

  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://fixture').pathname);
    requests.push({ method: req.method ?? 'GET', path: pathname, userAgent: req.headers['user-agent'] });
    inFlight++;
    peakConcurrency = Math.max(peakConcurrency, inFlight);
    res.once('close', () => inFlight--);
    const route = table[pathname];
    const done = (p: Promise<void>) => p.catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fixture server error: ${err.message}`);
    });
    if (route) done(serveRoute(route, res, timers, site, origin));
    else done(serveFile(site, pathname, res, origin));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  table = { ...builtinRoutes(origin), ...routes };

  return {
    origin,
    port,
    url: (pathname = '/') => `${origin}${pathname}`,
    requests,
    hits: (pathname) => requests.filter((r) => r.path === pathname).length,
    get peakConcurrency() {
      return peakConcurrency;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serveRoute(route: FixtureRoute, res: http.ServerResponse, timers: Set<NodeJS.Timeout>, site: string | null, origin: string): Promise<void> {
  switch (route.kind) {
    case 'redirect':
      res.writeHead(route.status ?? 302, { location: route.to, 'content-type': 'text/html' });
      res.end(`<a href="${route.to}">moved</a>`);
      return;
    case 'status':
      res.writeHead(route.status, { 'content-type': route.contentType ?? 'text/html; charset=utf-8', ...route.headers });
      res.end(route.body ?? '');
      return;
    case 'content':
      res.writeHead(200, { 'content-type': route.contentType, ...route.headers });
      res.end(route.body);
      return;
    case 'alias':
      return serveFile(site, `/${route.file}`, res, origin);
    case 'gzip': {
      const file = await resolveFile(site, `/${route.file}`);
      if (!file) return notFound(res);
      const body = zlib.gzipSync(substitute(await readFile(file), file, origin));
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'gzip' });
      res.end(body);
      return;
    }
    case 'huge':
      return streamHuge(res, route.bytes);
    case 'slow':
      return new Promise<void>((resolve) => {
        const body = '<!doctype html><html><head><title>Slow</title></head><body><p>Finally here, after a long wait for the server.</p></body></html>';
        if (route.stallBody) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.write('<!doctype html><html><head><title>Slow</title>');
        }
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(route.stallBody ? body.slice(body.indexOf('</head>')) : body);
          resolve();
        }, route.delayMs);
        timers.add(timer);
        res.on('close', () => {
          clearTimeout(timer);
          timers.delete(timer);
          resolve();
        });
      });
  }
}

function streamHuge(res: http.ServerResponse, bytes: number): Promise<void> {
  const paragraph = Buffer.from(`<p>${'Filler text for a page that is far too large to be a small-business home page. '.repeat(40)}</p>\n`);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.write('<!doctype html><html><head><title>Huge</title></head><body>');
  let sent = 0;
  return new Promise<void>((resolve) => {
    let closed = false;
    res.on('close', () => {
      closed = true;
      resolve();
    });
    const pump = () => {
      while (!closed && sent < bytes) {
        sent += paragraph.length;
        if (!res.write(paragraph)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!closed) {
        res.end('</body></html>');
        resolve();
      }
    };
    pump();
  });
}

async function resolveFile(site: string | null, pathname: string): Promise<string | null> {
  if (!site) return null;
  const root = path.join(SITES_DIR, site);
  const clean = path.normalize(pathname).replace(/^(\.\.[/\\])+/, '');
  const candidates = clean.endsWith('/') ? [path.join(clean, 'index.html')] : [clean, `${clean}.html`, path.join(clean, 'index.html')];
  for (const candidate of candidates) {
    const file = path.join(root, candidate);
    if (!file.startsWith(root)) continue;
    try {
      if ((await stat(file)).isFile()) return file;
    } catch {
      // try the next spelling
    }
  }
  return null;
}

function substitute(content: Buffer, file: string, origin: string): Buffer {
  if (!/\.(html|txt)$/.test(file)) return content;
  return Buffer.from(content.toString('utf8').replaceAll('{{ORIGIN}}', origin));
}

async function serveFile(site: string | null, pathname: string, res: http.ServerResponse, origin: string): Promise<void> {
  const file = await resolveFile(site, pathname);
  if (!file) return notFound(res);
  const body = substitute(await readFile(file), file, origin);
  res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' });
  res.end(body);
}

function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
  res.end('<!doctype html><html><head><title>Not found</title></head><body><h1>Page not found</h1></body></html>');
}
