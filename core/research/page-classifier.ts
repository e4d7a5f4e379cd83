import type { PageKind } from './research-report';

/**
 * Decides what a linked page is probably about from its link text and URL, and how much it is
 * worth one of the few fetches we allow ourselves. The priorities encode what a phone agent
 * needs most: when the business is open and how to reach it, then what it sells and answers.
 */
interface KindRule {
  kind: Exclude<PageKind, 'home' | 'other'>;
  priority: number;
  text: RegExp;
  path: RegExp;
}

const RULES: KindRule[] = [
  // What callers ask first after "are you open": can you come to me, and can you come now.
  {
    kind: 'service_area',
    priority: 9,
    text: /\b(service[- ]areas?|areas? (?:we )?serve[ds]?|cities (?:we )?serve[ds]?|communities (?:we )?serve[ds]?|where we (?:work|serve)|locations (?:we )?serve[ds]?|coverage area)\b/i,
    path: /service-areas?|areas-(?:we-)?serve|cities-(?:we-)?serve|communities|coverage/i,
  },
  {
    kind: 'emergency',
    // Ties with "hours" ("After-Hours Care") and, listed first, wins them.
    priority: 10,
    text: /\b(emergenc(?:y|ies)|after[- ]hours|urgent care|24\/7|out of hours)\b/i,
    path: /emergenc|after-hours|urgent|24-7/i,
  },
  { kind: 'hours', priority: 10, text: /\b(hours|opening times|when we'?re open)\b/i, path: /hours|opening-times/i },
  {
    kind: 'contact',
    priority: 9,
    text: /\b(contact|get in touch|reach us|locations?|directions|find us|visit us|plan your visit|getting here)\b/i,
    path: /contact|locations?\b|directions|find-us|visit(?:-us)?\b|getting-here/i,
  },
  {
    kind: 'services',
    priority: 9,
    text: /\b(services?|what we do|what we offer|treatments?|procedures|practice areas?|areas of practice|specialt(?:y|ies)|repairs?|offerings)\b/i,
    path: /services?|treatments?|procedures|practice-areas?|what-we-do|specialt|repairs?/i,
  },
  { kind: 'faq', priority: 8, text: /\b(faqs?|frequently asked|questions|q\s*&\s*a)\b/i, path: /faqs?\b|questions/i },
  { kind: 'menu', priority: 8, text: /\b(menus?|food|drinks|wine list|dinner|lunch|brunch)\b/i, path: /menus?\b|food|drinks/i },
  { kind: 'pricing', priority: 7, text: /\b(pricing|prices|rates|fees|costs?|specials|coupons|financing)\b/i, path: /pric|rates|fees|specials|coupons|financing/i },
  {
    kind: 'policies',
    priority: 6,
    text: /\b(polic(?:y|ies)|cancellations?|insurance|payments?|billing|new (?:patients?|clients?)|patient info(?:rmation)?|warranty|guarantee|referrals?|parking|what to expect|before your visit|first visit)\b/i,
    path: /polic|cancellation|insurance|payment|billing|new-(?:patients?|clients?)|patient-info|warranty|guarantee|referral|parking|first-visit/i,
  },
  { kind: 'about', priority: 6, text: /\b(about|our story|who we are|our practice|our clinic|history|mission)\b/i, path: /about|our-story|who-we-are|history/i },
  {
    kind: 'team',
    priority: 5,
    text: /\b(team|staff|our people|meet|doctors?|dentists?|providers?|attorneys?|lawyers?|stylists?|veterinarians?|vets|agents|technicians|physicians)\b/i,
    path: /team|staff|people|doctors|dentists|providers|attorneys|lawyers|stylists|veterinarians|vets|agents/i,
  },
  {
    kind: 'booking',
    priority: 4,
    text: /\b(book|booking|schedule|reserve|reservations?|appointments?)\b/i,
    path: /book|schedul|reserv|appointment/i,
  },
];

/** Website legalese (cookie banners, terms of use) rarely tells a caller anything about the business. */
const LEGALESE = /\b(privacy|cookies?|terms (?:of|and) (?:use|service|conditions)|accessibility|sitemap|gdpr|ccpa)\b/i;
const LEGALESE_PATH = /privacy|cookie|terms|accessibility|sitemap|legal/i;

export interface LinkClassification {
  kind: PageKind;
  /** Higher is fetched first; 0 means not worth a fetch. */
  score: number;
}

/** "Schedule Service", "Book an Appointment": the verb says what the page is for, whatever follows it. */
const BOOKING_CALL_TO_ACTION = /^(book|schedule|reserve|request)\b/i;

export function classifyLink(text: string, url: URL): LinkClassification {
  const label = text.replace(/\s+/g, ' ').trim();
  const path = decodeURIComponent(url.pathname);
  if (LEGALESE.test(label) || LEGALESE_PATH.test(path)) return { kind: 'policies', score: 1 };
  if (BOOKING_CALL_TO_ACTION.test(label)) return { kind: 'booking', score: 6 - depthPenalty(path) };
  let best: LinkClassification = { kind: 'other', score: 0 };
  for (const rule of RULES) {
    const byText = rule.text.test(label);
    const byPath = rule.path.test(path);
    if (!byText && !byPath) continue;
    // Link text is the site owner's own description of the page; the URL slug is often a CMS default.
    const score = rule.priority + (byText ? 2 : 0) + (byPath ? 1 : 0) - depthPenalty(path);
    if (score > best.score) best = { kind: rule.kind, score };
  }
  return best;
}

/** Deep pages (a single service's detail, a blog post) say less about the business as a whole. */
function depthPenalty(path: string): number {
  const segments = path.split('/').filter(Boolean).length;
  return Math.max(0, segments - 1);
}
