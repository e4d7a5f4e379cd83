/**
 * What an ordinary sentence on a business's site is about, for the subjects callers ask after:
 * emergencies, where the business works, its booking rules, parking, payment, insurance…
 *
 * Website text is untrusted and may be built to exhaust the CPU, so nothing here runs a regular
 * expression that could backtrack over it: a sentence is lower-cased and reduced to words in one
 * pass, and each rule is a plain substring search for a phrase between word boundaries. Cost is
 * linear in the sentence length times the (fixed) number of phrases; sentences are capped.
 */
export const PROSE_TOPICS = [
  'emergency',
  'service_area',
  'cancellation',
  'late',
  'holding',
  'referrals',
  'parking',
  'payment',
  'insurance',
  'hours',
  'pricing',
  'warranty',
  'booking',
  'consultations',
  'dietary',
  'private_events',
  'vehicles',
] as const;
export type ProseTopic = (typeof PROSE_TOPICS)[number];

/**
 * Phrases are written in the normalized form: lower case, words separated by single spaces, every
 * other character dropped ("24/7" is "24 7", "after-hours" is "after hours"). A trailing "*"
 * matches any word starting with what precedes it ("cancel*": cancel, cancels, cancellation).
 */
const PHRASES: Record<ProseTopic, string[]> = {
  emergency: [
    'emergency', 'emergencies', 'after hours', 'afterhours', 'out of hours', '24 7', '24 hours a day', 'around the clock', 'urgent*', 'on call',
    'nurse line', 'same day emergency', 'no heat', 'no cooling', 'no ac', 'burst pipe*', 'overnight', 'nights and weekends', 'answering service',
  ],
  service_area: [
    'service area*', 'areas we serve', 'area we serve', 'areas served', 'we serve', 'we proudly serve', 'proudly serving', 'serving', 'serve the',
    'surrounding', 'county', 'counties', 'miles of', 'mile radius', 'neighborhoods', 'neighbourhoods', 'communities', 'we travel', 'travel to',
    'we cover', 'coverage area', 'suburbs', 'metro area', 'zip code*', 'postcode*', 'jurisdiction*', 'licensed in', 'admitted in', 'statewide', 'state courts', 'federal court*', 'district of', 'courts in', 'practice in',
  ],
  cancellation: ['cancel*', 'reschedul*', 'no show*', 'noshow*', 'hours notice', 'hours of notice', 'hour notice', 'days notice', 'missed appointment*', 'broken appointment*'],
  late: ['late', 'lateness', 'minutes late', 'running behind', 'tardy', 'grace period', 'arrive early', 'arrive 10', 'arrive 15', 'arrive 5'],
  holding: ['hold', 'holds', 'held', 'holding', 'deposit*', 'reserve your', 'secure your', 'card on file', 'credit card to book', 'to secure'],
  referrals: ['refer*', 'referral*', 'we do not handle', 'we don t handle', 'we do not take', 'we don t take', 'outside our practice', 'recommend another', 'partner firm*', 'specialist*'],
  parking: ['parking', 'park', 'parked', 'garage', 'valet', 'street parking', 'validated parking', 'parking validation', 'entrance', 'wheelchair', 'accessible', 'bus', 'train', 'subway', 'transit', 'directions'],
  payment: [
    'pay', 'pays', 'paying', 'payment*', 'financing', 'finance', 'credit card*', 'debit', 'cash', 'checks', 'personal check*', 'cheque*', 'visa', 'mastercard',
    'american express', 'amex', 'discover card', 'apple pay', 'google pay', 'venmo', 'zelle', 'carecredit', 'care credit', 'scratchpay', 'synchrony',
    'affirm', 'klarna', 'gift card*', 'we accept', 'accepted', 'invoice*', 'billing', 'payable', 'due at',
  ],
  insurance: [
    'insurance', 'insurances', 'insurer*', 'insured', 'ppo', 'hmo', 'medicaid', 'medicare', 'in network', 'out of network', 'delta dental', 'cigna',
    'aetna', 'metlife', 'guardian', 'unitedhealthcare', 'united healthcare', 'blue cross', 'blue shield', 'humana', 'tricare', 'kaiser', 'trupanion',
    'nationwide', 'healthy paws', 'carrier*', 'copay*', 'co pay*', 'deductible*', 'plans we accept', 'self pay',
  ],
  hours: ['open', 'opens', 'closed', 'closes', 'hours', 'monday*', 'tuesday*', 'wednesday*', 'thursday*', 'friday*', 'saturday*', 'sunday*', 'weekday*', 'weekend*', 'holiday*', 'mon', 'fri', 'sat', 'sun'],
  pricing: ['price*', 'pricing', 'cost*', 'fee', 'fees', 'rate', 'rates', 'charge*', 'estimate*', 'quote*', 'special*', 'coupon*', 'discount*', 'free estimate*', 'free exam*', 'free inspection*', 'free diagnostic*', 'no charge'],
  warranty: ['warrant*', 'guarantee*'],
  booking: [
    'appointment*', 'book', 'booking', 'booked', 'schedule', 'scheduling', 'walk in*', 'walkin*', 'new patient*', 'new client*', 'forms', 'reservation*', 'reserve',
    'drop off', 'dropoff', 'drop box', 'key drop', 'loaner*', 'shuttle', 'wait', 'waiting', 'first visit', 'arrive',
  ],
  consultations: ['consultation*', 'consult', 'case review', 'case evaluation', 'contingency', 'retainer', 'no fee unless', 'initial meeting', 'free consultation'],
  dietary: ['allerg*', 'gluten*', 'vegan', 'vegetarian', 'dairy', 'nut free', 'peanut*', 'shellfish', 'kosher', 'halal', 'dietary', 'celiac'],
  private_events: ['private event*', 'private dining', 'private room*', 'private part*', 'catering', 'banquet*', 'buyout*', 'buy out*', 'large group*', 'large part*'],
  vehicles: ['all makes', 'makes and models', 'make and model', 'domestic', 'import', 'imports', 'european', 'asian', 'diesel', 'hybrid*', 'electric vehicle*', 'evs', 'fleet*', 'all vehicles'],
};

