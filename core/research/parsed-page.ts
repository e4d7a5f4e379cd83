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
}

export function parsePage(input: { url: string; kind: PageKind; status: number; bytes: number; body: Buffer; charset?: string }): ParsedPage {
  // loadBuffer sniffs BOMs and <meta charset>, with the HTTP charset taking precedence as in browsers.
  const $ = loadBuffer(input.body, { encoding: { transportLayerEncodingLabel: input.charset } });
  const title = collapse($('head > title').first().text() || $('title').first().text());
  return { url: input.url, kind: input.kind, status: input.status, bytes: input.bytes, title: title || null, $, outline: buildOutline($) };
}
