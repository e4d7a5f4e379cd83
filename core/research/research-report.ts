/**
 * What the crawler learned about a business, with the page and method behind every fact.
 * Produced by core/research (crawler + extractors); consumed by template suggestion and generation.
 */
export type ExtractionMethod = 'json-ld' | 'microdata' | 'meta' | 'text' | 'table' | 'list' | 'link' | 'heading';

export interface SourcedFact<T> {
  value: T;
  source_url: string;
  method: ExtractionMethod;
}

export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';

export interface OpeningHours {
  day: Weekday;
  /** 24-hour "HH:MM". */
  opens: string;
  closes: string;
}

export interface PostalAddress {
  street?: string;
  city?: string;
  region?: string;
  postal_code?: string;
  country?: string;
  /** The address as one line, as found. */
  formatted: string;
}

export type PageKind =
  | 'home'
  | 'about'
  | 'services'
  | 'contact'
  | 'hours'
  | 'faq'
  | 'menu'
  | 'team'
  | 'pricing'
  | 'booking'
  | 'policies'
  | 'service_area'
  | 'emergency'
  | 'other';

export interface CrawledPage {
  url: string;
  status: number;
  kind: PageKind;
  title: string | null;
  bytes: number;
  /**
   * The page's main text as paragraphs: navigation, header, footer and other site chrome removed,
   * paragraphs already seen on an earlier page dropped, capped per page and per report
   * (MAX_MAIN_TEXT_CHARS_PER_PAGE, MAX_REPORT_TEXT_CHARS). Absent in reports made before it existed.
   */
  text?: string[];
}

/** A sentence of a page's main text and the subjects callers ask about that it speaks of (prose-classifier.ts). */
export interface ProseStatement {
  text: string;
  topics: string[];
}

export type SkipReason =
  | 'robots_disallowed'
  | 'page_limit'
  | 'byte_limit'
  | 'time_limit'
  | 'not_html'
  | 'http_error'
  | 'refused'
  | 'fetch_failed'
  | 'off_site'
  // fetched, but parsing and reading it overran its CPU budget or failed
  | 'unreadable';

export interface SkippedPage {
  url: string;
  reason: SkipReason;
  detail?: string;
}

export interface BusinessProfile {
  name?: SourcedFact<string>;
  description?: SourcedFact<string>;
  /** schema.org types found (LocalBusiness subtypes such as Dentist, HVACBusiness, Restaurant). */
  business_types: string[];
  telephone?: SourcedFact<string>;
  email?: SourcedFact<string>;
  address?: SourcedFact<PostalAddress>;
  hours?: SourcedFact<OpeningHours[]>;
  price_range?: SourcedFact<string>;
  services: SourcedFact<string>[];
  faqs: SourcedFact<{ question: string; answer: string }>[];
  staff: SourcedFact<{ name: string; role?: string }>[];
  policies: SourcedFact<string>[];
  booking_url?: SourcedFact<string>;
  social_links: SourcedFact<string>[];
  /**
   * Sentences stated in prose (emergency service, service area, cancellation and late rules,
   * parking, payment, insurance…), deduplicated across pages. Absent in older reports.
   */
  statements?: SourcedFact<ProseStatement>[];
}

export interface ResearchReport {
  object: 'research_report';
  business_url: string;
  /** Where the home page really was, after redirects. */
  final_url: string;
  crawled_at: string;
  duration_ms: number;
  pages: CrawledPage[];
  skipped: SkippedPage[];
  profile: BusinessProfile;
  /** Filled by template suggestion (core/templates), null when nothing fits well enough. */
  suggested_template: { template_id: string; confidence: number; signals: string[] } | null;
  warnings: string[];
}

export type ResearchFailure =
  | 'url_refused' // SSRF guard or bad scheme: never retryable
  | 'site_unreachable' // DNS/connection/timeout: retryable
  | 'site_error' // the home page answered 4xx (not retryable) or 5xx (retryable)
  | 'not_html' // the URL is not an HTML page: not retryable
  | 'site_empty' // HTML with no usable text: not retryable
  | 'robots_disallowed' // robots.txt forbids even the home page: not retryable
  | 'too_large' // the home page is over the byte limit: not retryable
  | 'page_unreadable'; // the home page overran its extraction budget or broke the parser: not retryable

export class ResearchError extends Error {
  constructor(
    readonly failure: ResearchFailure,
    message: string,
    readonly retryable: boolean,
    readonly url: string,
  ) {
    super(message);
    this.name = 'ResearchError';
  }
}
