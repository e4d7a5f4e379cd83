export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  idempotencyKey?: string;
}

/** Thin fetch wrapper for tests: real HTTP to a real server, JSON decoded when it is JSON. */
export async function request<T = any>(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<TestResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export function client(baseUrl: string, token?: string) {
  return {
    get: <T = any>(path: string, o: RequestOptions = {}) => request<T>(baseUrl, 'GET', path, { token, ...o }),
    post: <T = any>(path: string, body?: unknown, o: RequestOptions = {}) => request<T>(baseUrl, 'POST', path, { token, body, ...o }),
    patch: <T = any>(path: string, body?: unknown, o: RequestOptions = {}) => request<T>(baseUrl, 'PATCH', path, { token, body, ...o }),
    put: <T = any>(path: string, body?: unknown, o: RequestOptions = {}) => request<T>(baseUrl, 'PUT', path, { token, body, ...o }),
    delete: <T = any>(path: string, o: RequestOptions = {}) => request<T>(baseUrl, 'DELETE', path, { token, ...o }),
  };
}

/** Asserts the one error shape every route shares and returns the error object. */
export function expectError(res: TestResponse, status: number, code: string) {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  const err = res.body.error;
  expect(typeof err.message).toBe('string');
  expect(typeof err.retryable).toBe('boolean');
  expect(typeof err.recovery).toBe('string');
  expect(err.request_id).toBe(res.headers.get('x-request-id'));
  expect(Array.isArray(err.details)).toBe(true);
  return err;
}
