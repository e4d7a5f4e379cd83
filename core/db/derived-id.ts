import { createHash } from 'node:crypto';

/**
 * A stable document ID derived from a natural key. FerretDB 1.24 on SQLite answers `_id`
 * equality from its primary key but scans the whole collection for any other filter, so hot
 * lookups by a natural key (a dedupe token) are made `_id` lookups instead.
 */
export function derivedId(prefix: string, ...parts: string[]): string {
  return `${prefix}${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32)}`;
}
