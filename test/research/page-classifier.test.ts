import { classifyLink } from '../../core/research/page-classifier';
import { isSameSite, looksLikeNonHtmlFile, pageKey } from '../../core/research/site-scope';

const site = 'https://www.example-dental.com';
const classify = (text: string, path: string) => classifyLink(text, new URL(path, site));

describe('which linked pages are worth fetching', () => {
  test.each([
    ['Contact Us', '/contact-us', 'contact'],
    ['Hours & Location', '/visit', 'hours'],
    ['Our Services', '/what-we-do', 'services'],
    ['Practice Areas', '/practice-areas', 'services'],
    ['FAQ', '/faq', 'faq'],
    ['Dinner Menu', '/dinner', 'menu'],
    ['Meet Our Dentists', '/our-dentists', 'team'],
    ['Pricing', '/pricing', 'pricing'],
    ['Insurance & Payment', '/insurance', 'policies'],
    ['About', '/about-us', 'about'],
    ['Schedule Service', '/schedule', 'booking'],
    ['Book an Appointment', '/appointments', 'booking'],
    // The slug alone is enough when the link text is an icon or "Click here".
    ['', '/faq', 'faq'],
    // Everyday names for what callers ask first.
    ['Service Areas', '/service-areas', 'service_area'],
    ['Areas we serve', '/areas', 'service_area'],
    ['Communities Served', '/where', 'service_area'],
    ['Emergency', '/emergency', 'emergency'],
    ['After-Hours Care', '/after-hours', 'emergency'],
    ['Insurance & payment', '/insurance-payment', 'policies'],
    ['New patients', '/new-patients', 'policies'],
    ['New clients', '/new-clients', 'policies'],
    ['Visit us', '/visit', 'contact'],
    ['Policies', '/policies', 'policies'],
    ['Referrals', '/referrals', 'policies'],
    ['FAQ', '/faq', 'faq'],
  ])('"%s" → %s is a %s page', (text, path, kind) => {
    expect(classify(text, path).kind).toBe(kind);
  });

  test.each([
    ['Blog', '/blog/whitening-tips'],
    ['Careers', '/careers'],
    ['Reviews', '/reviews'],
  ])('"%s" is not worth a fetch', (text, path) => {
    expect(classify(text, path)).toEqual({ kind: 'other', score: 0 });
  });

  test('contact and services outrank legalese and deep pages', () => {
    expect(classify('Contact', '/contact').score).toBeGreaterThan(classify('Privacy Policy', '/privacy').score);
    expect(classify('Privacy Policy', '/privacy').score).toBe(1);
    expect(classify('Services', '/services').score).toBeGreaterThan(classify('Implants', '/services/implants/all-on-4').score);
  });
});

describe('site scope', () => {
  test('www and the bare host are one site; other subdomains, hosts and ports are not', () => {
    const home = new URL('https://www.example-dental.com/');
    expect(isSameSite(home, new URL('http://example-dental.com/contact'))).toBe(true);
    expect(isSameSite(home, new URL('https://WWW.Example-Dental.com/faq'))).toBe(true);
    expect(isSameSite(home, new URL('https://book.example-dental.com/'))).toBe(false);
    expect(isSameSite(home, new URL('https://example-dental.co/'))).toBe(false);
    expect(isSameSite(home, new URL('https://www.example-dental.com:8443/'))).toBe(false);
  });

  test('scheme, www, trailing slash and fragment do not make a different page; the query does', () => {
    const key = (u: string) => pageKey(new URL(u));
    expect(key('https://www.example-dental.com/about/')).toBe(key('http://example-dental.com/about#team'));
    expect(key('https://example-dental.com/')).toBe(key('https://www.example-dental.com'));
    expect(key('https://example-dental.com/menu?lang=it')).not.toBe(key('https://example-dental.com/menu'));
  });

  test('links to documents and media are recognised without downloading them', () => {
    expect(looksLikeNonHtmlFile(new URL('https://x.com/menu.PDF'))).toBe(true);
    expect(looksLikeNonHtmlFile(new URL('https://x.com/logo.png'))).toBe(true);
    expect(looksLikeNonHtmlFile(new URL('https://x.com/menu'))).toBe(false);
    expect(looksLikeNonHtmlFile(new URL('https://x.com/about.html'))).toBe(false);
  });
});
