import type { Element } from 'domhandler';
import type { FoundFacts } from './page-facts';
import { collapse, textOf } from './page-outline';
import type { ParsedPage } from './parsed-page';

/** Booking links and social profiles, both recognised from where a link goes and what it says. */

const SOCIAL_HOSTS = [
  'facebook.com', 'instagram.com', 'twitter.com', 'x.com', 'linkedin.com', 'youtube.com', 'tiktok.com', 'yelp.com', 'pinterest.com',
  'nextdoor.com', 'threads.net', 'houzz.com', 'tripadvisor.com', 'angi.com', 'bbb.org',
];
/** Share buttons and embeds point at the network, not at the business's profile. */
const SOCIAL_NON_PROFILE = /\/(sharer|share|intent|dialog|plugins|embed|hashtag|search|login|tr)\b|[?&](u|url|text)=/i;

const BOOKING_HOSTS = [
  'calendly.com', 'zocdoc.com', 'opentable.com', 'resy.com', 'exploretock.com', 'vagaro.com', 'booksy.com', 'squareup.com', 'square.site',
  'acuityscheduling.com', 'as.me', 'schedulicity.com', 'mindbodyonline.com', 'housecallpro.com', 'servicetitan.com', 'getjobber.com',
  'clienthub.getjobber.com', 'localmed.com', 'nexhealth.com', 'setmore.com', 'simplybook.me', 'fresha.com', 'glossgenius.com', 'styleseat.com',
  'petdesk.com', 'vetstoria.com', 'sevenrooms.com', 'yelp.com/reservations', 'book.servicetitan.com', 'clio.com', 'lawmatics.com',
];
const BOOKING_TEXT = /\b(book|booking|schedule|reserve|reservations?|appointments?|request (?:an? )?(?:appointment|visit|service)|make an appointment)\b/i;
const BOOKING_PATH = /book|schedul|reserv|appointment/i;

function hostMatches(url: URL, hosts: string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  return hosts.some((h) => {
    const [domain, path] = h.split(/\/(.*)/s);
    const hostOk = host === domain || host.endsWith(`.${domain}`);
    return hostOk && (!path || url.pathname.startsWith(`/${path}`));
  });
}

export function isSocialProfile(url: URL): boolean {
  if (!hostMatches(url, SOCIAL_HOSTS) || SOCIAL_NON_PROFILE.test(url.pathname + url.search)) return false;
  return url.pathname.replace(/\/+$/, '').length > 1;
}

/** Tracking parameters and trailing slashes make the same profile look like two. */
export function canonicalSocialUrl(url: URL): string {
  const clean = new URL(url.href);
  clean.search = '';
  clean.hash = '';
  clean.protocol = 'https:';
  clean.hostname = clean.hostname.toLowerCase().replace(/^(www\.|m\.)/, '');
  return clean.href.replace(/\/+$/, '');
}

export function isBookingPlatform(url: URL): boolean {
  return hostMatches(url, BOOKING_HOSTS);
}

export function extractLinks(page: ParsedPage, into: FoundFacts): void {
  const { $ } = page;
  $('a[href]').each((_, a: Element) => {
    const href = ($(a).attr('href') ?? '').trim();
    if (!href || href.startsWith('#') || /^(mailto|tel|sms|javascript|data):/i.test(href)) return;
    let url: URL;
    try {
      url = new URL(href, page.url);
    } catch {
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
    if (isSocialProfile(url)) {
      into.socialLinks.push({ value: canonicalSocialUrl(url), source_url: page.url, method: 'link' });
      return;
    }
    const label = collapse(`${textOf(a)} ${$(a).attr('aria-label') ?? ''} ${$(a).attr('title') ?? ''}`);
    const byText = BOOKING_TEXT.test(label);
    const byHost = isBookingPlatform(url);
    const byPath = BOOKING_PATH.test(url.pathname);
    if (!byText && !byHost) return;
    // A real booking system beats a "Book now" button that only leads to the contact form.
    const score = (byHost ? 4 : 0) + (byText ? 2 : 0) + (byPath ? 1 : 0);
    into.bookingUrl.push({ value: url.href.replace(/#.*$/, ''), source_url: page.url, method: 'link', rank: -score });
  });
}
