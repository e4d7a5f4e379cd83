import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { ApiError } from '../../core/errors/errors';

export type BodyMediaType = 'json' | 'form';

export interface ParsedBody {
  raw: Buffer;
  value: unknown;
  mediaType: BodyMediaType | null;
}

/**
 * Reads and parses the request body with a size cap and a strict Content-Type check, turning
 * every failure into a structured error (never a stack trace).
 */
export async function readBody(ctx: Context, accepts: BodyMediaType[], maxBytes: number): Promise<ParsedBody> {
  const declared = Number(ctx.get('Content-Length') || '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);
  let raw: Buffer;
  try {
    raw = await getRawBody(ctx.req, { limit: maxBytes, length: ctx.get('Content-Length') || undefined });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') throw tooLarge(maxBytes);
    throw new ApiError('VALIDATION_ERROR', 'The request body could not be read.', {
      details: [{ field: 'body', issue: 'unreadable', message: (err as Error).message }],
    });
  }
  if (raw.length === 0) return { raw, value: undefined, mediaType: null };

  const mediaType = ctx.is('application/json', 'application/*+json') ? 'json' : ctx.is('application/x-www-form-urlencoded') ? 'form' : null;
  if (!mediaType || !accepts.includes(mediaType)) {
    const wanted = accepts.map((a) => (a === 'json' ? 'application/json' : 'application/x-www-form-urlencoded')).join(' or ');
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `Send the body as ${wanted}.`, {
      details: [{ field: 'Content-Type', issue: 'unsupported', message: `got ${ctx.get('Content-Type') || 'no Content-Type'}, expected ${wanted}` }],
    });
  }
  if (mediaType === 'form') {
    return { raw, value: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))), mediaType };
  }
  const text = raw.toString('utf8');
  // Before parsing: everything downstream (validation, fingerprints, BSON) walks values recursively.
  if (nestingDepth(text) > MAX_JSON_DEPTH) {
    throw new ApiError('VALIDATION_ERROR', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`, {
      details: [{ field: 'body', issue: 'too_deep', message: `objects and arrays may nest at most ${MAX_JSON_DEPTH} levels`, max_depth: MAX_JSON_DEPTH }],
    });
  }
  try {
    return { raw, value: JSON.parse(text), mediaType };
  } catch (err) {
    throw new ApiError('INVALID_JSON', 'The request body is not valid JSON.', {
      details: [{ field: 'body', issue: 'invalid_json', message: (err as Error).message }],
    });
  }
}

/** Far beyond any real request of this API (its deepest schema is a few levels), far below a stack overflow. */
export const MAX_JSON_DEPTH = 32;

/** The deepest object/array nesting in JSON text, in one pass without recursion (brackets inside strings do not count). */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError('PAYLOAD_TOO_LARGE', `The request body exceeds ${maxBytes} bytes.`, {
    details: [{ field: 'body', issue: 'too_large', message: `at most ${maxBytes} bytes`, max_bytes: maxBytes }],
  });
}
