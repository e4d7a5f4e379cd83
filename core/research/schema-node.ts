/**
 * schema.org data as one shape whether it came from JSON-LD or microdata, so the mapping to a
 * BusinessProfile is written once. Property and type names are bare ("Dentist", "telephone"),
 * whatever prefix or vocabulary URL the page used.
 */
export type SchemaValue = string | SchemaNode;

export interface SchemaNode {
  types: string[];
  id?: string;
  props: Record<string, SchemaValue[]>;
}

/** "https://schema.org/Dentist", "schema:Dentist", "http://schema.org/dayOfWeek" → the last segment. */
export function bareName(raw: string): string {
  return raw.trim().replace(/^.*[/#:]/, '');
}

export function isNode(value: SchemaValue): value is SchemaNode {
  return typeof value !== 'string';
}

export function values(node: SchemaNode, prop: string): SchemaValue[] {
  return node.props[prop] ?? [];
}

export function childNodes(node: SchemaNode, ...props: string[]): SchemaNode[] {
  return props.flatMap((p) => values(node, p).filter(isNode));
}

/** Longer than any answer or description worth reading; structured data has no other size limit. */
const MAX_TEXT_CHARS = 5_000;

/** Strings of a property; a nested node counts by its name (e.g. addressCountry: {"@type":"Country","name":"US"}). */
export function texts(node: SchemaNode, prop: string): string[] {
  return values(node, prop)
    .map((v) => (isNode(v) ? (texts(v, 'name')[0] ?? '') : v))
    .map((v) => v.slice(0, MAX_TEXT_CHARS).replace(/\s+/g, ' ').trim())
    .filter((v) => v.length > 0);
}

export function text(node: SchemaNode, prop: string): string | undefined {
  return texts(node, prop)[0];
}

/** Every node reachable from the roots, each once (references can make cycles). */
export function allNodes(roots: SchemaNode[]): SchemaNode[] {
  const seen = new Set<SchemaNode>();
  const visit = (node: SchemaNode) => {
    if (seen.has(node)) return;
    seen.add(node);
    for (const list of Object.values(node.props)) for (const v of list) if (isNode(v)) visit(v);
  };
  roots.forEach(visit);
  return [...seen];
}

/** Replaces `{"@id": "#x"}` stubs by the node that carries that id elsewhere on the page. */
export function resolveReferences(roots: SchemaNode[]): void {
  const nodes = allNodes(roots);
  const byId = new Map<string, SchemaNode>();
  for (const n of nodes) if (n.id && (n.types.length > 0 || Object.keys(n.props).length > 0) && !byId.has(n.id)) byId.set(n.id, n);
  for (const n of nodes) {
    for (const [prop, list] of Object.entries(n.props)) {
      n.props[prop] = list.map((v) => (isNode(v) && v.id && v.types.length === 0 && Object.keys(v.props).length === 0 ? (byId.get(v.id) ?? v) : v));
    }
  }
}
