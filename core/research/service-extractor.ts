import type { FoundFacts } from './page-facts';
import { headingLevel, type OutlineBlock } from './page-outline';
import type { ParsedPage } from './parsed-page';

/**
 * What the business offers: list items under a "Services" / "What we do" / "Treatments" /
 * "Practice areas" / "Menu" heading anywhere, and on a services or menu page, the list items and
 * sub-headings of the main content. Section headings that are about something else (reviews,
 * service areas, financing, calls to action) are excluded even on a services page.
 */
const SERVICE_HEADING =
  /\b(services|our services|what we do|what we offer|we offer|treatments?|procedures|practice areas?|areas of practice|specialt(?:y|ies)|specialities|menu|offerings|repairs|we (?:repair|fix|service|handle)|capabilities)\b/i;
const OTHER_HEADING =
  /\b(why|benefits?|reviews?|testimonials?|service areas?|areas? (?:we )?serve|cities|neighbou?rhoods|locations?|contact|hours|faqs?|questions|team|staff|about|blog|news|financ\w*|coupons?|specials?|insurance|payment|polic\w*|quick links|links|resources|follow|social|get in touch|call|book|schedule|appointment|since|serving|years|family[- ]owned|trusted|welcome|newsletter|subscribe|careers|jobs|directions|map)\b/i;
const NOT_A_SERVICE = /^(learn more|read more|view (?:all|more)|see (?:all|more)|more|details|contact us|call (?:us|now|today)|book (?:now|online)|get started|home)$/i;
const PRICE_TAIL = /\s*(?:[-–—:|·]\s*)?(?:from\s+)?[$£€]\s?\d[\d,.]*(?:\s*[-–]\s*[$£€]?\s?\d[\d,.]*)?\+?.*$/i;

export function extractServices(page: ParsedPage, into: FoundFacts): void {
  const servicePage = page.kind === 'services' || page.kind === 'menu';
  const push = (value: string, method: 'list' | 'heading') => into.services.push({ value, source_url: page.url, method });
  let count = 0;
  for (const block of page.outline) {
    if (count >= 60) break;
    if (block.landmark === 'nav' || block.landmark === 'header' || block.within.form) continue;
    const section = block.headings[block.headings.length - 1];
    const underServiceHeading = block.headings.some((h) => SERVICE_HEADING.test(h.text) && !OTHER_HEADING.test(h.text));
    const inRelevantSection = section ? !OTHER_HEADING.test(section.text) : true;
    const level = headingLevel(block.tag);

    if (block.tag === 'li') {
      if (!inRelevantSection) continue;
      if (!underServiceHeading && !(servicePage && (block.landmark === 'main' || block.landmark === 'none'))) continue;
      const name = serviceName(block);
      if (name) {
        push(name, 'list');
        count++;
      }
      continue;
    }

    // Sub-headings name services on a services page (cards: "AC Repair" + a paragraph); on a menu
    // page they name courses ("Antipasti"), which are not things a caller orders.
    if (level !== null && level >= 2 && page.kind !== 'menu') {
      const parent = block.headings[block.headings.length - 1];
      const parentIsServices = parent !== undefined && SERVICE_HEADING.test(parent.text) && !OTHER_HEADING.test(parent.text);
      if (!(servicePage && (block.landmark === 'main' || block.landmark === 'none') && (parent === undefined || !OTHER_HEADING.test(parent.text))) && !parentIsServices) continue;
      if (SERVICE_HEADING.test(block.text) || OTHER_HEADING.test(block.text) || /[?!]$/.test(block.text)) continue;
      const name = clean(block.text);
      if (name) {
        push(name, 'heading');
        count++;
      }
    }
  }
}

/** "Teeth Whitening – brighter in one visit" → "Teeth Whitening"; "Margherita  $14" → "Margherita". */
function serviceName(block: OutlineBlock): string | undefined {
  const first = block.lines[0] ?? '';
  const head = first.split(/\s+[–—-]\s+|:\s+/)[0];
  return clean(head.length >= 2 ? head : first);
}

/** Service names are short; what is past this is a description, and `[\s:–—-]+$` must not see a long run of it. */
const MAX_RAW_NAME = 200;

function clean(raw: string): string | undefined {
  if (raw.length > MAX_RAW_NAME) return undefined;
  const value = raw.replace(PRICE_TAIL, '').replace(/[\s:–—-]+$/, '').trim();
  if (value.length < 2 || value.length > 80) return undefined;
  if (value.split(/\s+/).length > 9 || NOT_A_SERVICE.test(value)) return undefined;
  // Sentences are descriptions or selling points, not service names.
  if (/[.!?]$/.test(value) && value.split(/\s+/).length > 4) return undefined;
  return value;
}
