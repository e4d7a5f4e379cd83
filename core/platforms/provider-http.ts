import { z } from 'zod';

/**
 * The one way the provider clients (ElevenLabs, Vapi, Retell, Twilio) talk HTTP: Node's fetch with
 * a hard timeout, and every failure classified the same way so that activities can decide whether
 * a retry can help. The hosts are fixed provider APIs chosen by us, not user input, so the SSRF
 * guard of core/outbound is not needed here.
 *
 * Nothing built here ever carries request headers into an error message: those hold API keys.
 * The messages quote the provider, for our logs: clients get our own words for a failure
 * (providerFailureMessage in activities/activity-errors.ts), built from its kind and status.
 */

export const PROVIDER_TIMEOUT_MS = 15_000;

export type ProviderFailureKind = 'unauthorized' | 'rate_limited' | 'invalid_request' | 'not_found' | 'unavailable' | 'unexpected';

export interface ProviderFailure {
  kind: ProviderFailureKind;
  retryable: boolean;
  /** HTTP status when the provider answered; absent for network failures and timeouts. */
  status?: number;
  /**
   * For the worker's log, not for clients: method, path, status and the provider's own error
   * message (known secrets scrubbed), never headers. Clients see `kind` and `status` in our words.
   */
  message: string;
}

export type ProviderBody = { json: unknown } | { form: URLSearchParams } | { multipart: FormData };

export interface ProviderCall {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the base URL with IDs already encoded (use `encodeSegment`). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: ProviderBody;
}

export interface ProviderHttpOptions {
  /** Shown in error messages, e.g. "vapi". */
  provider: string;
  baseUrl: string;
  /** Authentication headers for this account; kept out of every message. */
  headers: Record<string, string>;
  /** Builds the adapter's own error type (PlatformError or TelephonyError) from a classified failure. */
  toError(failure: ProviderFailure): Error;
  /** Values scrubbed from any provider text we quote, in case an error body echoes a credential. */
  secrets: string[];
  timeoutMs?: number;
}

export function encodeSegment(value: string): string {
  return encodeURIComponent(value);
}

/** The status classes the product relies on; everything else is "unexpected" and not retried. */
export function classifyStatus(status: number): { kind: ProviderFailureKind; retryable: boolean } {
  if (status === 401 || status === 403) return { kind: 'unauthorized', retryable: false };
  if (status === 429) return { kind: 'rate_limited', retryable: true };
  if (status === 404 || status === 410) return { kind: 'not_found', retryable: false };
  if (status === 400 || status === 409 || status === 413 || status === 422) return { kind: 'invalid_request', retryable: false };
  if (status === 408 || status >= 500) return { kind: 'unavailable', retryable: true };
  return { kind: 'unexpected', retryable: false };
}

const MAX_MESSAGE_CHARS = 300;

/**
 * Each provider words errors differently: ElevenLabs `{detail: {message}}` or FastAPI's
 * `{detail: [{msg}]}`, Vapi (NestJS) `{message: string | string[]}`, Retell `{status, message}`,
 * Twilio `{code, message, more_info}`. Pull out whichever is there.
 */
export function providerErrorMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() || undefined;
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const message = record.message;
  if (typeof message === 'string') {
    return typeof record.code === 'number' ? `${message} (code ${record.code})` : message;
  }
  if (Array.isArray(message)) return message.filter((m): m is string => typeof m === 'string').join('; ') || undefined;
  const detail = record.detail;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    const parts = detail.map((d) => {
      if (typeof d !== 'object' || d === null) return String(d);
      const item = d as { msg?: unknown; loc?: unknown };
      const loc = Array.isArray(item.loc) ? item.loc.join('.') : '';
      return `${loc ? `${loc}: ` : ''}${typeof item.msg === 'string' ? item.msg : JSON.stringify(d)}`;
    });
    return parts.join('; ') || undefined;
  }
  if (typeof detail === 'object' && detail !== null) return providerErrorMessage(detail);
  if (typeof record.error === 'string') return record.error;
  if (typeof record.error === 'object' && record.error !== null) return providerErrorMessage(record.error);
  return undefined;
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 6) out = out.split(secret).join('[redacted]');
  }
  return out;
}

function networkCode(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'timeout';
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return err instanceof Error ? err.message : 'network error';
}

const NOT_FOUND = Symbol('not_found');

export class ProviderHttp {
  private readonly baseUrl: string;

  constructor(private readonly options: ProviderHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** Sends the call and validates the JSON answer against `schema` (an empty answer parses as undefined). */
  async send<S extends z.ZodType>(call: ProviderCall, schema: S): Promise<z.infer<S>> {
    const result = await this.exchange(call, false);
    return this.parse(call, schema, result);
  }

  /** Like `send`, but a 404 answers null: for lookups and deletes where "gone" is an answer, not an error. */
  async sendOrNull<S extends z.ZodType>(call: ProviderCall, schema: S): Promise<z.infer<S> | null> {
    const result = await this.exchange(call, true);
    if (result === NOT_FOUND) return null;
    return this.parse(call, schema, result);
  }

  private parse<S extends z.ZodType>(call: ProviderCall, schema: S, body: unknown): z.infer<S> {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    // The provider answered 2xx with a shape its documentation does not describe: a contract
    // change, which no retry will fix.
    throw this.options.toError({
      kind: 'unexpected',
      retryable: false,
      message: truncate(`${this.options.provider} ${call.method} ${call.path}: unexpected response (${issues})`),
    });
  }

  private async exchange(call: ProviderCall, notFoundIsAnswer: boolean): Promise<unknown> {
    const url = new URL(`${this.baseUrl}${call.path}`);
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    let body: string | FormData | undefined;
    if (call.body && 'json' in call.body) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.body.json);
    } else if (call.body && 'form' in call.body) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = call.body.form.toString();
    } else if (call.body) {
      // fetch writes the multipart boundary into content-type itself.
      body = call.body.multipart;
    }
    const where = `${this.options.provider} ${call.method} ${call.path}`;

    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: call.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? PROVIDER_TIMEOUT_MS),
        redirect: 'error',
      });
      text = await response.text();
    } catch (err) {
      throw this.options.toError({ kind: 'unavailable', retryable: true, message: `${where}: ${networkCode(err)}` });
    }

    let parsed: unknown = undefined;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (response.ok) {
      if (typeof parsed === 'string') {
        throw this.options.toError({ kind: 'unexpected', retryable: false, status: response.status, message: `${where}: response is not JSON` });
      }
      return parsed;
    }
    if (response.status === 404 && notFoundIsAnswer) return NOT_FOUND;

    const { kind, retryable } = classifyStatus(response.status);
    const detail = providerErrorMessage(parsed);
    // Retry-After is reported, not obeyed: the workflow engine owns retry timing.
    const retryAfter = response.headers.get('retry-after');
    const message = `${where}: HTTP ${response.status}${detail ? `: ${detail}` : ''}${retryAfter ? ` (retry after ${retryAfter}s)` : ''}`;
    throw this.options.toError({ kind, retryable, status: response.status, message: truncate(scrub(message, this.options.secrets)) });
  }
}

/** For endpoints that answer 200/204 with nothing we need. */
export const ignoredBody = z.unknown();
