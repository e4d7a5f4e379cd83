import type { PostalAddress } from '../research/research-report';

/**
 * The country and time zone a business's calls are read in: phone numbers without a country code
 * are in its country, "tomorrow at 3" is in its zone. From the researched address; a state or
 * province gives the zone (its main one: most of Texas is Central even though El Paso is not),
 * and what the address does not say comes from the defaults.
 */
export interface BusinessLocale {
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** IANA zone. */
  timezone: string;
}

const US_STATES: [code: string, name: string, zone: string][] = [
  ['AL', 'alabama', 'America/Chicago'], ['AK', 'alaska', 'America/Anchorage'], ['AZ', 'arizona', 'America/Phoenix'], ['AR', 'arkansas', 'America/Chicago'],
  ['CA', 'california', 'America/Los_Angeles'], ['CO', 'colorado', 'America/Denver'], ['CT', 'connecticut', 'America/New_York'], ['DE', 'delaware', 'America/New_York'],
  ['DC', 'district of columbia', 'America/New_York'], ['FL', 'florida', 'America/New_York'], ['GA', 'georgia', 'America/New_York'], ['HI', 'hawaii', 'Pacific/Honolulu'],
  ['ID', 'idaho', 'America/Boise'], ['IL', 'illinois', 'America/Chicago'], ['IN', 'indiana', 'America/Indiana/Indianapolis'], ['IA', 'iowa', 'America/Chicago'],
  ['KS', 'kansas', 'America/Chicago'], ['KY', 'kentucky', 'America/New_York'], ['LA', 'louisiana', 'America/Chicago'], ['ME', 'maine', 'America/New_York'],
  ['MD', 'maryland', 'America/New_York'], ['MA', 'massachusetts', 'America/New_York'], ['MI', 'michigan', 'America/Detroit'], ['MN', 'minnesota', 'America/Chicago'],
  ['MS', 'mississippi', 'America/Chicago'], ['MO', 'missouri', 'America/Chicago'], ['MT', 'montana', 'America/Denver'], ['NE', 'nebraska', 'America/Chicago'],
  ['NV', 'nevada', 'America/Los_Angeles'], ['NH', 'new hampshire', 'America/New_York'], ['NJ', 'new jersey', 'America/New_York'], ['NM', 'new mexico', 'America/Denver'],
  ['NY', 'new york', 'America/New_York'], ['NC', 'north carolina', 'America/New_York'], ['ND', 'north dakota', 'America/Chicago'], ['OH', 'ohio', 'America/New_York'],
  ['OK', 'oklahoma', 'America/Chicago'], ['OR', 'oregon', 'America/Los_Angeles'], ['PA', 'pennsylvania', 'America/New_York'], ['RI', 'rhode island', 'America/New_York'],
  ['SC', 'south carolina', 'America/New_York'], ['SD', 'south dakota', 'America/Chicago'], ['TN', 'tennessee', 'America/Chicago'], ['TX', 'texas', 'America/Chicago'],
  ['UT', 'utah', 'America/Denver'], ['VT', 'vermont', 'America/New_York'], ['VA', 'virginia', 'America/New_York'], ['WA', 'washington', 'America/Los_Angeles'],
  ['WV', 'west virginia', 'America/New_York'], ['WI', 'wisconsin', 'America/Chicago'], ['WY', 'wyoming', 'America/Denver'], ['PR', 'puerto rico', 'America/Puerto_Rico'],
];

const CA_PROVINCES: [code: string, name: string, zone: string][] = [
  ['AB', 'alberta', 'America/Edmonton'], ['BC', 'british columbia', 'America/Vancouver'], ['MB', 'manitoba', 'America/Winnipeg'], ['NB', 'new brunswick', 'America/Moncton'],
  ['NL', 'newfoundland and labrador', 'America/St_Johns'], ['NS', 'nova scotia', 'America/Halifax'], ['NT', 'northwest territories', 'America/Yellowknife'],
  ['NU', 'nunavut', 'America/Iqaluit'], ['ON', 'ontario', 'America/Toronto'], ['PE', 'prince edward island', 'America/Halifax'], ['QC', 'quebec', 'America/Toronto'],
  ['SK', 'saskatchewan', 'America/Regina'], ['YT', 'yukon', 'America/Whitehorse'],
];

