import type { CheerioAPI } from 'cheerio';
import { bareName, resolveReferences, type SchemaNode, type SchemaValue } from './schema-node';

/**
 * Every JSON-LD block of a page as SchemaNodes: single objects, arrays, `@graph` containers and
 * `@id` references across blocks. Hand-written JSON-LD is often slightly invalid, so a block that
 * fails to parse gets one forgiving retry before it is reported through `onInvalid`.
 */
export function readJsonLd($: CheerioAPI, onInvalid: (message: string) => void): SchemaNode[] {
  const roots: SchemaNode[] = [];
  $('script').each((_, el) => {
    const type = ($(el).attr('type') ?? '').toLowerCase().split(';')[0].trim();
    if (type !== 'application/ld+json') return;
    const raw = el.children.map((c) => ('data' in c ? String(c.data) : '')).join('');
    const parsed = parseLenient(raw);
    if (parsed === undefined) {
      onInvalid('a JSON-LD block could not be parsed and was ignored');
      return;
    }
    roots.push(...toValues(parsed).filter((v): v is SchemaNode => typeof v !== 'string'));
  });
  resolveReferences(roots);
  return roots;
}

function parseLenient(raw: string): unknown {
  const stripped = raw
    .replace(/^\s*(?:\/\/\s*)?<!\[CDATA\[/, '')
    .replace(/(?:\/\/\s*)?\]\]>\s*$/, '')
    .replace(/^\s*<!--/, '')
    .replace(/-->\s*$/, '')
    .trim();
  if (!stripped) return undefined;
  for (const attempt of [
    stripped,
    // Raw newlines inside strings and trailing commas are the usual hand-editing mistakes.
    stripped.replace(/[\u0000-\u001f]+/g, ' ').replace(/,\s*([}\]])/g, '$1'),
  ]) {
    try {
      return JSON.parse(attempt);
    } catch {
      // next attempt
    }
  }
  return undefined;
}

/** schema.org data worth reading nests a handful of levels; deeper is a trap for the recursion below. */
const MAX_DEPTH = 24;

function toValues(value: unknown, depth = 0): SchemaValue[] {
  if (value === null || value === undefined || depth > MAX_DEPTH) return [];
  if (Array.isArray(value)) return value.flatMap((v) => toValues(v, depth + 1));
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (typeof value !== 'object') return [];
  const obj = value as Record<string, unknown>;
  if ('@value' in obj) return toValues(obj['@value'], depth + 1);
  if ('@graph' in obj && !('@type' in obj)) return toValues(obj['@graph'], depth + 1);
  if ('@list' in obj) return toValues(obj['@list'], depth + 1);
  const node: SchemaNode = { types: [], props: {} };
  for (const [key, v] of Object.entries(obj)) {
    if (key === '@type') node.types = toValues(v, depth + 1).filter((t): t is string => typeof t === 'string').map(bareName);
    else if (key === '@id' && typeof v === 'string') node.id = v;
    else if (!key.startsWith('@')) {
      const list = toValues(v, depth + 1);
      if (list.length > 0) node.props[bareName(key)] = [...(node.props[bareName(key)] ?? []), ...list];
    }
  }
  return [node];
}
