/**
 * The MCP server's only way into Workforce Wave: the public REST API over HTTP, as any client
 * would call it. A secret key (`sk_live_…`) or an access token is sent as the Bearer credential
 * (the API accepts both), so every route's own scope and tenancy checks apply.
 */

/** The API's structured error, as every route answers it (README "API conventions"). */
export interface ApiErrorBody {
  code: string;
  message: string;
  retryable: boolean;
  retry_after?: number;
  recovery: string;
  request_id?: string;
  details: unknown[];
  /** HTTP status the API answered (0 when it could not be reached). */
  status: number;
}

export class ApiCallError extends Error {
  constructor(readonly error: ApiErrorBody) {
    super(`${error.code}: ${error.message}`);
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface ApiClientOptions {
  baseUrl: string;
  /** Secret key or access token, sent as `Authorization: Bearer …`. */
  credential: string;
  userAgent?: string;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class ApiClient {
  private readonly baseUrl: string;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  get<T = any>(path: string, options: Omit<RequestOptions, 'body' | 'idempotencyKey'> = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T = any>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, options);
  }

  patch<T = any>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PATCH', path, options);
  }

  async request<T>(method: string, path: string, { query, body, idempotencyKey, signal }: RequestOptions = {}): Promise<T> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.credential}`,
      accept: 'application/json',
      'user-agent': this.options.userAgent ?? 'workforcewave-mcp',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    let res: Response;
    try {
      res = await (this.options.fetch ?? fetch)(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      throw new ApiCallError({
        code: 'SERVICE_UNAVAILABLE',
        message: `The Workforce Wave API at ${this.baseUrl} could not be reached: ${(err as Error).message}`,
        retryable: true,
        retry_after: 5,
        recovery: 'retry_after_delay',
        details: [],
        status: 0,
      });
    }
    const text = await res.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.ok) return parsed as T;
    const e = parsed?.error;
    if (e && typeof e === 'object' && typeof e.code === 'string') {
      throw new ApiCallError({
        code: e.code,
        message: String(e.message ?? ''),
        retryable: Boolean(e.retryable),
        ...(typeof e.retry_after === 'number' ? { retry_after: e.retry_after } : {}),
        recovery: String(e.recovery ?? 'none'),
        ...(e.request_id ? { request_id: String(e.request_id) } : {}),
        details: Array.isArray(e.details) ? e.details : [],
        status: res.status,
      });
    }
    // Not our error shape (a proxy's page, an OAuth error): keep the status, say what came back.
    throw new ApiCallError({
      code: res.status >= 500 ? 'SERVICE_UNAVAILABLE' : 'UNEXPECTED_RESPONSE',
      message: `HTTP ${res.status} from ${method} ${path}: ${text.slice(0, 300)}`,
      retryable: res.status >= 500,
      recovery: res.status >= 500 ? 'retry_after_delay' : 'contact_support',
      details: [],
      status: res.status,
    });
  }
}
