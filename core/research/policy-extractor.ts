import type { FoundFacts } from './page-facts';
import type { ParsedPage } from './parsed-page';

/**
 * Business rules a caller asks about (cancellations, deposits, payment, insurance, warranties,
 * privacy of their information), as short text snippets. Anywhere on the site a paragraph must
 * say something policy-like; on a policies page or under a policy heading, any paragraph counts.
 */
const POLICY_TEXT =
  /\b(cancel(?:l?ation|l?ed|s)?|no[- ]shows?|late (?:arrivals?|fees?)|deposits?|refunds?|returns? policy|we accept|accepted (?:payment|insurance)|accept (?:all major|cash|credit|most|insurance|care ?credit)|payment (?:is )?due|payment plans?|financing|insurance|in-network|out-of-network|warrant(?:y|ies)|guarantee[ds]?|(?:24|48)[- ]hours?(?:['’]s?)? notice|privacy|hipaa|confidential)\b/i;
const POLICY_HEADING = /\b(polic(?:y|ies)|cancellation|payment|billing|insurance|financing|warranty|guarantee|terms|new patients?|what to expect|before your visit)\b/i;
const BOILERPLATE = /\b(cookies?|this website|our website|all rights reserved|copyright|disclaimer|attorney advertising|prior results)\b|©/i;
const MAX_SNIPPET = 320;
const MAX_PER_PAGE = 8;

export function extractPolicies(page: ParsedPage, into: FoundFacts): void {
  let count = 0;
  for (const block of page.outline) {
    if (count >= MAX_PER_PAGE) break;
    if (block.landmark === 'nav' || block.within.form || !['p', 'li', 'dd', 'div', 'td', 'blockquote'].includes(block.tag)) continue;
    const text = block.text;
    if (text.length < 25 || BOILERPLATE.test(text)) continue;
    // Site chrome (the header's phone line, the footer's address) sits on every page, policies pages included.
    const inContent = block.landmark === 'main' || block.landmark === 'none';
    const underPolicyHeading = inContent && (page.kind === 'policies' || block.headings.some((h) => POLICY_HEADING.test(h.text)));
    if (!POLICY_TEXT.test(text) && !(underPolicyHeading && text.length >= 40)) continue;
    into.policies.push({ value: snippet(text), source_url: page.url, method: block.tag === 'li' || block.tag === 'dd' ? 'list' : 'text' });
    count++;
  }
}

function snippet(text: string): string {
  if (text.length <= MAX_SNIPPET) return text;
  const cut = text.slice(0, MAX_SNIPPET);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('! '));
  return end > 80 ? cut.slice(0, end + 1) : `${cut.trimEnd()}…`;
}
