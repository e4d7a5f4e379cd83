import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { OutboundHttpClient, OutboundRequestFailed } from '../outbound/outbound-http-client';
import { OutboundRefusal, OutboundUrlRefused } from '../outbound/outbound-url-guard';
import { CRAWLER_USER_AGENT } from './robots-policy';

export interface FetchOptions {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  signal?: AbortSignal;
}

export interface FetchedHtml {
  /** Where the page really was, after redirects. */
  url: string;
  status: number;
  body: Buffer;
  /** Bytes received on the wire (before any content-encoding was undone). */
  bytes: number;
  charset: string | undefined;
}

export type FetchFailure =
  | { kind: 'refused'; refusal: OutboundRefusal; message: string }
  | { kind: 'unreachable'; message: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'too_large'; message: string }
  | { kind: 'too_many_redirects'; message: string }
  | { kind: 'http_error'; status: number; message: string }
  | { kind: 'not_html'; status: number; contentType: string; message: string };

export type PageFetchResult = { ok: true; page: FetchedHtml } | { ok: false; url: string; failure: FetchFailure; cause?: unknown };

/**
 * One GET through the guarded client, turned into either an HTML document or a classified
 * failure. Callers decide what a failure means: fatal for the home page, a skip for the others.
 */
export async function fetchHtml(http: OutboundHttpClient, url: string, options: FetchOptions): Promise<PageFetchResult> {
  let res;
  try {
    res = await http.request(url, {
      headers: {
        'user-agent': CRAWLER_USER_AGENT,
        accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1',
        'accept-language': 'en;q=1.0,*;q=0.5',
      },
      maxRedirects: options.maxRedirects,
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes,
      onOversize: 'error',
      signal: options.signal,
    });
  } catch (err) {
    // Canceled is not a property of the page: the crawl stops instead of skipping it.
    if (options.signal?.aborted) throw options.signal.reason;
    return { ok: false, url: failedUrl(err, url), failure: classifyError(err), cause: err };
  }
  const finalUrl = res.url;
  if (res.status < 200 || res.status >= 300) {
    return { ok: false, url: finalUrl, failure: { kind: 'http_error', status: res.status, message: `HTTP ${res.status}` } };
  }
  let body: Buffer;
  try {
    body = await decodeContentEncoding(res.body, headerValue(res.headers['content-encoding']), options.maxBytes);
  } catch (err) {
    if (isOutputTooLarge(err)) {
      return { ok: false, url: finalUrl, failure: { kind: 'too_large', message: `page larger than ${options.maxBytes} bytes once decompressed` } };
    }
    // A corrupt compressed body is a broken transfer, as transient as a dropped connection.
    return { ok: false, url: finalUrl, failure: { kind: 'unreachable', message: `undecodable response body: ${(err as Error).message}` }, cause: err };
  }
  const contentType = headerValue(res.headers['content-type']);
  const mediaType = contentType?.split(';')[0].trim().toLowerCase() ?? '';
  const isHtml = mediaType === 'text/html' || mediaType === 'application/xhtml+xml' || (mediaType === '' && sniffsAsHtml(body));
  if (!isHtml) {
    const shown = mediaType || 'unknown';
    return { ok: false, url: finalUrl, failure: { kind: 'not_html', status: res.status, contentType: shown, message: `content-type ${shown} is not HTML` } };
  }
  return { ok: true, page: { url: finalUrl, status: res.status, body, bytes: res.body.length, charset: charsetOf(contentType) } };
}

function classifyError(err: unknown): FetchFailure {
  if (err instanceof OutboundUrlRefused) return { kind: 'refused', refusal: err.reason, message: err.message };
  if (err instanceof OutboundRequestFailed) {
    switch (err.reason) {
      case 'timeout':
        return { kind: 'timeout', message: err.message };
      case 'response_too_large':
        return { kind: 'too_large', message: err.message };
      case 'too_many_redirects':
        return { kind: 'too_many_redirects', message: err.message };
      case 'connection_failed':
        return { kind: 'unreachable', message: err.message };
    }
  }
  return { kind: 'unreachable', message: err instanceof Error ? err.message : String(err) };
}

/** The hop that failed is more useful in a report than the URL we started from. */
function failedUrl(err: unknown, fallback: string): string {
  if ((err instanceof OutboundUrlRefused || err instanceof OutboundRequestFailed) && err.url) return err.url;
  return fallback;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function charsetOf(contentType: string | undefined): string | undefined {
  const match = contentType?.match(/charset\s*=\s*"?([\w.:-]+)"?/i);
  return match?.[1];
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotliDecompress = promisify(zlib.brotliDecompress);

/**
 * We never ask for compression, but some servers and CDNs compress regardless. Decoded on libuv's
 * thread pool: a few KB can inflate to megabytes, and the caller's event loop is serving requests.
 */
async function decodeContentEncoding(body: Buffer, encoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const limits = { maxOutputLength: maxBytes };
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return gunzip(body, limits);
    case 'deflate':
      return inflate(body, limits);
    case 'br':
      return brotliDecompress(body, limits);
    default:
      return body;
  }
}

function isOutputTooLarge(err: unknown): boolean {
  return err instanceof RangeError || (err as NodeJS.ErrnoException | undefined)?.code === 'ERR_BUFFER_TOO_LARGE';
}

function sniffsAsHtml(body: Buffer): boolean {
  const head = body.subarray(0, 1024).toString('latin1').trimStart().toLowerCase();
  return /^(<!doctype html|<html|<head|<body|<!--)/.test(head) || /<(html|head|body|title|div|p)\b/.test(head);
}
