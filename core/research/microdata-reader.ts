import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import { isElement, textOf } from './page-outline';
import { bareName, type SchemaNode, type SchemaValue } from './schema-node';

/**
 * HTML microdata (itemscope / itemtype / itemprop) as SchemaNodes, following the WHATWG rules for
 * which element value an itemprop takes. Top-level items are those not themselves a property.
 */
export function readMicrodata($: CheerioAPI, pageUrl: string): SchemaNode[] {
  const roots: SchemaNode[] = [];
  $('[itemscope]').each((_, el) => {
    if (el.attribs.itemprop === undefined) roots.push(readItem(el, pageUrl));
  });
  return roots;
}

function readItem(scope: Element, pageUrl: string): SchemaNode {
  const node: SchemaNode = {
    types: (scope.attribs.itemtype ?? '').split(/\s+/).filter(Boolean).map(bareName),
    props: {},
  };
  if (scope.attribs.itemid) node.id = scope.attribs.itemid;
  const collect = (el: Element) => {
    for (const child of el.children) {
      if (!isElement(child)) continue;
      const names = (child.attribs.itemprop ?? '').split(/\s+/).filter(Boolean).map(bareName);
      if (names.length > 0) {
        const value: SchemaValue = child.attribs.itemscope !== undefined ? readItem(child, pageUrl) : propertyValue(child, pageUrl);
        for (const name of names) (node.props[name] ??= []).push(value);
      }
      // A nested item owns the properties inside it.
      if (child.attribs.itemscope === undefined) collect(child);
    }
  };
  collect(scope);
  return node;
}

function propertyValue(el: Element, pageUrl: string): string {
  const name = el.name.toLowerCase();
  const attr = (a: string) => el.attribs[a] ?? '';
  switch (name) {
    case 'meta':
      return attr('content');
    case 'a':
    case 'area':
    case 'link': {
      const href = attr('href');
      // The visible "(512) 555-0142" is what a caller should hear, not "tel:+15125550142".
      if (/^(tel|mailto):/i.test(href)) return textOf(el) || href.replace(/^(tel|mailto):/i, '');
      return absolute(href, pageUrl);
    }
    case 'img':
    case 'audio':
    case 'video':
    case 'source':
    case 'embed':
    case 'iframe':
    case 'track':
      return absolute(attr('src'), pageUrl);
    case 'object':
      return absolute(attr('data'), pageUrl);
    case 'data':
    case 'meter':
      return attr('value');
    case 'time':
      return attr('datetime') || textOf(el);
    default:
      return attr('content') || textOf(el);
  }
}

function absolute(href: string, base: string): string {
  try {
    return new URL(href, base).href;
  } catch {
    return href;
  }
}
