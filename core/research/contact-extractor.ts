import { emailsIn } from './email-finder';
import type { FoundFacts } from './page-facts';
import { collapse, linesOf, textOf } from './page-outline';
import type { ParsedPage } from './parsed-page';
import type { PostalAddress } from './research-report';

/**
 * Telephone, e-mail and street address as a visitor sees them: tel:/mailto: links first (the site
 * made them clickable on purpose), then numbers and addresses written in the text.
 */

// North American numbers in their usual spellings, and international ones that start with "+".
const PHONE = /(?<![\d+\w])(?:(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]\d{4}|\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5})(?![\d\w])/g;
const PHONE_ONE = new RegExp(PHONE.source);
const NOT_AN_EMAIL = /\.(png|jpe?g|gif|webp|svg)$|@(sentry|wixpress|example\.invalid)/i;
const FAX_BEFORE = /\b(fax|facsimile)\b[^\d]{0,12}$/i;
/** "Fax:" must sit just before the number; looking further back would rescan the line per match. */
const FAX_WINDOW = 24;
/** Links of one kind read per page: a site states its number a few times, not thousands. */
const MAX_LINKS_PER_KIND = 50;
const MAX_ADDRESS_ELEMENTS = 20;
/** Emergency and after-hours lines are real numbers, but not the one to give as "the" number. */
const SECONDARY_LINE = /\b(emergenc\w*|after[- ]hours|24\/7|pager|text us|sms)\b/i;

const STREET_SUFFIX =
  'Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|Place|Pl|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Terrace|Ter|Trail|Trl|Square|Sq|Loop|Pike|Plaza|Row|Freeway|Fwy|Expressway|Broadway';
const US_ADDRESS = new RegExp(
  String.raw`(\d{1,6}[A-Za-z]?(?:\s+[NSEW]\.?)?(?:\s+[A-Za-z0-9.'’-]+){0,5}?\s+(?:${STREET_SUFFIX})\.?(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\.?)?(?:\s*,?\s*(?:Suite|Ste\.?|Unit|Apt\.?|#|Floor|Fl\.?|Building|Bldg\.?)\s*[\w-]+)?)` +
    String.raw`\s*,?\s+([A-Z][A-Za-z.'’-]*(?:\s+[A-Z][A-Za-z.'’-]*){0,3})\s*,\s*([A-Z]{2})\.?\s+(\d{5}(?:-\d{4})?)\b`,
);

export function extractContacts(page: ParsedPage, into: FoundFacts): void {
  const { $ } = page;
  const fact = <T>(value: T, method: 'link' | 'text', rank = 0) => ({ value, source_url: page.url, method, rank });
  // The contact page and the home page state the main number; a blog post may quote a supplier's.
  const pageRank = page.kind === 'contact' || page.kind === 'home' ? 0 : 1;

  $('a[href^="tel:" i]').slice(0, MAX_LINKS_PER_KIND).each((_, a) => {
    const href = decodeURIComponent(($(a).attr('href') ?? '').replace(/^tel:/i, '')).trim();
    const shown = collapse(textOf(a));
    const value = PHONE_ONE.exec(shown)?.[0] ?? href;
    const context = collapse(textOf($(a).parent().get(0) ?? a));
    if (digits(value).length >= 7) into.telephone.push(fact(value, 'link', pageRank + (SECONDARY_LINE.test(context) ? 5 : 0)));
  });
  $('a[href^="mailto:" i]').slice(0, MAX_LINKS_PER_KIND).each((_, a) => {
    const address = decodeURIComponent(($(a).attr('href') ?? '').replace(/^mailto:/i, '').split('?')[0]).trim();
    if (/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(address)) into.email.push(fact(address, 'link', pageRank));
  });

  for (const block of page.outline) {
    if (block.landmark === 'nav') continue;
    for (const line of block.lines) {
      const secondary = SECONDARY_LINE.test(line) ? 5 : 0;
      for (const match of line.matchAll(PHONE)) {
        if (FAX_BEFORE.test(line.slice(Math.max(0, match.index - FAX_WINDOW), match.index))) continue;
        if (digits(match[0]).length >= 10) into.telephone.push(fact(match[0].trim(), 'text', pageRank + secondary));
      }
      for (const address of emailsIn(line)) if (!NOT_AN_EMAIL.test(address)) into.email.push(fact(address, 'text', pageRank));
    }
  }

  for (const address of findAddresses(page)) into.address.push(fact(address, 'text', pageRank));
}

function digits(value: string): string {
  return value.replace(/\D/g, '');
}

/** <address> elements first (the site marked them as such), then address-shaped text anywhere. */
function findAddresses(page: ParsedPage): PostalAddress[] {
  const found: PostalAddress[] = [];
  const { $ } = page;
  $('address').slice(0, MAX_ADDRESS_ELEMENTS).each((_, el) => {
    const lines = linesOf(el).filter((l) => !/@|^(tel|phone|fax|call|e-?mail)\b/i.test(l) && !PHONE_ONE.test(l));
    const parsed = matchUsAddress(lines.join(', '));
    if (parsed) found.push(parsed);
    else if (lines.length > 0 && /\d/.test(lines.join(' ')) && lines.join(' ').length <= 160) found.push({ formatted: lines.slice(0, 3).join(', ') });
  });
  const blocks = page.outline.filter((b) => b.landmark !== 'nav');
  blocks.forEach((block, i) => {
    // Street and city are often separate lines or even separate elements.
    const texts = [block.lines.join(', '), i + 1 < blocks.length ? `${block.lines.join(', ')}, ${blocks[i + 1].lines.join(', ')}` : ''];
    for (const t of texts) {
      const parsed = matchUsAddress(t);
      if (parsed) {
        found.push(parsed);
        break;
      }
    }
  });
  return found;
}

function matchUsAddress(text: string): PostalAddress | undefined {
  const m = US_ADDRESS.exec(text);
  if (!m) return undefined;
  const street = m[1].replace(/\s*,\s*/g, ', ').replace(/\s+/g, ' ').trim();
  const city = m[2].trim();
  return { street, city, region: m[3], postal_code: m[4], formatted: `${street}, ${city}, ${m[3]} ${m[4]}` };
}