/** Sentences longer than this are cut: no real sentence is, and classifying costs per character. */
export const MAX_SENTENCE_CHARS = 400;

/** Lower case, letters/digits/$ kept, everything else one space, padded with spaces at both ends. Linear. */
export function normalizeWords(text: string): string {
  let out = ' ';
  let space = true;
  const lower = text.toLowerCase();
  for (let i = 0; i < lower.length; i++) {
    const ch = lower[i];
    const code = lower.charCodeAt(i);
    // Letters beyond ASCII count when they have case ("é", "ü"); dashes, quotes and symbols do not.
    const word = (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || ch === '$' || (code > 0xbf && ch.toUpperCase() !== ch);
    if (word) {
      out += ch;
      space = false;
    } else if (!space) {
      // "don't" becomes "don t", "after-hours" "after hours": as the phrases are written.
      out += ' ';
      space = true;
    }
  }
  return space ? out : `${out} `;
}

function hasPhrase(words: string, phrase: string): boolean {
  if (phrase.endsWith('*')) return words.includes(` ${phrase.slice(0, -1)}`);
  return words.includes(` ${phrase} `);
}

/** The topics one sentence (or heading) speaks of, in PROSE_TOPICS order. */
export function topicsOf(text: string): ProseTopic[] {
  const words = normalizeWords(text.slice(0, MAX_SENTENCE_CHARS));
  return PROSE_TOPICS.filter((topic) => PHRASES[topic].some((p) => hasPhrase(words, p)));
}

/**
 * Splits a paragraph into sentences at ". ", "! " and "? " (and line ends), without a regular
 * expression: one pass over the characters. Abbreviations like "Dr. Lee" may split a sentence in
 * two; each half still carries its words, which is all classification needs.
 */
export function sentencesOf(paragraph: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  for (let i = 0; i < paragraph.length; i++) {
    const ch = paragraph[i];
    if ((ch === '.' || ch === '!' || ch === '?') && (i + 1 === paragraph.length || paragraph[i + 1] === ' ')) {
      // "St. Paul", "Dr. Lee", "a.m. to": a short word before the dot is not a sentence end.
      const wordStart = paragraph.lastIndexOf(' ', i) + 1;
      const next = paragraph[i + 2];
      if (ch === '.' && i - wordStart <= 3 && next !== undefined && !(next >= 'A' && next <= 'Z')) continue;
      if (ch === '.' && i - wordStart <= 2 && next !== undefined) continue;
      push(sentences, paragraph.slice(start, i + 1));
      start = i + 1;
    }
  }
  push(sentences, paragraph.slice(start));
  return sentences;
}

function push(into: string[], sentence: string): void {
  const trimmed = sentence.trim();
  if (trimmed.length === 0) return;
  into.push(trimmed.length > MAX_SENTENCE_CHARS ? `${trimmed.slice(0, MAX_SENTENCE_CHARS - 1)}…` : trimmed);
}
