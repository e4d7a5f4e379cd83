import http from 'node:http';
import https from 'node:https';
import { checkOutboundUrl, guardedLookup, OutboundGuardOptions, OutboundUrlRefused } from './outbound-url-guard';

export interface OutboundRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** 0 means redirects are returned to the caller, never followed (webhook deliveries). */
  maxRedirects?: number;
  timeoutMs?: number;
  maxBytes?: number;
  /** `error` fails a response larger than maxBytes; `truncate` keeps its first maxBytes. */
  onOversize?: 'error' | 'truncate';
  /** Aborting destroys the connection at once and rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
  /** The URL that answered, after redirects. */
  url: string;
  redirects: string[];
}

function withoutCredentials(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return headers;
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !['authorization', 'cookie', 'proxy-authorization'].includes(name.toLowerCase())));
}

export type OutboundFailure = 'timeout' | 'too_many_redirects' | 'response_too_large' | 'connection_failed';

export class OutboundRequestFailed extends Error {
  constructor(
    readonly reason: OutboundFailure,
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'OutboundRequestFailed';
  }
}

/**
 * The only way the product calls a URL a client gave it. Every hop, redirects included, goes
 * through the URL check and an agent whose DNS lookup refuses private addresses.
 */
export class OutboundHttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly options: OutboundGuardOptions) {
    const lookup = guardedLookup(options) as unknown as http.AgentOptions['lookup'];
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64, lookup });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64, lookup });
  }

  checkUrl(url: string): URL {
    return checkOutboundUrl(url, this.options);
  }

  async request(url: string, req: OutboundRequest = {}): Promise<OutboundResponse> {
    const maxRedirects = req.maxRedirects ?? 5;
    const deadline = Date.now() + (req.timeoutMs ?? 15000);
    const redirects: string[] = [];
    let current = url;
    let method = req.method ?? 'GET';
    let body = req.body;
    let headers = req.headers;
    for (;;) {
      const target = this.checkUrl(current);
      const res = await this.once(target, method, { ...req, headers }, body, deadline);
      const location = res.headers.location;
      if (maxRedirects > 0 && res.status >= 300 && res.status < 400 && location) {
        if (redirects.length >= maxRedirects) {
          throw new OutboundRequestFailed('too_many_redirects', `more than ${maxRedirects} redirects`, current);
        }
        const next = new URL(location, target).toString();
        redirects.push(next);
        // Like browsers: credentials never follow a redirect to another origin.
        if (new URL(next).origin !== target.origin) headers = withoutCredentials(headers);
        current = next;
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      return { ...res, url: current, redirects };
    }
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private once(target: URL, method: string, req: OutboundRequest, body: string | Buffer | undefined, deadline: number) {
    const maxBytes = req.maxBytes ?? 5 * 1024 * 1024;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return Promise.reject(new OutboundRequestFailed('timeout', 'request timed out', target.toString()));
    if (req.signal?.aborted) return Promise.reject(req.signal.reason);
    const mod = target.protocol === 'https:' ? https : http;
    const agent = target.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
    return new Promise<Omit<OutboundResponse, 'url' | 'redirects'>>((resolve, reject) => {
      const request = mod.request(target, { method, headers: req.headers, agent, timeout: remaining }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          size += chunk.length;
          if (size > maxBytes) {
            if (req.onOversize === 'truncate') {
              chunks.push(chunk.subarray(0, chunk.length - (size - maxBytes)));
              truncated = true;
              res.destroy();
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), truncated });
              return;
            }
            res.destroy();
            reject(new OutboundRequestFailed('response_too_large', `response larger than ${maxBytes} bytes`, target.toString()));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), truncated }));
        res.on('error', (err) => reject(req.signal?.aborted ? req.signal.reason : new OutboundRequestFailed('connection_failed', err.message, target.toString())));
      });
      const timer = setTimeout(() => request.destroy(new OutboundRequestFailed('timeout', 'request timed out', target.toString())), remaining);
      const abort = () => request.destroy();
      req.signal?.addEventListener('abort', abort, { once: true });
      request.on('close', () => {
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', abort);
      });
      request.on('timeout', () => request.destroy(new OutboundRequestFailed('timeout', 'request timed out', target.toString())));
      request.on('error', (err) => {
        // The DNS hook does not know the URL; name the hop that was refused.
        if (req.signal?.aborted) reject(req.signal.reason);
        else if (err instanceof OutboundUrlRefused) reject(err.url ? err : new OutboundUrlRefused(err.reason, err.message, target.toString(), err.resolvedAddress));
        else if (err instanceof OutboundRequestFailed) reject(err);
        else reject(new OutboundRequestFailed('connection_failed', err.message, target.toString()));
      });
      if (body !== undefined) request.write(body);
      request.end();
    });
  }
}
