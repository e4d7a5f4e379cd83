import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/**
 * Plumbing shared by the provider contract fakes: a real HTTP server on 127.0.0.1 that records
 * every request, lets a test inject failures, and turns a contract violation into the provider's
 * own validation error (and a recorded violation, so a test can also assert none happened).
 */

export interface RecordedRequest {
  method: string;
  /** Path as sent, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** Parsed body when the request declared application/json. */
  json?: unknown;
  /** Parsed body when the request declared application/x-www-form-urlencoded. */
  form?: URLSearchParams;
  /** Parsed body when the request declared multipart/form-data. */
  multipart?: FormData;
}

export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeRoute {
  method: string;
  /** Matched against the encoded path; capture groups arrive decoded as `params`. */
  path: RegExp;
  handle(req: RecordedRequest, params: string[]): FakeReply | Promise<FakeReply>;
}

/** Thrown by a route when the request breaks the provider's documented contract. */
export class ContractViolation extends Error {}

export interface ProviderConventions {
  /** null when the credentials are right; otherwise the provider's authentication error. */
  authenticate(req: RecordedRequest): FakeReply | null;
  /** The provider's reply to a request that breaks its contract. */
  violation(message: string): FakeReply;
  /** The provider's reply to a path or method it does not have. */
  noRoute(req: RecordedRequest): FakeReply;
}

export class ContractFakeServer {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  private readonly faults: FakeReply[] = [];
  private readonly targetedFaults: { method: string; path: RegExp; reply: FakeReply }[] = [];
  private server: http.Server | null = null;
  baseUrl = '';

  constructor(
    private readonly routes: FakeRoute[],
    private readonly conventions: ProviderConventions,
  ) {}

  async start(): Promise<string> {
    const server = http.createServer((req, res) => {
      void this.dispatch(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `times` requests get `reply`, whatever they are (outage, throttling, races). */
  failNext(reply: FakeReply, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push(reply);
  }

  /** The next request to `method path` gets `reply`: a failure at one precise step of a multi-call flow. */
  failOn(method: string, path: RegExp, reply: FakeReply): void {
    this.targetedFaults.push({ method, path, reply });
  }

  matching(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  count(method: string, path: RegExp): number {
    return this.matching(method, path).length;
  }

  last(method: string, path: RegExp): RecordedRequest {
    const found = this.matching(method, path);
    const last = found[found.length - 1];
    if (!last) throw new Error(`no ${method} request matched ${path}`);
    return last;
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let reply: FakeReply;
    try {
      const recorded = await record(req);
      this.requests.push(recorded);
      reply = await this.answer(recorded);
    } catch (err) {
      reply = { status: 500, body: { message: `fake crashed: ${(err as Error).message}` } };
    }
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.body !== undefined) headers['content-type'] ??= 'application/json';
    res.writeHead(reply.status, headers);
    res.end(reply.body === undefined ? undefined : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
  }

  private async answer(req: RecordedRequest): Promise<FakeReply> {
    const fault = this.faults.shift();
    if (fault) return fault;
    const pathname = req.path.split('?')[0]!;
    const targeted = this.targetedFaults.findIndex((f) => f.method === req.method && f.path.test(pathname));
    if (targeted >= 0) return this.targetedFaults.splice(targeted, 1)[0]!.reply;
    const denied = this.conventions.authenticate(req);
    if (denied) return denied;
    for (const route of this.routes) {
      if (route.method !== req.method) continue;
      const match = route.path.exec(pathname);
      if (!match) continue;
      try {
        return await route.handle(req, match.slice(1).map((p) => decodeURIComponent(p)));
      } catch (err) {
        if (!(err instanceof ContractViolation)) throw err;
        this.violations.push(`${req.method} ${pathname}: ${err.message}`);
        return this.conventions.violation(err.message);
      }
    }
    return this.conventions.noRoute(req);
  }
}

async function record(req: http.IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const url = new URL(req.url ?? '/', 'http://fake');
  const contentType = req.headers['content-type'] ?? '';
  const recorded: RecordedRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    rawBody: raw.toString('utf8'),
  };
  if (contentType.startsWith('application/json') && raw.length > 0) {
    try {
      recorded.json = JSON.parse(recorded.rawBody);
    } catch {
      recorded.json = undefined;
    }
  } else if (contentType.startsWith('application/x-www-form-urlencoded')) {
    recorded.form = new URLSearchParams(recorded.rawBody);
  } else if (contentType.startsWith('multipart/form-data')) {
    recorded.multipart = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
  }
  return recorded;
}

/** Parses a JSON body against the documented schema, or raises a contract violation naming each problem. */
export function expectJson<S extends z.ZodType>(req: RecordedRequest, schema: S): z.infer<S> {
  const contentType = req.headers['content-type'] ?? '';
  if (!contentType.startsWith('application/json')) throw new ContractViolation(`content-type must be application/json, got "${contentType}"`);
  if (req.json === undefined) throw new ContractViolation('body is not valid JSON');
  return check(schema, req.json);
}

export function check<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ContractViolation(parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

/** Requests that must not carry a body (GET, DELETE) are checked too: a stray body means a misrouted call. */
export function expectNoBody(req: RecordedRequest): void {
  if (req.rawBody.length > 0) throw new ContractViolation(`${req.method} must not have a body`);
}

export function expectQuery(req: RecordedRequest, allowed: string[]): void {
  for (const key of req.query.keys()) {
    if (!allowed.includes(key)) throw new ContractViolation(`unknown query parameter "${key}"`);
  }
}

export const E164 = /^\+[1-9]\d{6,14}$/;
