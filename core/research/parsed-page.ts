import { loadBuffer, type CheerioAPI } from 'cheerio';
import type { AnyNode } from 'domhandler';
import { buildOutline, collapse, type OutlineBlock } from './page-outline';
import type { PageKind } from './research-report';

/** A fetched HTML page, parsed once and shared by every extractor. */
export interface ParsedPage {
  url: string;
  kind: PageKind;
  status: number;
  bytes: number;
  title: string | null;
  $: CheerioAPI;
  outline: OutlineBlock[];
  /** The page had more text than is read per page (MAX_PAGE_TEXT_CHARS), or nesting deeper than is read. */
  truncated: boolean;
}

/**
 * Real pages nest a few dozen elements deep. Every walker over the DOM (ours, cheerio's text())
 * recurses, so markup nested thousands deep would overflow the stack; below this depth it is cut.
 */
const MAX_DOM_DEPTH = 256;

/** A title longer than this is not a title; the rest would only feed the name heuristics. */
const MAX_TITLE_CHARS = 300;

export function parsePage(input: { url: string; kind: PageKind; status: number; bytes: number; body: Buffer; charset?: string }): ParsedPage {
  // loadBuffer sniffs BOMs and <meta charset>, with the HTTP charset taking precedence as in browsers.
  const $ = loadBuffer(input.body, { encoding: { transportLayerEncodingLabel: input.charset } });
  const pruned = pruneDeepNesting($.root().get(0) as AnyNode);
  const title = collapse(($('head > title').first().text() || $('title').first().text()).slice(0, MAX_TITLE_CHARS * 4)).slice(0, MAX_TITLE_CHARS);
  const { blocks, truncated } = buildOutline($);
  return { url: input.url, kind: input.kind, status: input.status, bytes: input.bytes, title: title || null, $, outline: blocks, truncated: truncated || pruned };
}

/** Drops whatever sits deeper than MAX_DOM_DEPTH, without recursing itself. True if anything was dropped. */
function pruneDeepNesting(root: AnyNode): boolean {
  let pruned = false;
  const stack: [AnyNode, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [AnyNode, number];
    if (!('children' in node) || node.children.length === 0) continue;
    if (depth >= MAX_DOM_DEPTH) {
      node.children = [];
      pruned = true;
      continue;
    }
    for (const child of node.children) stack.push([child, depth + 1]);
  }
  return pruned;
}
