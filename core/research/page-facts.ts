import type { OpeningHours, PostalAddress, SourcedFact } from './research-report';

/** A fact as one extractor found it on one page, before the best of its kind is chosen across pages. */
export interface Candidate<T> extends SourcedFact<T> {
  /** Orders candidates found by the same method; lower wins. Defaults to 0, then discovery order decides. */
  rank?: number;
}

/** Everything found on the crawled pages, still unmerged: extractors append, the merger decides. */
export interface FoundFacts {
  businessTypes: string[];
  name: Candidate<string>[];
  description: Candidate<string>[];
  telephone: Candidate<string>[];
  email: Candidate<string>[];
  address: Candidate<PostalAddress>[];
  hours: Candidate<OpeningHours[]>[];
  priceRange: Candidate<string>[];
  services: Candidate<string>[];
  faqs: Candidate<{ question: string; answer: string }>[];
  staff: Candidate<{ name: string; role?: string }>[];
  policies: Candidate<string>[];
  bookingUrl: Candidate<string>[];
  socialLinks: Candidate<string>[];
  /** Problems worth a warning in the report, such as unparseable JSON-LD. */
  notes: string[];
}

export function emptyFacts(): FoundFacts {
  return {
    businessTypes: [],
    name: [],
    description: [],
    telephone: [],
    email: [],
    address: [],
    hours: [],
    priceRange: [],
    services: [],
    faqs: [],
    staff: [],
    policies: [],
    bookingUrl: [],
    socialLinks: [],
    notes: [],
  };
}
