import type { OpeningHours, PostalAddress, ResearchReport, Weekday } from '../research/research-report';
import { looksLikeBusinessName } from './business-name';

/** One piece of text from the website, cleaned, with the page it came from. */
export interface FactText {
  text: string;
  source_url: string;
}

export interface FaqFact {
  question: string;
  answer: string;
  source_url: string;
}

export interface StaffFact {
  name: string;
  role?: string;
  source_url: string;
}

/**
 * The research, reduced to what an agent may repeat to callers: cleaned, de-duplicated and capped.
 * Both generators read this instead of the report so they state exactly the same facts.
 */
export interface BusinessFacts {
  name: string;
  /** False when the site stated no usable name and it was taken from a page title or the domain. */
  name_from_site: boolean;
  website: string;
  description?: FactText;
  phone?: FactText;
  email?: FactText;
  address?: FactText & { city?: string; region?: string; country?: string };
  hours?: { value: OpeningHours[]; source_url: string };
  price_range?: FactText;
  booking_url?: FactText;
  services: FactText[];
  faqs: FaqFact[];
  staff: StaffFact[];
  policies: FactText[];
  social_links: string[];
  /** Sentences the site states in prose, with the subjects they speak of (prose-classifier.ts topics). */
  statements: StatementFact[];
  /** Each crawled page's cleaned main text, for the knowledge base's reference documents. */
  pages: PageTextFact[];
}

export interface StatementFact extends FactText {
  topics: string[];
}

export interface PageTextFact {
  url: string;
  /** The page's path, as in its knowledge-base key `page:<path>`. */
  path: string;
  title: string;
  lines: string[];
}

const LIMITS = {
  name: 120,
  description: 800,
  service: 160,
  question: 240,
  answer: 800,
  policy: 600,
  staffName: 100,
  staffRole: 100,
  services: 80,
  faqs: 40,
  staff: 40,
  policies: 30,
  statement: 400,
  statements: 150,
  pageTitle: 160,
  pageLine: 2_000,
} as const;

const WEEKDAYS: ReadonlySet<string> = new Set<Weekday>(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);
const TIME = /^([01]\d|2[0-4]):[0-5]\d$/;

/**
 * Website text ends up inside a system prompt, so it is flattened to one line, stripped of
 * template braces and heading marks (a page cannot open a fake "# Rules" section or leave a
 * `{{placeholder}}` for a caller to hear), its angle brackets swapped for look-alikes (it cannot
 * close the website-data fence) and cut at a word boundary.
 */