/** Countries by name and code, with the zone of their largest city where they have one zone in practice. */
const COUNTRIES: [code: string, names: string[], zone: string | null][] = [
  ['US', ['united states', 'united states of america', 'usa', 'us', 'u s', 'u s a', 'america'], null],
  ['CA', ['canada'], null],
  ['GB', ['united kingdom', 'uk', 'u k', 'great britain', 'england', 'scotland', 'wales', 'northern ireland', 'gb'], 'Europe/London'],
  ['IE', ['ireland'], 'Europe/Dublin'],
  ['AU', ['australia'], 'Australia/Sydney'],
  ['NZ', ['new zealand'], 'Pacific/Auckland'],
  ['MX', ['mexico', 'méxico'], 'America/Mexico_City'],
  ['DE', ['germany', 'deutschland'], 'Europe/Berlin'],
  ['FR', ['france'], 'Europe/Paris'],
  ['ES', ['spain', 'españa'], 'Europe/Madrid'],
  ['IT', ['italy', 'italia'], 'Europe/Rome'],
  ['NL', ['netherlands', 'the netherlands', 'holland'], 'Europe/Amsterdam'],
  ['IN', ['india'], 'Asia/Kolkata'],
  ['ZA', ['south africa'], 'Africa/Johannesburg'],
  ['SG', ['singapore'], 'Asia/Singapore'],
  ['PH', ['philippines'], 'Asia/Manila'],
];

function norm(value: string): string {
  return value.toLowerCase().replace(/[.]/g, ' ').replace(/\s+/g, ' ').trim();
}

function countryOf(value: string | undefined): { code: string; zone: string | null } | null {
  if (!value) return null;
  const v = norm(value.slice(0, 100));
  for (const [code, names, zone] of COUNTRIES) if (v === code.toLowerCase() || names.includes(v)) return { code, zone };
  if (/^[a-z]{2}$/.test(v)) return { code: v.toUpperCase(), zone: null };
  return null;
}

function regionOf(value: string | undefined, country: string | null): { country: string; zone: string } | null {
  if (!value) return null;
  const v = norm(value.slice(0, 100));
  const lookups: ['US' | 'CA', [string, string, string][]][] = country === 'CA' ? [['CA', CA_PROVINCES], ['US', US_STATES]] : [['US', US_STATES], ['CA', CA_PROVINCES]];
  for (const [c, table] of lookups) {
    if (country && country !== c) continue;
    for (const [code, name, zone] of table) if (v === code.toLowerCase() || v === name) return { country: c, zone };
  }
  return null;
}

/** "…, Austin, TX 78701" or "…, Toronto, ON M5V 2T6": the region code before the postcode of a one-line address. */
function regionInFormatted(formatted: string | undefined, country: string | null): { country: string; zone: string } | null {
  if (!formatted) return null;
  const parts = formatted.slice(0, 300).split(',').map((p) => p.trim());
  for (let i = parts.length - 1; i >= 1; i--) {
    const words = parts[i].split(' ').filter((w) => w.length > 0);
    for (let n = Math.min(3, words.length); n >= 1; n--) {
      const found = regionOf(words.slice(0, n).join(' '), country);
      if (found) return found;
    }
  }
  return null;
}

export function businessLocale(address: PostalAddress | null | undefined, defaults: BusinessLocale): BusinessLocale {
  if (!address) return { ...defaults };
  const country = countryOf(address.country);
  const region = regionOf(address.region, country?.code ?? null) ?? regionInFormatted(address.formatted, country?.code ?? null);
  if (region) return { country: country?.code ?? region.country, timezone: region.zone };
  if (country) {
    if (country.zone) return { country: country.code, timezone: country.zone };
    return { country: country.code, timezone: country.code === defaults.country ? defaults.timezone : country.code === 'CA' ? 'America/Toronto' : country.code === 'US' ? 'America/New_York' : defaults.timezone };
  }
  return { ...defaults };
}
