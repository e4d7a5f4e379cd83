import type { Template } from '../templates/template';
import type { GeneratedDocument } from './agent-generator';
import type { BusinessFacts, FactText, FaqFact } from './business-facts';
import { dailyHours, summarizeWeeklyHours } from './opening-hours-format';

interface SectionContent {
  lines: string[];
  sources: string[];
}

type Filler = (facts: BusinessFacts) => SectionContent | null;

/**
 * Subjects a knowledge-base section can be about that the crawler does not extract as a field of
 * its own: they are gathered from FAQ answers, policies and service names by the words they use.
 */
const TOPICS = {
  pricing: /\$\s?\d|£\s?\d|€\s?\d|\bprices?\b|\bpricing\b|\bcosts?\b|\bfees?\b|\brates?\b|\bestimates?\b|\bquotes?\b|\bspecials?\b|\bcoupons?\b|\bdiscounts?\b|\bfree (estimates?|consultations?|quotes?|exams?|inspections?|diagnostics?)\b/i,
  insurance: /insur|\bppo\b|\bhmo\b|medicaid|medicare|in[- ]network|out[- ]of[- ]network|delta dental|cigna|aetna|metlife|guardian|united ?health|blue ?cross|humana|tricare|trupanion|\bcarriers?\b/i,
  payment: /\bpay(ment|ments|ing)?\b|financ|credit cards?|debit|\bcash\b|\bchecks?\b|carecredit|scratchpay|\bvisa\b|mastercard|american express|\bamex\b|gift cards?|memberships?|packages?/i,
  booking: /appointments?|\bbook(ing|ed)?\b|\bschedul|reschedul|cancel|no[- ]shows?|\blate\b|walk[- ]?ins?|new (patient|client)s?|deposits?|same[- ]day|\bforms?\b|arrive|shuttle|loaners?|drop[- ]?off|waiting/i,
  reservations: /reserv|\bbook(ing|ed)?\b|part(y|ies)|walk[- ]?ins?|wait ?list|deposits?|cancel|no[- ]shows?|large groups?|opentable|resy|\btock\b/i,
  emergency: /emergenc|after[- ]hours|24\/7|24 hours a day|open 24 hours|around the clock|urgent|same[- ]day|on[- ]call|nurse line/i,
  service_area: /service areas?|areas? (we )?serv|we serve|serving|surrounding|count(y|ies)|within \d+ miles|neighbou?rhoods?|jurisdictions?|\bstates?\b/i,
  consultations: /consult|case (review|evaluation)|contingen|retainer|\bfees?\b|no fee|initial meeting/i,
  dietary: /allerg|gluten|vegan|vegetarian|dairy|nut[- ]free|peanuts?|shellfish|kosher|halal|dietary|celiac/i,
  private_events: /private (event|dining|room|part)|catering|\bevents?\b|banquet|buy[- ]?outs?|large (groups?|parties)/i,
  warranty: /warrant|guarantee/i,
  vehicles: /\bmakes?\b|\bmodels?\b|domestic|imports?\b|european|asian|diesel|hybrids?|electric|\bevs?\b|fleets?|all vehicles/i,
  location: /parking|\bpark\b|directions|located|entrance|\bsuite\b|\bfloor\b|wheelchair|accessib|transit|\bbus\b|\btrain\b|\bsubway\b/i,
  listings: /listings?|homes? for sale|propert(y|ies) for|\bmls\b|open houses?|featured/i,
  hours: /\b(opening|business|office|clinic|shop|kitchen|holiday) hours\b|\bopen (on|until|at|from|late|early|weekends?|saturdays?|sundays?|holidays?)\b|\bclosed (on|for|during)\b|\bholidays?\b|\blunch (break|hour)\b/i,
} as const satisfies Record<string, RegExp>;
type Topic = keyof typeof TOPICS;

function sourcesOf(items: { source_url: string }[]): string[] {
  return [...new Set(items.map((i) => i.source_url))];
}

function bullet(items: FactText[]): string[] {
  return items.map((i) => `- ${i.text}`);
}

function faqLines(faqs: FaqFact[]): string[] {
  return faqs.flatMap((f, i) => [...(i > 0 ? [''] : []), `Q: ${f.question}`, `A: ${f.answer}`]);
}

function content(lines: string[], sources: string[]): SectionContent | null {
  return lines.length > 0 ? { lines, sources } : null;
}

/** The FAQs, policies and (optionally) services that talk about a topic, under small headings. */
function topicContent(facts: BusinessFacts, topic: Topic, opts: { services?: boolean; lead?: SectionContent | null } = {}): SectionContent | null {
  const pattern = TOPICS[topic];
  const services = opts.services ? facts.services.filter((s) => pattern.test(s.text)) : [];
  const policies = facts.policies.filter((p) => pattern.test(p.text));
  const faqs = facts.faqs.filter((f) => pattern.test(`${f.question} ${f.answer}`));
  const lines = [...(opts.lead?.lines ?? [])];
  const push = (heading: string, body: string[]): void => {
    if (body.length === 0) return;
    if (lines.length > 0) lines.push('');
    lines.push(heading, ...body);
  };
  push('Related services:', bullet(services));
  push('From the business\'s policies:', bullet(policies));
  push('From the business\'s FAQ:', faqLines(faqs));
  return content(lines, [...(opts.lead?.sources ?? []), ...sourcesOf([...services, ...policies, ...faqs])]);
}

function factLine(label: string, fact: FactText | undefined): { line: string; source: string }[] {
  return fact ? [{ line: `${label}: ${fact.text}`, source: fact.source_url }] : [];
}

