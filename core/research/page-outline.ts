import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';

/**
 * The visible text of a page as a flat sequence of blocks in reading order, each knowing the
 * headings it sits under and which landmark (nav, footer…) holds it. Most extractors reason in
 * these terms ("list items under a Services heading", "a question followed by paragraphs"), and
 * computing it once keeps them from each re-walking the DOM with slightly different rules.
 */
export type Landmark = 'header' | 'nav' | 'main' | 'aside' | 'footer' | 'none';

export interface HeadingRef {
  level: number;
  text: string;
}

export interface Containers {
  table: boolean;
  list: boolean;
  dl: boolean;
  details: boolean;
  form: boolean;
}

export interface OutlineBlock {
  index: number;
  /** The element that owns the text: `p`, `li`, `h3`, `tr`, `dd`, or the `div` holding a loose run of text. */
  tag: string;
  el: Element;
  /** Whitespace-collapsed, one line. */
  text: string;
  /** As laid out: `<br>` and nested blocks start new lines. */
  lines: string[];
  /** Enclosing headings, outermost first; for a heading block, the headings above it. */
  headings: HeadingRef[];
  landmark: Landmark;
  within: Containers;
}

const SKIP_TAGS = new Set(['script', 'style', 'noscript', 'template', 'svg', 'iframe', 'object', 'embed', 'canvas', 'select', 'head', 'link', 'meta', 'input', 'textarea']);
const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'dd', 'details', 'dialog', 'div', 'dl', 'dt', 'fieldset', 'figcaption',
  'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'hr', 'html', 'li', 'main', 'nav', 'ol', 'p', 'pre',
  'section', 'summary', 'table', 'tbody', 'thead', 'tfoot', 'tr', 'ul', 'menu',
]);
/** Blocks whose whole text is one unit even if the markup nests further blocks inside. */
const LEAF_TAGS = new Set(['p', 'summary', 'figcaption', 'address', 'caption', 'pre', 'blockquote', 'tr']);
const CELL_TAGS = new Set(['td', 'th']);
const LANDMARK_TAGS: Record<string, Landmark> = { header: 'header', nav: 'nav', main: 'main', aside: 'aside', footer: 'footer' };
const LANDMARK_ROLES: Record<string, Landmark> = { banner: 'header', navigation: 'nav', main: 'main', complementary: 'aside', contentinfo: 'footer' };

export function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

export function headingLevel(tag: string): number | null {
  const match = /^h([1-6])$/.exec(tag);
  return match ? Number(match[1]) : null;
}

export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * No real line of a business page is longer than this; a longer one is filler or an attack on
 * the extractors, and everything after this point of it is dropped before any pattern sees it.
 */
export const MAX_LINE_CHARS = 2_000;
/** Visible text read per page. Home pages of small businesses hold a few thousand characters. */
export const MAX_PAGE_TEXT_CHARS = 200_000;

/** Visible text of nodes, split into lines the way a browser would break them. */
export function linesOf(nodes: AnyNode | AnyNode[]): string[] {
  const parts: string[] = [];
  const visit = (node: AnyNode): void => {
    if (node.type === 'text') {
      parts.push((node as unknown as { data: string }).data);
      return;
    }
    if (!isElement(node)) return;
    const name = node.name.toLowerCase();
    if (SKIP_TAGS.has(name)) return;
    if (name === 'br' || name === 'hr') {
      parts.push('\n');
      return;
    }
    const block = BLOCK_TAGS.has(name);
    if (block) parts.push('\n');
    if (CELL_TAGS.has(name)) parts.push(' ');
    for (const child of node.children) visit(child);
    if (CELL_TAGS.has(name)) parts.push(' ');
    if (block) parts.push('\n');
  };
  for (const node of Array.isArray(nodes) ? nodes : [nodes]) visit(node);
  return parts
    .join('')
    .split('\n')
    .map((line) => collapse(line).slice(0, MAX_LINE_CHARS))
    .filter((line) => line.length > 0);
}

export function textOf(nodes: AnyNode | AnyNode[]): string {
  return linesOf(nodes).join(' ');
}