export function cleanText(raw: string, max: number): string {
  let text = raw
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ')
    .replace(/[{}]{2,}/g, ' ')
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^#+\s*/, '');
  if (text.length > max) text = `${text.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
  return text;
}

function dedupe<T>(items: T[], key: (item: T) => string, limit: number): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const item of items) {
    const k = key(item).toLowerCase();
    if (k === '' || seen.has(k)) continue;
    seen.add(k);
    out.push(item);
    if (out.length === limit) break;
  }
  return out;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return undefined;
  }
}

/**
 * The site's own name if it gave one that looks like a name; else the home page title's brand
 * part, if that does; else the domain.
 */
function businessName(report: ResearchReport): { name: string; fromSite: boolean } {
  const stated = cleanText(report.profile.name?.value ?? '', LIMITS.name);
  if (looksLikeBusinessName(stated)) return { name: stated, fromSite: true };
  const home = report.pages.find((p) => p.kind === 'home') ?? report.pages.find((p) => p.url === report.final_url);
  const brand = cleanText((home?.title ?? '').split(/\s+[|–—-]\s+|\s*[|–—]\s*/)[0] ?? '', LIMITS.name);
  if (looksLikeBusinessName(brand) && !/^(home|welcome)$/i.test(brand)) return { name: brand, fromSite: false };
  return { name: hostOf(report.final_url) ?? hostOf(report.business_url) ?? report.business_url, fromSite: false };
}

function addressText(a: PostalAddress): string {
  const formatted = cleanText(a.formatted, 300);
  if (formatted) return formatted;
  return cleanText([a.street, a.city, [a.region, a.postal_code].filter(Boolean).join(' '), a.country].filter(Boolean).join(', '), 300);
}

function validHours(hours: OpeningHours[]): OpeningHours[] {
  return hours.filter((h) => WEEKDAYS.has(h.day) && TIME.test(h.opens) && TIME.test(h.closes));
}

export function collectBusinessFacts(report: ResearchReport): BusinessFacts {
  const p = report.profile;
  const { name, fromSite } = businessName(report);
  const text = (fact: { value: string; source_url: string } | undefined, max: number): FactText | undefined => {
    const cleaned = fact ? cleanText(fact.value, max) : '';
    return fact && cleaned ? { text: cleaned, source_url: fact.source_url } : undefined;
  };

  const address = p.address ? addressText(p.address.value) : '';
  const hours = p.hours ? validHours(p.hours.value) : [];

  return {
    name,
    name_from_site: fromSite,
    website: report.final_url || report.business_url,
    description: text(p.description, LIMITS.description),
    phone: text(p.telephone, 40),
    email: text(p.email, 120),
    address: p.address && address
      ? { text: address, source_url: p.address.source_url, city: p.address.value.city, region: p.address.value.region, country: p.address.value.country }
      : undefined,
    hours: p.hours && hours.length > 0 ? { value: hours, source_url: p.hours.source_url } : undefined,
    price_range: text(p.price_range, 40),
    booking_url: text(p.booking_url, 300),
    services: dedupe(
      p.services.map((s) => ({ text: cleanText(s.value, LIMITS.service), source_url: s.source_url })),
      (s) => s.text,
      LIMITS.services,
    ),
    faqs: dedupe(
      p.faqs
        .map((f) => ({ question: cleanText(f.value.question, LIMITS.question), answer: cleanText(f.value.answer, LIMITS.answer), source_url: f.source_url }))
        .filter((f) => f.question && f.answer),
      (f) => f.question,
      LIMITS.faqs,
    ),
    staff: dedupe(
      p.staff.map((s) => {
        const role = s.value.role ? cleanText(s.value.role, LIMITS.staffRole) : '';
        return { name: cleanText(s.value.name, LIMITS.staffName), ...(role ? { role } : {}), source_url: s.source_url };
      }),
      (s) => s.name,
      LIMITS.staff,
    ),
    policies: dedupe(
      p.policies.map((s) => ({ text: cleanText(s.value, LIMITS.policy), source_url: s.source_url })),
      (s) => s.text,
      LIMITS.policies,
    ),
    social_links: dedupe(p.social_links.map((s) => cleanText(s.value, 300)), (s) => s, 10),
    statements: dedupe(
      (p.statements ?? [])
        .map((s) => ({ text: cleanText(s.value.text, LIMITS.statement), topics: [...s.value.topics], source_url: s.source_url }))
        .filter((s) => s.text.length > 0 && s.topics.length > 0),
      (s) => s.text,
      LIMITS.statements,
    ),
    pages: pageTexts(report),
  };
}

/** The report's page texts (already deduplicated across pages and capped by the research), cleaned for a prompt. */
function pageTexts(report: ResearchReport): PageTextFact[] {
  const out: PageTextFact[] = [];
  const paths = new Set<string>();
  for (const page of report.pages) {
    const lines = (page.text ?? []).map((l) => cleanText(l, LIMITS.pageLine)).filter((l) => l.length > 0);
    if (lines.length === 0) continue;
    let path: string;
    try {
      const url = new URL(page.url);
      path = `${url.pathname}${url.search}`;
    } catch {
      path = page.url;
    }
    if (paths.has(path)) continue;
    paths.add(path);
    const title = cleanText(page.title ?? '', LIMITS.pageTitle) || path;
    out.push({ url: page.url, path: cleanText(path, 300), title, lines });
  }
  return out;
}
