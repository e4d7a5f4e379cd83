import { QueryFilter, Model } from 'mongoose';
import { z } from 'zod';
import { ApiError } from '../errors/errors';

/** Every list in the API pages the same way: newest first by ID, opaque cursor, limit 1-100. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Items per page, 1 to 100.'),
  cursor: z.string().min(1).max(512).optional().describe('next_cursor from the previous page.'),
});
export type PageQuery = z.infer<typeof pageQuerySchema>;

export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

interface CursorPayload {
  /** Which list issued the cursor, so one list's cursor is refused by another. */
  l: string;
  /** The last ID on the page; the next page starts strictly below it. */
  k: string;
}

export function encodeCursor(list: string, lastId: string): string {
  return Buffer.from(JSON.stringify({ l: list, k: lastId } satisfies CursorPayload)).toString('base64url');
}

export function decodeCursor(list: string, cursor: string): string {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    payload = undefined;
  }
  const p = payload as Partial<CursorPayload> | undefined;
  if (!p || typeof p.k !== 'string' || p.l !== list) {
    throw new ApiError('INVALID_CURSOR', 'The cursor is not valid for this list.', {
      details: [{ field: 'cursor', issue: 'invalid', message: 'use next_cursor exactly as returned by this list' }],
    });
  }
  return p.k;
}

/**
 * Pages a collection whose `_id` is a time-ordered public ID. Because the next page is
 * `_id < last`, rows inserted while a client pages never shift or repeat what it sees.
 */
export async function paginate<D extends { _id: string }, V>(
  model: Model<D>,
  list: string,
  filter: QueryFilter<D>,
  page: PageQuery,
  toView: (doc: D) => V,
): Promise<Page<V>> {
  const query: QueryFilter<D> = { ...filter };
  if (page.cursor) {
    const after = decodeCursor(list, page.cursor);
    // A filter may bound _id itself (a time range over time-ordered IDs): the cursor narrows it.
    const bound = ((query as Record<string, unknown>)._id ?? {}) as { $lt?: string };
    (query as Record<string, unknown>)._id = { ...bound, $lt: bound.$lt !== undefined && bound.$lt < after ? bound.$lt : after };
  }
  const docs = (await model.find(query).sort({ _id: -1 }).limit(page.limit + 1).lean()) as unknown as D[];
  const hasMore = docs.length > page.limit;
  const items = hasMore ? docs.slice(0, page.limit) : docs;
  return {
    data: items.map(toView),
    has_more: hasMore,
    next_cursor: hasMore ? encodeCursor(list, items[items.length - 1]._id) : null,
  };
}