export interface Outline {
  blocks: OutlineBlock[];
  /** True when the page's text went past MAX_PAGE_TEXT_CHARS and the rest was not read. */
  truncated: boolean;
}

export function buildOutline($: CheerioAPI): Outline {
  const blocks: OutlineBlock[] = [];
  let textChars = 0;
  let truncated = false;
  const stack: HeadingRef[] = [];
  const blockDescendantMemo = new WeakMap<Element, boolean>();

  const hasBlockDescendant = (el: Element): boolean => {
    const known = blockDescendantMemo.get(el);
    if (known !== undefined) return known;
    let found = false;
    for (const child of el.children) {
      if (!isElement(child)) continue;
      const name = child.name.toLowerCase();
      if (SKIP_TAGS.has(name)) continue;
      if ((BLOCK_TAGS.has(name) && name !== 'br') || hasBlockDescendant(child)) {
        found = true;
        break;
      }
    }
    blockDescendantMemo.set(el, found);
    return found;
  };

  const isInline = (node: AnyNode): boolean => {
    if (node.type === 'text') return true;
    if (!isElement(node)) return false;
    const name = node.name.toLowerCase();
    if (SKIP_TAGS.has(name)) return false;
    return !BLOCK_TAGS.has(name) && !hasBlockDescendant(node);
  };

  const emit = (tag: string, el: Element, nodes: AnyNode[], ctx: Context, headings: HeadingRef[]): string[] => {
    if (truncated) return [];
    const lines = linesOf(nodes);
    if (lines.length === 0) return lines;
    textChars += lines.reduce((n, l) => n + l.length, 0);
    if (textChars > MAX_PAGE_TEXT_CHARS) {
      truncated = true;
      return [];
    }
    blocks.push({ index: blocks.length, tag, el, text: lines.join(' '), lines, headings, landmark: ctx.landmark, within: ctx.within });
    return lines;
  };

  const walkChildren = (el: Element, ctx: Context): void => {
    let run: AnyNode[] = [];
    const flush = () => {
      if (run.length > 0) emit(el.name.toLowerCase(), el, run, ctx, [...stack]);
      run = [];
    };
    for (const child of el.children) {
      if (isInline(child)) {
        run.push(child);
        continue;
      }
      flush();
      if (isElement(child)) visit(child, ctx);
    }
    flush();
  };

  const visit = (el: Element, parent: Context): void => {
    const name = el.name.toLowerCase();
    if (SKIP_TAGS.has(name)) return;
    const ctx = childContext(el, name, parent);
    const level = headingLevel(name);
    if (level !== null) {
      while (stack.length > 0 && stack[stack.length - 1].level >= level) stack.pop();
      const lines = emit(name, el, [el], ctx, [...stack]);
      if (lines.length > 0) stack.push({ level, text: lines.join(' ') });
      return;
    }
    if (LEAF_TAGS.has(name)) {
      emit(name, el, [el], ctx, [...stack]);
      return;
    }
    if (ctx.landmark !== parent.landmark && ctx.landmark !== 'main') {
      // A footer or sidebar is not part of the section whose heading happens to precede it:
      // its blocks start with no headings, and the main content's resume afterwards.
      const saved = stack.splice(0, stack.length);
      walkChildren(el, ctx);
      stack.splice(0, stack.length, ...saved);
      return;
    }
    walkChildren(el, ctx);
  };

  const root = $('body').get(0) ?? $.root().children().get(0);
  if (root && isElement(root)) visit(root, { landmark: 'none', within: { table: false, list: false, dl: false, details: false, form: false } });
  return { blocks, truncated };
}

interface Context {
  landmark: Landmark;
  within: Containers;
}

function childContext(el: Element, name: string, parent: Context): Context {
  const role = (el.attribs.role ?? '').toLowerCase();
  const landmark = LANDMARK_TAGS[name] ?? LANDMARK_ROLES[role] ?? parent.landmark;
  const w = parent.within;
  const within: Containers = {
    table: w.table || name === 'table',
    list: w.list || name === 'ul' || name === 'ol' || name === 'li' || name === 'menu',
    dl: w.dl || name === 'dl',
    details: w.details || name === 'details',
    form: w.form || name === 'form',
  };
  return { landmark, within };
}
