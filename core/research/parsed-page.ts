import { loadBuffer, type CheerioAPI } from 'cheerio';
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
  /** The page had more text than is read per page (MAX_PAGE_TEXT_CHARS). */
  truncated: boolean;
}

/** A title longer than this is not a title; the rest would only feed the name heuristics. */
const MAX_TITLE_CHARS = 300;

export function parsePage(input: { url: string; kind: PageKind; status: number; bytes: number; body: Buffer; charset?: string }): ParsedPage {
  // loadBuffer sniffs BOMs and <meta charset>, with the HTTP charset taking precedence as in browsers.
  const $ = loadBuffer(input.body, { encoding: { transportLayerEncodingLabel: input.charset } });
  const title = collapse(($('head > title').first().text() || $('title').first().text()).slice(0, MAX_TITLE_CHARS * 4)).slice(0, MAX_TITLE_CHARS);
  const { blocks, truncated } = buildOutline($);
  return { url: input.url, kind: input.kind, status: input.status, bytes: input.bytes, title: title || null, $, outline: blocks, truncated };
}
