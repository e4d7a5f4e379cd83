import { OutboundHttpClient } from '../../core/outbound/outbound-http-client';
import type { ResearchReport, SourcedFact } from '../../core/research/research-report';
import { ResearchService } from '../../core/research/research-service';
import { startFixtureSite, type FixtureSite } from '../support/fixture-site-server';

/**
 * End to end over real HTTP: each fixture website is served on loopback and researched with the
 * production ResearchService; assertions are about what a phone agent would be told.
 */
interface Researched {
  report: ResearchReport;
  site: FixtureSite;
  path(url: string | undefined): string;
}

const http = new OutboundHttpClient({ allowPrivateNetworks: true });
const researched = new Map<string, Researched>();

async function researchSite(name: string): Promise<Researched> {
  const cached = researched.get(name);
  if (cached) return cached;
  const site = await startFixtureSite(name);
  try {
    const report = await new ResearchService(http).research(site.url('/'));
    const result = { report, site, path: (url: string | undefined) => (url ? new URL(url).pathname : '(none)') };
    researched.set(name, result);
    return result;
  } finally {
    await site.close();
  }
}

afterAll(() => http.close());

const values = <T>(facts: SourcedFact<T>[]) => facts.map((f) => f.value);
const hoursTable = (report: ResearchReport) => (report.profile.hours?.value ?? []).map((h) => `${h.day} ${h.opens}-${h.closes}`);
const weekdays = (opens: string, closes: string, days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday']) => days.map((d) => `${d} ${opens}-${closes}`);

const SITES = ['bright-smile-dental', 'summit-heating-air', 'trattoria-lucia', 'hartwell-law', 'luxe-hair-studio', 'riverbend-vet', 'precision-auto-repair'];

describe.each(SITES)('every fact of %s is sourced', (name) => {
  test('source_url is a crawled page and the method is one of the declared ones', async () => {
    const { report } = await researchSite(name);
    const crawled = new Set(report.pages.map((p) => p.url));
    const { business_types: _types, ...rest } = report.profile;
    const facts: SourcedFact<unknown>[] = [];
    for (const v of Object.values(rest) as (SourcedFact<unknown> | SourcedFact<unknown>[] | undefined)[]) {
      if (Array.isArray(v)) facts.push(...v);
      else if (v) facts.push(v);
    }
    expect(facts.length).toBeGreaterThan(10);
    for (const fact of facts) {
      expect(crawled).toContain(fact.source_url);
      expect(['json-ld', 'microdata', 'meta', 'text', 'table', 'list', 'link', 'heading']).toContain(fact.method);
    }
    expect(report.object).toBe('research_report');
    expect(report.suggested_template).toBeNull();
    expect(report.pages[0].kind).toBe('home');
    for (const page of report.pages) {
      expect(page.status).toBe(200);
      expect(page.bytes).toBeGreaterThan(500);
      expect(page.title).toBeTruthy();
    }
  });
});

describe('dental practice with JSON-LD Dentist in an @graph', () => {
  test('identity and contact come from JSON-LD, resolving the @id reference to the address node', async () => {
    const { report } = await researchSite('bright-smile-dental');
    const p = report.profile;
    expect(p.name).toMatchObject({ value: 'Bright Smile Family Dental', method: 'json-ld' });
    expect(p.telephone).toMatchObject({ value: '+1-512-555-0142', method: 'json-ld' });
    expect(p.email?.value).toBe('hello@brightsmileatx.example');
    expect(p.price_range?.value).toBe('$$');
    expect(p.business_types).toEqual(expect.arrayContaining(['Dentist', 'MedicalBusiness']));
    expect(p.address?.value).toEqual({
      street: '2100 S Lamar Blvd, Suite 210',
      city: 'Austin',
      region: 'TX',
      postal_code: '78704',
      country: 'US',
      formatted: '2100 S Lamar Blvd, Suite 210, Austin, TX 78704, US',
    });
  });

  test('openingHoursSpecification: URL and plain day names, seconds, 00:00-00:00 closed, holiday exception ignored', async () => {
    const { report } = await researchSite('bright-smile-dental');
    expect(report.profile.hours?.method).toBe('json-ld');
    // The footer's "Mon–Thu: 8am–5pm" text agrees but is less trusted; Saturday only exists in JSON-LD.
    expect(hoursTable(report)).toEqual([...weekdays('08:00', '17:00', ['monday', 'tuesday', 'wednesday', 'thursday']), 'friday 08:00-14:00', 'saturday 09:00-13:00']);
  });

  test('services from JSON-LD and from the services page lists, without navigation or "learn more" links', async () => {
    const { report } = await researchSite('bright-smile-dental');
    const services = values(report.profile.services);
    expect(services).toEqual(expect.arrayContaining(['Dental Implants', 'Invisalign Clear Aligners', 'Root Canal Therapy', 'Teeth Whitening', 'Crowns & Bridges', 'Digital X-rays']));
    expect(services).not.toEqual(expect.arrayContaining(['Learn more', 'See all services', 'Implants']));
    // Found both in JSON-LD and in the page text: one fact, and the JSON-LD one.
    expect(report.profile.services.filter((s) => s.value === 'Dental Implants')).toEqual([expect.objectContaining({ method: 'json-ld' })]);
    // "Teeth Whitening – from $299": the price is not part of the name.
    expect(services.filter((s) => /whitening/i.test(s))).toEqual(['Teeth Whitening']);
  });

  test('FAQs from FAQPage JSON-LD and <details>, deduplicated, preferring JSON-LD; calls to action are not questions', async () => {
    const { report, path } = await researchSite('bright-smile-dental');
    const faqs = report.profile.faqs;
    expect(faqs.map((f) => f.value.question)).toEqual([
      'Do you accept my insurance?',
      'Do you see children?',
      'What should I do in a dental emergency?',
      'How often should I have a cleaning?',
    ]);
    expect(faqs[0]).toMatchObject({ method: 'json-ld', value: { answer: 'We are in network with most PPO plans, including Delta Dental, Cigna and MetLife.' } });
    expect(faqs[3].value.answer).toBe('Most patients should come in every six months.');
    expect(path(faqs[2].source_url)).toBe('/faq');
  });

  test('team page: names with credentials and their roles', async () => {
    const { report } = await researchSite('bright-smile-dental');
    expect(values(report.profile.staff)).toEqual([
      { name: 'Dr. Emily Carter, DDS', role: 'Founder & Lead Dentist' },
      { name: 'Dr. Michael Nguyen, DMD', role: 'Associate Dentist' },
      { name: 'Sarah Lopez', role: 'Registered Dental Hygienist' },
      { name: 'Tom Becker', role: 'Office Manager' },
    ]);
  });

  test('policies, booking link, social profiles', async () => {
    const { report } = await researchSite('bright-smile-dental');
    const policies = values(report.profile.policies);
    expect(policies).toEqual(expect.arrayContaining(['Payment accepted: Cash, Credit Card, CareCredit']));
    expect(policies.some((p) => /24 hours notice/.test(p) && /cancel/.test(p))).toBe(true);
    expect(policies.some((p) => /cookies/i.test(p))).toBe(false);
    expect(policies.some((p) => /Call us:/.test(p))).toBe(false);
    expect(report.profile.booking_url?.value).toBe('https://www.localmed.com/booking/bright-smile-family-dental-austin');
    // sameAs and footer links name the same profiles; share buttons and Google Maps are not profiles.
    expect(values(report.profile.social_links)).toEqual(['https://facebook.com/brightsmileatx', 'https://instagram.com/brightsmileatx']);
  });

  test('crawl: the useful pages, not the blog; the off-site booking system is recorded, not fetched', async () => {
    const { report, site, path } = await researchSite('bright-smile-dental');
    expect(report.pages.map((p) => [path(p.url), p.kind])).toEqual([
      ['/', 'home'],
      ['/services', 'services'],
      ['/contact', 'contact'],
      ['/faq', 'faq'],
      ['/about', 'about'],
      ['/insurance', 'policies'],
      ['/team', 'team'],
      ['/privacy', 'policies'],
    ]);
    expect(site.hits('/blog/whitening-tips')).toBe(0);
    expect(report.skipped).toContainEqual({ url: 'https://www.localmed.com/booking/bright-smile-family-dental-austin', reason: 'off_site', detail: 'booking link to another site' });
    expect(report.pages[0].title).toBe('Bright Smile Family Dental | Family Dentist in South Austin, TX');
    expect(report.warnings).toEqual([]);
    expect(site.requests.every((r) => r.userAgent === 'WorkforceWaveBot/1.0')).toBe(true);
  });
});

describe('HVAC company without structured data', () => {
  test('hours from the contact page table, Sunday "Closed" left out, the 24h emergency line not mistaken for opening hours', async () => {
    const { report, path } = await researchSite('summit-heating-air');
    expect(report.profile.hours?.method).toBe('table');
    expect(path(report.profile.hours?.source_url)).toBe('/contact');
    expect(hoursTable(report)).toEqual([...weekdays('07:00', '18:00'), 'saturday 08:00-14:00']);
  });

  test('the main number repeated across the site wins over the emergency line linked first', async () => {
    const { report } = await researchSite('summit-heating-air');
    expect(report.profile.telephone).toMatchObject({ value: '(303) 555-0187', method: 'link' });
    expect(report.warnings).toContain('2 different telephone numbers found; using (303) 555-0187 (link)');
    expect(report.profile.email?.value).toBe('service@summitheatingair.example');
  });

  test('name, address and description from the page itself', async () => {
    const { report } = await researchSite('summit-heating-air');
    const p = report.profile;
    expect(p.business_types).toEqual([]);
    expect(p.name?.value).toBe('Summit Heating & Air');
    expect(p.address).toMatchObject({ method: 'text', value: { street: '4780 Brighton Blvd', city: 'Denver', region: 'CO', postal_code: '80216' } });
    expect(p.description).toMatchObject({ method: 'meta', value: 'Denver furnace repair, AC installation and HVAC maintenance. Family owned since 1998.' });
  });

  test('services from lists, but not the towns under "Service Areas" or the selling points under "Why choose"', async () => {
    const { report } = await researchSite('summit-heating-air');
    const services = values(report.profile.services);
    expect(services).toEqual(expect.arrayContaining(['Furnace Repair', 'Air Conditioning Installation', 'Heat Pumps', 'Ductless Mini-Splits', 'Duct Cleaning', 'Boiler Service']));
    expect(services).not.toEqual(expect.arrayContaining(['Denver']));
    expect(services).not.toEqual(expect.arrayContaining(['Aurora']));
    expect(services).not.toEqual(expect.arrayContaining(['Same-day service']));
    expect(new Set(services.map((s) => s.toLowerCase())).size).toBe(services.length);
  });

  test('FAQ as headings under an FAQ heading, multi-paragraph answers kept together', async () => {
    const { report } = await researchSite('summit-heating-air');
    expect(report.profile.faqs).toHaveLength(3);
    const emergency = report.profile.faqs.find((f) => f.value.question === 'Do you offer emergency service?');
    expect(emergency?.value.answer).toBe('Yes. Our emergency line is answered 24 hours a day, 7 days a week. Emergency visits after 6pm carry a $89 after-hours fee.');
    expect(emergency?.method).toBe('heading');
  });

  test('a booking platform beats the site\'s own "Schedule Service" page; that page is crawled as booking', async () => {
    const { report, path, site } = await researchSite('summit-heating-air');
    expect(report.profile.booking_url?.value).toBe('https://book.housecallpro.com/book/Summit-Heating-Air/abc123');
    expect(report.pages.map((p) => [path(p.url), p.kind])).toEqual([
      ['/', 'home'],
      ['/services', 'services'],
      ['/service-areas', 'service_area'],
      ['/contact', 'contact'],
      ['/financing', 'pricing'],
      ['/schedule', 'booking'],
    ]);
    // Where the company goes is what callers ask first: the "Service Areas" page is read.
    expect(site.hits('/service-areas')).toBe(1);
    expect(site.hits('/careers')).toBe(0);
    expect(values(report.profile.policies).some((p) => /one-year parts and labor warranty/.test(p))).toBe(true);
    expect(values(report.profile.social_links)).toEqual(['https://facebook.com/SummitHeatingAirDenver', 'https://yelp.com/biz/summit-heating-and-air-denver']);
  });
});

describe('restaurant with openingHours strings and a menu page', () => {
  test('hours from the schema.org openingHours strings; Monday closed', async () => {
    const { report } = await researchSite('trattoria-lucia');
    expect(report.profile.hours?.method).toBe('json-ld');
    expect(hoursTable(report)).toEqual([
      'tuesday 17:00-22:00',
      'wednesday 17:00-22:00',
      'thursday 17:00-22:00',
      'friday 17:00-23:00',
      'saturday 17:00-23:00',
      'sunday 16:00-21:00',
    ]);
  });

  test('menu items are the services, without prices and without course headings', async () => {
    const { report } = await researchSite('trattoria-lucia');
    const services = values(report.profile.services);
    expect(services).toEqual(['Burrata', 'Fritto Misto', 'Cacio e Pepe', 'Tagliatelle al Ragù', 'Gnocchi al Pesto', 'Margherita Pizza', 'Whole Branzino']);
    expect(report.profile.services.every((s) => new URL(s.source_url).pathname === '/menu')).toBe(true);
  });

  test('reservations, address with a nested Country, price range, and the PDF menu skipped without a download', async () => {
    const { report, site } = await researchSite('trattoria-lucia');
    const p = report.profile;
    expect(p.business_types).toEqual(['Restaurant']);
    expect(p.booking_url).toMatchObject({ value: 'https://www.opentable.com/r/trattoria-lucia-portland', method: 'json-ld' });
    expect(p.address?.value).toMatchObject({ street: '1325 NW Everett St', city: 'Portland', region: 'OR', postal_code: '97209', country: 'US' });
    expect(p.price_range?.value).toBe('$$-$$$');
    expect(report.skipped).toContainEqual(expect.objectContaining({ url: site.url('/menu.pdf'), reason: 'not_html' }));
    expect(site.hits('/menu.pdf')).toBe(0);
  });

  test('a broken JSON-LD block is reported; a block with a trailing comma is still read', async () => {
    const { report } = await researchSite('trattoria-lucia');
    expect(report.warnings).toEqual([`a JSON-LD block could not be parsed and was ignored (${report.final_url})`]);
  });
});

describe('law firm with practice areas, attorneys and an FAQ page', () => {
  test('FAQ page: questions as headings (with or without "?") and as bold paragraphs', async () => {
    const { report } = await researchSite('hartwell-law');
    expect(report.profile.faqs.map((f) => [f.value.question, f.method])).toEqual([
      ['Is the first consultation really free?', 'heading'],
      ['How much does a divorce cost?', 'heading'],
      ['Do you offer payment plans?', 'heading'],
      ['Office parking', 'heading'],
      ['Can you help with a case outside Ohio?', 'text'],
    ]);
    expect(report.profile.faqs[1].value.answer).toBe('Uncontested dissolutions are handled for a flat fee of $2,500. Contested divorces are billed hourly against a retainer.');
  });

  test('attorneys from cards and support staff from "Name – Role" list items', async () => {
    const { report } = await researchSite('hartwell-law');
    expect(values(report.profile.staff)).toEqual([
      { name: 'Margaret Hartwell, Esq.', role: 'Founding Partner' },
      { name: 'David Ames', role: 'Partner, Estate Planning' },
      { name: 'Priya Raman', role: 'Associate Attorney' },
      { name: 'Karen Walsh', role: 'Senior Paralegal' },
      { name: 'Luis Ortega', role: 'Office Administrator' },
    ]);
  });

  test('practice areas are services; hours from the footer list with Sat–Sun closed; address from <address>', async () => {
    const { report } = await researchSite('hartwell-law');
    const p = report.profile;
    expect(values(p.services)).toEqual(['Family Law & Divorce', 'Estate Planning & Probate', 'Business Law', 'Real Estate Closings']);
    expect(p.hours?.method).toBe('list');
    expect(hoursTable(report)).toEqual(weekdays('08:30', '17:30'));
    expect(p.address?.value).toMatchObject({ street: '250 E Broad St, Suite 1400', city: 'Columbus', region: 'OH', postal_code: '43215' });
    expect(p).toMatchObject({ name: { value: 'Hartwell & Ames, LLP', method: 'json-ld' }, telephone: { value: '+1 614-555-0110', method: 'json-ld' } });
    expect(p.business_types).toEqual(['LegalService']);
    expect(values(p.policies).some((t) => /Cancellations with less than 24 hours' notice/.test(t))).toBe(true);
    expect(values(p.policies).some((t) => /Attorney advertising/.test(t))).toBe(false);
  });
});

describe('hair salon whose robots.txt has a group for our crawler', () => {
  test('pages disallowed for WorkforceWaveBot are skipped and never requested; allowed ones are crawled', async () => {
    const { report, site, path } = await researchSite('luxe-hair-studio');
    expect(site.hits('/team')).toBe(0);
    expect(site.hits('/private/staff-portal')).toBe(0);
    expect(site.hits('/robots.txt')).toBe(1);
    expect(report.skipped.filter((s) => s.reason === 'robots_disallowed').map((s) => path(s.url)).sort()).toEqual(['/private/staff-portal', '/team']);
    expect(report.pages.map((p) => path(p.url))).toEqual(['/', '/services', '/policies']);
    expect(report.warnings).toContain('2 page(s) not fetched because robots.txt disallows them');
  });

  test('hours from a <dl> with "Tuesday – Friday" ranges and Monday closed; prices stripped from services', async () => {
    const { report } = await researchSite('luxe-hair-studio');
    expect(report.profile.hours?.method).toBe('list');
    expect(hoursTable(report)).toEqual([...weekdays('10:00', '20:00', ['tuesday', 'wednesday', 'thursday', 'friday']), 'saturday 09:00-18:00', 'sunday 11:00-17:00']);
    expect(values(report.profile.services)).toEqual(expect.arrayContaining(["Women's Haircut", "Men's Haircut", 'Balayage', 'Root Touch-Up', 'Gloss Treatment']));
    expect(report.profile.booking_url?.value).toBe('https://www.vagaro.com/luxehairstudioseattle/book-now');
    expect(report.profile.policies).toHaveLength(3);
    expect(report.profile.name).toMatchObject({ value: 'Luxe Hair Studio', method: 'meta' });
    expect(report.profile.staff).toEqual([]);
  });
});

describe('veterinary clinic using microdata', () => {
  test('identity, nested PostalAddress and openingHours meta tags from microdata', async () => {
    const { report } = await researchSite('riverbend-vet');
    const p = report.profile;
    expect(p.business_types).toEqual(['VeterinaryCare']);
    expect(p.name).toMatchObject({ value: 'Riverbend Animal Hospital', method: 'microdata' });
    // The visible number, not the tel: URI.
    expect(p.telephone).toMatchObject({ value: '(208) 555-0175', method: 'microdata' });
    expect(p.email?.value).toBe('frontdesk@riverbendvet.example');
    expect(p.address).toMatchObject({ method: 'microdata', value: { street: '3100 W Riverside Dr', city: 'Boise', region: 'ID', postal_code: '83702' } });
    expect(p.hours?.method).toBe('microdata');
    expect(hoursTable(report)).toEqual([...weekdays('07:30', '18:00'), 'saturday 08:00-12:00']);
    expect(values(p.social_links)).toEqual(['https://facebook.com/RiverbendAnimalHospitalBoise']);
  });

  test('Person microdata on the team page, dt/dd FAQs, service cards', async () => {
    const { report } = await researchSite('riverbend-vet');
    expect(report.profile.staff).toEqual([
      expect.objectContaining({ value: { name: 'Dr. Hannah Brooks', role: 'Medical Director' }, method: 'microdata' }),
      expect.objectContaining({ value: { name: 'Dr. Samuel Ortiz', role: 'Associate Veterinarian' }, method: 'microdata' }),
    ]);
    expect(report.profile.faqs.map((f) => [f.value.question, f.method])).toEqual([
      ['Do you see exotic pets?', 'list'],
      ['Do I need an appointment?', 'list'],
      ['What payment do you accept?', 'list'],
    ]);
    expect(values(report.profile.services)).toEqual(expect.arrayContaining(['Spay & Neuter Surgery', 'Urgent Care', 'Microchipping', 'Laser Therapy']));
    expect(report.profile.booking_url?.value).toBe('https://www.petdesk.com/request-appointment/riverbend');
  });
});

describe('auto repair shop with more useful pages than the page limit', () => {
  test('hasOfferCatalog services (nested catalogs too) and a ScheduleAction booking target', async () => {
    const { report, site } = await researchSite('precision-auto-repair');
    const p = report.profile;
    expect(p.business_types).toEqual(['AutoRepair']);
    expect(p.services.filter((s) => s.method === 'json-ld').map((s) => s.value)).toEqual(['Brake Repair', 'Oil Change', 'Check Engine Light Diagnostics']);
    expect(values(p.services)).toEqual(expect.arrayContaining(['Transmission Service', 'Timing Belts']));
    expect(values(p.services)).not.toEqual(expect.arrayContaining(['Diagnostics', 'Auto repair services']));
    expect(p.booking_url).toMatchObject({ value: site.url('/schedule'), method: 'json-ld' });
    expect(hoursTable(report)).toEqual([...weekdays('07:30', '18:00'), 'saturday 08:00-16:00']);
    expect(values(p.staff)).toEqual([{ name: 'Rick Alvarez', role: 'Shop Foreman' }]);
  });

  test('eight pages at most, chosen by usefulness; the rest are listed as page_limit; the PDF is never fetched', async () => {
    const { report, site, path } = await researchSite('precision-auto-repair');
    expect(report.pages).toHaveLength(8);
    expect(new Set(report.pages.map((p) => p.kind)).size).toBe(8);
    expect(report.skipped.filter((s) => s.reason === 'page_limit').map((s) => path(s.url))).toEqual(['/schedule', '/fleet-services']);
    expect(site.hits('/coupons.pdf')).toBe(0);
    expect(site.hits('/careers')).toBe(0);
    expect(site.hits('/reviews')).toBe(0);
    // robots.txt plus the eight pages: nothing else was requested.
    expect(site.requests).toHaveLength(9);
  });
});
