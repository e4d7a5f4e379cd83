import type { GeneratedAgentConfig } from '../../core/generation/agent-generator';
import { DeterministicAgentGenerator } from '../../core/generation/deterministic-agent-generator';
import { promptWithKnowledge } from '../../core/generation/knowledge-placement';
import { splitAtFences } from '../../core/generation/website-data-fence';
import { OutboundHttpClient } from '../../core/outbound/outbound-http-client';
import type { ResearchReport } from '../../core/research/research-report';
import { ResearchService } from '../../core/research/research-service';
import type { Template } from '../../core/templates/template';
import { getTemplate, type TemplateId } from '../../core/templates/template-catalog';
import { startFixtureSite } from '../support/fixture-site-server';

/**
 * Small-business sites that state what callers ask about in ordinary sentences, or on pages the
 * navigation links under everyday names ("Areas we serve", "Emergency", "Visit us"…). Each is
 * researched over real HTTP and generated for real; every stated fact must reach the knowledge
 * base (in the section a caller's question belongs to) and the agent must never be told it has
 * "no information" about something the site states.
 */
interface Stated {
  /** Knowledge-base section the fact belongs in. */
  section: string;
  /** Words of the site, as they must appear in that section. */
  text: string;
}

interface SiteCase {
  site: string;
  template: TemplateId;
  /** Pages that must be crawled, with the kind the classifier gives them. */
  pages: [string, string][];
  stated: Stated[];
  /** Site chrome that must not be in any reference document. */
  chrome: string[];
}

const CASES: SiteCase[] = [
  {
    site: 'northwind-comfort-hvac',
    template: 'hvac_dispatch',
    pages: [['/areas-we-serve', 'service_area']],
    stated: [
      { section: 'emergency', text: 'emergency repairs are available 24 hours a day, 7 days a week, including holidays' },
      { section: 'service_area', text: 'Meridian' },
      { section: 'service_area', text: 'within 30 miles of downtown Boise' },
      { section: 'payment', text: 'financed over 60 months through Synchrony' },
      { section: 'warranty', text: 'ten-year parts and labor warranty' },
    ],
    chrome: ['All rights reserved', 'Careers'],
  },
  {
    site: 'maple-grove-dental',
    template: 'dental_receptionist',
    pages: [['/new-patients', 'policies'], ['/insurance-payment', 'policies'], ['/visit', 'contact']],
    stated: [
      { section: 'booking', text: "please give us at least 48 hours' notice if you need to cancel or reschedule" },
      { section: 'insurance', text: 'We are in network with Delta Dental, HealthPartners and Cigna' },
      { section: 'payment', text: 'we accept cash, debit, all major credit cards and CareCredit' },
      { section: 'location', text: 'Free parking is available in the lot behind the building' },
      { section: 'emergency', text: 'call before 10 a.m. and we will see you the same day' },
    ],
    chrome: ['All rights reserved'],
  },
  {
    site: 'velvet-chair-salon',
    template: 'salon_booking',
    pages: [['/policies', 'policies']],
    stated: [
      { section: 'booking', text: 'If you arrive more than 15 minutes late, we may need to shorten your service' },
      { section: 'booking', text: 'A $25 deposit holds any color appointment' },
      { section: 'booking', text: 'We ask for 24 hours notice to change or cancel' },
      { section: 'location', text: 'Street parking is free on Alberta' },
      { section: 'payment', text: 'Gift cards are sold at the front desk' },
    ],
    chrome: ['All rights reserved'],
  },
  {
    site: 'cedar-creek-animal-hospital',
    template: 'veterinary_clinic',
    pages: [['/emergency', 'emergency'], ['/new-clients', 'policies']],
    stated: [
      { section: 'emergency', text: 'please take your pet to Triangle Veterinary Emergency Center at 5200 Capital Blvd in Raleigh' },
      { section: 'emergency', text: 'we will fit your pet in the same day' },
      { section: 'payment', text: 'We accept Trupanion pet insurance directly at checkout' },
    ],
    chrome: ['All rights reserved'],
  },
  {
    site: 'oakline-law-group',
    template: 'legal_intake',
    pages: [['/practice-areas', 'services']],
    stated: [
      { section: 'practice_areas', text: 'We do not handle criminal defense, immigration or bankruptcy cases' },
      { section: 'practice_areas', text: "referred to the Columbus Bar Association's Lawyer Referral Service" },
      { section: 'consultations', text: 'Your first consultation is free' },
      { section: 'service_area', text: 'We practice in all Ohio state courts and in the Southern District of Ohio' },
    ],
    chrome: ['Attorney advertising', 'All rights reserved'],
  },
  {
    site: 'harbor-street-bistro',
    template: 'restaurant_reservations',
    pages: [['/visit-us', 'contact'], ['/reservations', 'booking']],
    stated: [
      { section: 'location', text: 'we validate parking tickets for up to two hours' },
      { section: 'location', text: 'Street parking on Commercial Street is free after 6 pm' },
      { section: 'reservations', text: 'We hold reservations for 15 minutes past the booked time' },
      { section: 'reservations', text: 'a $20 per person fee applies to cancellations made on the day' },
      { section: 'dietary', text: 'Most dishes can be made gluten-free' },
    ],
    chrome: ['All rights reserved'],
  },
  {
    site: 'ironworks-auto-care',
    template: 'auto_repair',
    pages: [['/warranty', 'policies']],
    stated: [
      { section: 'payment', text: 'repairs over $500 can be financed with no interest for six months through Synchrony Car Care' },
      { section: 'location', text: 'Free customer parking is in the lot on the north side of the shop' },
      { section: 'booking', text: 'after-hours key drop box' },
      { section: 'warranty', text: '24-month, 24,000-mile parts and labor warranty' },
    ],
    chrome: ['All rights reserved'],
  },
  {
    site: 'lakeside-family-clinic',
    template: 'medical_clinic',
    pages: [['/insurance', 'policies'], ['/patient-info', 'policies']],
    stated: [
      { section: 'insurance', text: 'Blue Cross Blue Shield of Illinois' },
      { section: 'insurance', text: 'Humana' },
      { section: 'insurance', text: 'We do not accept Medicaid managed-care plans' },
      { section: 'emergency', text: 'our on-call nurse line is answered through the main number' },
      { section: 'booking', text: 'cancel at least 24 hours ahead' },
      { section: 'location', text: 'Parking is available in the building garage' },
    ],
    chrome: ['All rights reserved'],
  },
  {
    site: 'clearflow-plumbing',
    template: 'plumbing_dispatch',
    pages: [['/service-area', 'service_area']],
    stated: [
      { section: 'emergency', text: 'Our emergency plumbers are on call around the clock' },
      { section: 'emergency', text: 'after-hours visits carry a flat $95 dispatch fee' },
      { section: 'service_area', text: 'We serve Phoenix, Scottsdale, Tempe, Mesa and Chandler' },
      { section: 'service_area', text: 'Homes in Glendale and Peoria are served on Tuesdays and Thursdays' },
    ],
    // No header, nav or footer elements: the chrome is marked by class names only.
    chrome: ['Website by LocalWebPros', 'ROC #284411'],
  },
];

