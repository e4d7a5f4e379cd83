import { mergeDistinct, pickBest, textKey } from './fact-merger';
import { emptyFacts, type FoundFacts } from './page-facts';
import type { BusinessProfile } from './research-report';

/**
 * Keeps the most trustworthy version of each fact the pages' extractors found (schema.org over
 * meta tags over visible text; earlier pages, home first, over later ones).
 */
export function mergeBusinessProfile(pages: FoundFacts[]): { profile: BusinessProfile; warnings: string[] } {
  const facts = emptyFacts();
  for (const page of pages) {
    for (const t of page.businessTypes) if (!facts.businessTypes.includes(t)) facts.businessTypes.push(t);
    for (const key of Object.keys(facts) as (keyof FoundFacts)[]) {
      if (key !== 'businessTypes') (facts[key] as unknown[]).push(...(page[key] as unknown[]));
    }
  }
  const profile = mergeFacts(facts);
  return { profile, warnings: [...facts.notes, ...gapWarnings(profile, facts)] };
}

/**
 * The main number is the one repeated in the header, footer and contact page; a number shown once
 * is more likely a department's. Frequency refines the extractor's own rank, never the method order.
 */
function rankTelephonesByFrequency(facts: FoundFacts): void {
  const counts = new Map<string, number>();
  for (const t of facts.telephone) counts.set(lastTenDigits(t.value), (counts.get(lastTenDigits(t.value)) ?? 0) + 1);
  facts.telephone = facts.telephone.map((t) => ({ ...t, rank: (t.rank ?? 0) * 1000 - (counts.get(lastTenDigits(t.value)) ?? 0) }));
}

function mergeFacts(facts: FoundFacts): BusinessProfile {
  rankTelephonesByFrequency(facts);
  const profile: BusinessProfile = {
    business_types: facts.businessTypes,
    services: mergeDistinct(facts.services, textKey, 60),
    faqs: mergeDistinct(facts.faqs, (f) => textKey(f.question), 50),
    staff: mergeDistinct(facts.staff, (s) => personKey(s.name), 40).map((s) => {
      if (s.value.role) return s;
      // Structured data often names people without their role; the team page says it.
      const role = facts.staff.find((c) => personKey(c.value.name) === personKey(s.value.name) && c.value.role)?.value.role;
      return role ? { ...s, value: { ...s.value, role } } : s;
    }),
    policies: mergeDistinct(facts.policies, textKey, 15),
    social_links: mergeDistinct(facts.socialLinks, (u) => u.toLowerCase(), 15),
  };
  const single = {
    name: pickBest(facts.name),
    description: pickBest(facts.description),
    telephone: pickBest(facts.telephone),
    email: pickBest(facts.email),
    address: pickBest(facts.address),
    hours: pickBest(facts.hours),
    price_range: pickBest(facts.priceRange),
    booking_url: pickBest(facts.bookingUrl),
  };
  for (const [key, value] of Object.entries(single)) if (value) Object.assign(profile, { [key]: value });
  return profile;
}

/** "Dr. Emily Carter, DDS" and "Emily Carter" are the same person. */
function personKey(name: string): string {
  return textKey(name.replace(/^(dr|mr|mrs|ms|mx|prof)\.?\s+/i, '').replace(/,.*$/, ''));
}

function gapWarnings(profile: BusinessProfile, facts: FoundFacts): string[] {
  const warnings: string[] = [];
  if (!profile.name) warnings.push('no business name found');
  if (!profile.telephone) warnings.push('no telephone number found');
  if (!profile.address) warnings.push('no street address found');
  if (!profile.hours) warnings.push('no opening hours found');
  if (profile.services.length === 0) warnings.push('no services found');
  if (profile.telephone) {
    const chosen = lastTenDigits(profile.telephone.value);
    const others = [...new Set(facts.telephone.map((t) => lastTenDigits(t.value)))].filter((d) => d !== chosen && d.length >= 10);
    if (others.length > 0) warnings.push(`${others.length + 1} different telephone numbers found; using ${profile.telephone.value} (${profile.telephone.method})`);
  }
  return warnings;
}

function lastTenDigits(phone: string): string {
  return phone.replace(/\D/g, '').slice(-10);
}
