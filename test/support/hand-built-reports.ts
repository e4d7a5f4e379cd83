import type { BusinessProfile, CrawledPage, ResearchReport, SourcedFact } from '../../core/research/research-report';

/**
 * ResearchReports written by hand, as the crawler would produce them, so template and generation
 * tests do not depend on the crawler (or the network).
 */
export function fact<T>(value: T, source_url: string, method: SourcedFact<T>['method'] = 'json-ld'): SourcedFact<T> {
  return { value, source_url, method };
}

export function emptyProfile(): BusinessProfile {
  return { business_types: [], services: [], faqs: [], staff: [], policies: [], social_links: [] };
}

export function reportFor(url: string, profile: Partial<BusinessProfile>, pages: Partial<CrawledPage>[] = []): ResearchReport {
  return {
    object: 'research_report',
    business_url: url,
    final_url: url,
    crawled_at: '2025-01-15T10:00:00.000Z',
    duration_ms: 1234,
    pages: pages.map((p) => ({ url: p.url ?? url, status: 200, kind: p.kind ?? 'other', title: p.title ?? null, bytes: 10_000 })),
    skipped: [],
    profile: { ...emptyProfile(), ...profile },
    suggested_template: null,
    warnings: [],
  };
}

const DENTAL = 'https://www.brightsmilesaustin.com/';

/** A well-marked-up dental practice: schema.org Dentist, hours, services, staff, FAQ. */
export function dentalReport(): ResearchReport {
  return reportFor(
    DENTAL,
    {
      name: fact('Bright Smiles Family Dentistry', DENTAL),
      description: fact('Gentle family and cosmetic dentistry in South Austin since 2004. We see kids and adults.', DENTAL),
      business_types: ['Dentist', 'LocalBusiness'],
      telephone: fact('(512) 555-0142', DENTAL),
      email: fact('hello@brightsmilesaustin.com', `${DENTAL}contact`),
      address: fact(
        { street: '4100 S Congress Ave, Suite 200', city: 'Austin', region: 'TX', postal_code: '78745', country: 'US', formatted: '4100 S Congress Ave, Suite 200, Austin, TX 78745' },
        DENTAL,
      ),
      hours: fact(
        [
          { day: 'monday', opens: '08:00', closes: '17:00' },
          { day: 'tuesday', opens: '08:00', closes: '17:00' },
          { day: 'wednesday', opens: '08:00', closes: '17:00' },
          { day: 'thursday', opens: '08:00', closes: '17:00' },
          { day: 'friday', opens: '08:00', closes: '17:00' },
          { day: 'saturday', opens: '09:00', closes: '13:00' },
        ],
        DENTAL,
      ),
      price_range: fact('$$', DENTAL),
      services: [
        fact('Preventive cleanings and exams', `${DENTAL}services`, 'list'),
        fact('Tooth-colored fillings', `${DENTAL}services`, 'list'),
        fact('Crowns and bridges', `${DENTAL}services`, 'list'),
        fact('Invisalign clear aligners', `${DENTAL}services`, 'list'),
        fact('Teeth whitening', `${DENTAL}services`, 'list'),
        fact('Emergency dental care', `${DENTAL}services`, 'list'),
      ],
      faqs: [
        fact({ question: 'Do you accept my insurance?', answer: 'We are in-network with Delta Dental PPO, Cigna and MetLife, and file claims for most other PPO plans.' }, `${DENTAL}faq`, 'text'),
        fact({ question: 'Do you see emergencies?', answer: 'Yes. Call before 10 AM and we will do our best to see you the same day.' }, `${DENTAL}faq`, 'text'),
        fact({ question: 'Where do I park?', answer: 'Free parking is available in the garage behind the building; take the elevator to the second floor.' }, `${DENTAL}faq`, 'text'),
      ],
      staff: [
        fact({ name: 'Dr. Maria Alvarez, DDS', role: 'Lead dentist' }, `${DENTAL}team`, 'text'),
        fact({ name: 'Dr. Kevin Park, DMD', role: 'Cosmetic dentist' }, `${DENTAL}team`, 'text'),
        fact({ name: 'Jenna Cole', role: 'Registered dental hygienist' }, `${DENTAL}team`, 'text'),
      ],
      policies: [
        fact('Please give at least 24 hours notice to cancel or reschedule; late cancellations may incur a $50 fee.', `${DENTAL}policies`, 'text'),
        fact('New patients: please arrive 15 minutes early to complete forms, or fill them in online before your visit.', `${DENTAL}new-patients`, 'text'),
      ],
      booking_url: fact('https://www.brightsmilesaustin.com/book', DENTAL, 'link'),
      social_links: [fact('https://www.facebook.com/brightsmilesaustin', DENTAL, 'link')],
    },
    [
      { url: DENTAL, kind: 'home', title: 'Bright Smiles Family Dentistry | Dentist in South Austin' },
      { url: `${DENTAL}services`, kind: 'services', title: 'Dental Services' },
      { url: `${DENTAL}faq`, kind: 'faq', title: 'FAQ' },
    ],
  );
}

const HVAC = 'https://coolbreezecomfort.com/';

/** An HVAC contractor whose markup only says LocalBusiness: the trade shows in words alone. */
export function hvacKeywordReport(): ResearchReport {
  return reportFor(
    HVAC,
    {
      name: fact('Cool Breeze Heating & Air', HVAC, 'meta'),
      business_types: ['LocalBusiness'],
      telephone: fact('(602) 555-0199', HVAC, 'text'),
      services: [fact('AC repair', `${HVAC}services`, 'list'), fact('Furnace installation', `${HVAC}services`, 'list'), fact('Duct cleaning', `${HVAC}services`, 'list')],
    },
    [
      { url: HVAC, kind: 'home', title: 'Cool Breeze Heating & Air – Phoenix AC Repair' },
      { url: `${HVAC}services`, kind: 'services', title: 'Our Services' },
    ],
  );
}

const BOOKS = 'https://pagesandcoffee.example/';

/** A bookshop: nothing any template should claim. */
export function bookshopReport(): ResearchReport {
  return reportFor(
    BOOKS,
    {
      name: fact('Pages & Co. Bookshop', BOOKS),
      description: fact('An independent bookshop with new and used books, author readings and a children\'s corner.', BOOKS),
      business_types: ['BookStore'],
      services: [fact('New and used books', BOOKS, 'list'), fact('Special orders', BOOKS, 'list'), fact('Author readings', BOOKS, 'list')],
      faqs: [fact({ question: 'Do you buy used books?', answer: 'Yes, bring them in any weekday afternoon.' }, BOOKS, 'text')],
    },
    [{ url: BOOKS, kind: 'home', title: 'Pages & Co. – Independent Bookshop' }],
  );
}