const http = new OutboundHttpClient({ allowPrivateNetworks: true });
const results = new Map<string, { report: ResearchReport; config: GeneratedAgentConfig; template: Template }>();

async function researched(c: SiteCase) {
  const known = results.get(c.site);
  if (known) return known;
  const site = await startFixtureSite(c.site);
  try {
    const report = await new ResearchService(http).research(site.url('/'));
    const template = getTemplate(c.template) as Template;
    const config = await new DeterministicAgentGenerator().generate({ template, report, agent: { name: 'Sam', language: 'en' } });
    const result = { report, config, template };
    results.set(c.site, result);
    return result;
  } finally {
    await site.close();
  }
}

afterAll(() => http.close());

const flat = (text: string) => text.replace(/\s+/g, ' ');
const noInformationLine = (prompt: string) => prompt.split('\n').find((l) => l.startsWith('In particular, you have no information about:')) ?? '';

test('at least eight sites of different verticals', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(8);
  expect(new Set(CASES.map((c) => c.template)).size).toBeGreaterThanOrEqual(8);
});

describe.each(CASES)('$site ($template)', (c) => {
  test('pages linked under everyday names are crawled', async () => {
    const { report } = await researched(c);
    const crawled = report.pages.map((p) => [new URL(p.url).pathname, p.kind]);
    for (const page of c.pages) expect(crawled).toContainEqual(page);
  });

  test('every stated fact is in its knowledge-base section', async () => {
    const { config } = await researched(c);
    for (const fact of c.stated) {
      const doc = config.knowledge_base.find((d) => d.key === fact.section);
      expect({ section: fact.section, content: flat(doc?.content ?? '(no document)') }).toEqual({ section: fact.section, content: expect.stringContaining(fact.text) });
    }
  });

  test('the agent is never told it has no information about a subject the site speaks of', async () => {
    const { config, template } = await researched(c);
    const gaps = noInformationLine(config.system_prompt).toLowerCase();
    for (const key of new Set(c.stated.map((s) => s.section))) {
      const title = template.knowledge_base_sections.find((s) => s.key === key)?.title.toLowerCase() ?? key;
      expect({ key, gaps }).toEqual({ key, gaps: expect.not.stringContaining(title) });
      const doc = config.knowledge_base.find((d) => d.key === key);
      expect(doc?.content).not.toMatch(/No information about/);
    }
  });

  test('every crawled page is a reference document: its main text, with its address, without site chrome', async () => {
    const { report, config } = await researched(c);
    const references = config.knowledge_base.filter((d) => d.key.startsWith('page:'));
    const withText = report.pages.filter((p) => (p.text ?? []).length > 0);
    expect(withText.length).toBeGreaterThanOrEqual(3);
    for (const page of withText) {
      const path = new URL(page.url).pathname;
      const doc = references.find((d) => d.key === `page:${path}`);
      expect(doc).toMatchObject({ title: page.title, source_url: page.url });
      expect(doc?.content).toContain(page.url);
    }
    for (const doc of references) for (const chrome of c.chrome) expect(doc.content).not.toContain(chrome);
    // What every page repeats is kept once, on the first page that has it.
    const lines = references.flatMap((d) => d.content.split('\n').slice(4)).filter((l) => l.length > 30);
    expect(new Set(lines).size).toBe(lines.length);
    // Every stated fact is also in the page text the agent can look up.
    const all = flat(references.map((d) => d.content).join('\n'));
    for (const fact of c.stated) expect(all).toContain(fact.text);
  });

  test('inlined into the prompt (Vapi), the reference documents stay inside the website-data fence', async () => {
    const { config } = await researched(c);
    const inlined = promptWithKnowledge(config.system_prompt, config.knowledge_base);
    const { outside } = splitAtFences(inlined);
    for (const fact of c.stated) expect(flat(outside.join('\n'))).not.toContain(fact.text);
  });
});