function factLines(entries: { line: string; source: string }[]): SectionContent | null {
  return content(entries.map((e) => e.line), [...new Set(entries.map((e) => e.source))]);
}

const servicesFiller: Filler = (f) => content(bullet(f.services), sourcesOf(f.services));

const FILLERS: Record<string, Filler> = {
  // A name alone is not an "about" section; without a description the required-section note is more useful.
  about: (f) =>
    f.description || f.price_range
      ? factLines([
          { line: `Name: ${f.name}`, source: f.website },
          ...factLine('About', f.description),
          ...factLine('Price range', f.price_range),
          { line: `Website: ${f.website}`, source: f.website },
          ...(f.social_links.length > 0 ? [{ line: `Social media: ${f.social_links.join(', ')}`, source: f.website }] : []),
        ])
      : null,
  contact: (f) =>
    factLines([
      ...factLine('Phone', f.phone),
      ...factLine('Email', f.email),
      ...factLine('Address', f.address),
      ...factLine('Online booking', f.booking_url),
      ...(f.phone || f.email || f.address ? [{ line: `Website: ${f.website}`, source: f.website }] : []),
    ]),
  hours: (f) => {
    const lead = f.hours
      ? {
          lines: [`Summary: ${summarizeWeeklyHours(f.hours.value)}`, '', ...dailyHours(f.hours.value).map((d) => `${d.name}: ${d.schedule}`)],
          sources: [f.hours.source_url],
        }
      : null;
    // Without a schedule, an FAQ that merely says "open" is not worth a document of its own.
    return lead ? topicContent(f, 'hours', { lead }) : null;
  },
  location: (f) => topicContent(f, 'location', { lead: f.address ? { lines: [`Address: ${f.address.text}`], sources: [f.address.source_url] } : null }),
  services: servicesFiller,
  practice_areas: servicesFiller,
  menu: (f) => {
    const lead = f.price_range ? { lines: [`Price range: ${f.price_range.text}`, ''], sources: [f.price_range.source_url] } : { lines: [], sources: [] };
    return f.services.length > 0 ? content([...lead.lines, ...bullet(f.services)], [...lead.sources, ...sourcesOf(f.services)]) : null;
  },
  staff: (f) => content(f.staff.map((s) => `- ${s.name}${s.role ? ` — ${s.role}` : ''}`), sourcesOf(f.staff)),
  policies: (f) => content(bullet(f.policies), sourcesOf(f.policies)),
  faq: (f) => content(faqLines(f.faqs), sourcesOf(f.faqs)),
  pricing: (f) => topicContent(f, 'pricing', { services: true, lead: f.price_range ? { lines: [`Price range: ${f.price_range.text}`], sources: [f.price_range.source_url] } : null }),
  insurance: (f) => topicContent(f, 'insurance', { services: true }),
  payment: (f) => topicContent(f, 'payment'),
  booking: (f) => topicContent(f, 'booking', { lead: f.booking_url ? { lines: [`Online booking: ${f.booking_url.text}`], sources: [f.booking_url.source_url] } : null }),
  reservations: (f) => topicContent(f, 'reservations', { lead: f.booking_url ? { lines: [`Online reservations: ${f.booking_url.text}`], sources: [f.booking_url.source_url] } : null }),
  emergency: (f) => topicContent(f, 'emergency', { services: true }),
  service_area: (f) => topicContent(f, 'service_area'),
  consultations: (f) => topicContent(f, 'consultations', { services: true }),
  dietary: (f) => topicContent(f, 'dietary', { services: true }),
  private_events: (f) => topicContent(f, 'private_events', { services: true }),
  warranty: (f) => topicContent(f, 'warranty', { services: true }),
  vehicles: (f) => topicContent(f, 'vehicles', { services: true }),
  listings: (f) => topicContent(f, 'listings', { services: true }),
};

/** Section keys a template may use and expect the generators to fill from research. */
export const KNOWLEDGE_SECTION_KEYS: readonly string[] = Object.keys(FILLERS);

export interface MissingSection {
  key: string;
  title: string;
  required: boolean;
}

export interface KnowledgeBase {
  documents: GeneratedDocument[];
  /** Template sections the research had nothing for; the prompt tells the agent not to improvise them. */
  missing: MissingSection[];
}

function missingNote(section: Template['knowledge_base_sections'][number], facts: BusinessFacts): string {
  return [
    `No information about ${section.title.toLowerCase()} was found on ${facts.website}.`,
    `If a caller asks about this, say you do not have that information to hand and offer to take a message so someone from ${facts.name} can follow up. Do not guess.`,
    '',
    `Not yet provided: ${section.description}`,
  ].join('\n');
}

/**
 * One document per template section the research can fill (key = section key), and, for a
 * required section it cannot, a note that stops the agent from improvising one.
 */
export function buildKnowledgeBase(template: Template, facts: BusinessFacts): KnowledgeBase {
  const documents: GeneratedDocument[] = [];
  const missing: MissingSection[] = [];
  for (const section of template.knowledge_base_sections) {
    const filled = FILLERS[section.key]?.(facts) ?? null;
    if (filled) {
      const sources = filled.sources.length > 0 ? ['', `Source: ${filled.sources.join(', ')}`] : [];
      documents.push({ key: section.key, title: section.title, content: [`# ${section.title} — ${facts.name}`, '', ...filled.lines, ...sources].join('\n') });
      continue;
    }
    missing.push({ key: section.key, title: section.title, required: section.required });
    if (section.required) documents.push({ key: section.key, title: section.title, content: `# ${section.title} — ${facts.name}\n\n${missingNote(section, facts)}` });
  }
  return { documents, missing };
}
