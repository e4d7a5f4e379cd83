import { CountryCode, findPhoneNumbersInText } from 'libphonenumber-js';
import { WEBSITE_DATA_CLOSE, WEBSITE_DATA_NOTICE, WEBSITE_DATA_OPEN } from '../generation/website-data-fence';
import type { KbFlag, KbFlagValueKind } from './kb-flags';
import type { KbDocument } from './knowledge-base-model';
import { isDeflection, keywords, questionIn } from './unanswered-questions';

/**
 * Agent answers that contradict the knowledge base, found without a model: the agent's sentence
 * answering a caller's question and the KB sentences on the same subject (shared keywords, the
 * document's title counting as the sentence's) are compared by the typed values they state —
 * times of day, amounts of money, phone numbers, open or closed on a day, and whether a named
 * thing is accepted or offered. A flag is raised only when the KB states a value of that kind on
 * the subject and no KB sentence on it agrees with the agent: silence in the KB, or any agreeing
 * sentence, means no flag. Transcripts are untrusted: everything is bounded by the caps below,
 * each text is scanned a fixed number of times, and the work per agent sentence is capped.
 */
export const CONTRADICTION_LIMITS = {
  /** KB sentences longer than this are not compared (they are not one statement). */
  sentenceChars: 400,
  kbSentences: 4_000,
  /** Of each turn, only this much text is read. */
  turnChars: 4_000,
  turnsPerCall: 400,
  /** Agent sentences stating a value that are compared, over all calls. */
  agentSentences: 1_000,
  /** KB sentences compared per keyword (the first ones): the work per agent sentence stays bounded. */
  postings: 300,
  /** KB sentences an agent sentence is compared with: those sharing most words with it. */
  candidates: 50,
  flags: 50,
} as const;

type Turn = { role: 'agent' | 'caller'; text: string };

/** A value as said (`raw`) and what it means (`keys`: a bare "9" means 9 am or 9 pm). */
interface Value {
  raw: string;
  keys: string[];
}

interface Stance {
  /** accept (take), offer (provide), serve, treat. */
  verb: string;
  negated: boolean;
  objects: Set<string>;
}

interface Facts {
  time: Value[];
  money: Value[];
  phone: Value[];
  /** Days the sentence says are closed / open (days named with "closed", or with times). */
  closedDays: Set<number>;
  openDays: Set<number>;
  days: Set<number>;
  stances: Stance[];
}

interface KbSentence {
  doc: KbDocument;
  text: string;
  topics: Set<string>;
  facts: Facts;
  keys: Record<'time' | 'money' | 'phone', Set<string>>;
}

const DAY_WORDS: Record<string, number> = { sunday: 0, monday: 1, tuesday: 2, tues: 2, wednesday: 3, thursday: 4, thurs: 4, friday: 5, saturday: 6 };
const DAY = '(sunday|monday|tuesday|tues|wednesday|thursday|thurs|friday|saturday)s?';
/** "Monday", "Monday–Friday", "Monday through Friday": one pass, no nested repetition. */
const DAYS_RE = new RegExp(`\\b${DAY}\\b(?:\\s*(?:-|–|—|to|through|thru|until)\\s*${DAY}\\b)?`, 'gi');
const DAY_GROUPS: [RegExp, number[]][] = [
  [/\bweekdays?\b/i, [1, 2, 3, 4, 5]],
  [/\bweekends?\b/i, [0, 6]],
  [/\b(?:daily|every day|seven days|7 days)\b/i, [0, 1, 2, 3, 4, 5, 6]],
];

/** Not inside a longer number, an address or a price: "127.0.0.1:8080" and "$12" hold no time. */
const TIME_RE = /(?<![\w.:/$£€])(\d{1,2})(?::([0-5]\d))?(?![\d:])(?:\s?([ap])\.?\s?m\b\.?)?|\b(noon|midday|midnight)\b/gi;
/** A bare number is a time only after one of these words (or a dash after a time): "at 9", "from 8 to 5", "8–5". */
const TIME_LEAD = new Set(['at', 'from', 'until', 'till', 'til', 'to', 'by', 'open', 'opens', 'close', 'closes', 'between', 'after', 'before', 'around', 'and']);
const NOT_A_TIME_AFTER = /^\s*(?:%|hours?|hrs?|minutes?|mins?|days?|weeks?|months?|years?|dollars?|miles?|people|percent|patients?|times?|x\b|[/.,]\d)/i;
const MONEY_RE = /[$£€]\s?(\d{1,3}(?:,\d{3})+|\d{1,7})(?:\.(\d{2}))?|\b(\d{1,7})(?:\.(\d{2}))?\s?(?:dollars|bucks)\b/gi;

const VERBS: Record<string, string> = {
  accept: 'accept', accepts: 'accept', accepting: 'accept', accepted: 'accept', take: 'accept', takes: 'accept', taking: 'accept',
  offer: 'offer', offers: 'offer', offering: 'offer', provide: 'offer', provides: 'offer', providing: 'offer',
  serve: 'serve', serves: 'serve', serving: 'serve', treat: 'treat', treats: 'treat', treating: 'treat',
};
const NEGATIONS = new Set(['not', "don't", 'dont', "doesn't", 'doesnt', 'no', 'never', "can't", 'cant', 'cannot', "won't", "aren't", "isn't", "didn't", 'longer', 'neither', 'nor']);
/** Words too general to name the subject two sentences share. */
const GENERIC = new Set(['yes', 'yeah', 'sure', 'okay', 'thank', 'thanks', 'great', 'just', 'also', 'like', 'please', 'sorry', 'course', 'absolutely', 'definitely', 'help', 'today', 'tomorrow', 'need', 'want', 'know', 'tell', 'get', 'let', 'well', 'right', 'really', 'usually', 'always', 'actually', 'currently', 'summary', 'one', 'all', 'not', "don't", 'dont', 'but', 'only', 'all', 'day', 'week', 'every', 'daily']);

/**
 * "How much is an implant?" and "A cleaning costs $95" share "cost" but not their subject: an
 * amount is compared only with a KB sentence sharing a word besides these.
 */
const MONEY_WORDS = new Set(['cost', 'price', 'pric', 'fee', 'charg', 'rate', 'rat', 'pay', 'dollar', 'much', 'amount', 'usd', 'insurance', 'cash', 'card', 'payment']);

/** Words that name one subject in different ways ("open", "close", "time" and "hours" are all the opening hours). */
const SAME_SUBJECT: Record<string, string> = { open: 'hour', clos: 'hour', tim: 'hour', hour: 'hour', pric: 'cost', fee: 'cost', charg: 'cost', phon: 'number' };

const stem = (w: string): string => {
  let s = w.length > 5 && w.endsWith('ing') ? w.slice(0, -3) : w;
  if (s.length > 3 && s.endsWith('e')) s = s.slice(0, -1);
  return SAME_SUBJECT[s] ?? s;
};

/** Subject words of a text: its keywords, stemmed, without days or filler. */
function topicWords(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of keywords(text)) {
    if (w in DAY_WORDS || DAY_WORDS[w.replace(/s$/, '')] !== undefined || GENERIC.has(w) || /^\d+$/.test(w)) continue;
    out.add(stem(w));
  }
  return out;
}

/**
 * Sentences and clauses, verbatim: split at line breaks, ";", "!", "?" and at "." before a space
 * (not the dots of "a.m." or "8.30"). One pass.
 */
export function clausesOf(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  const push = (end: number, next: number) => {
    const s = text.slice(start, end).trim();
    if (s.length >= 3) out.push(s);
    start = next;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || c === ';') push(i, i + 1);
    else if (c === '!' || c === '?') push(i + 1, i + 1);
    else if (c === '.' && (i + 1 === text.length || /\s/.test(text[i + 1])) && text[i - 2] !== '.') push(i + 1, i + 1);
  }
  push(text.length, text.length);
  return out;
}

function daysIn(text: string): Set<number> {
  const days = new Set<number>();
  for (const m of text.matchAll(DAYS_RE)) {
    const from = DAY_WORDS[m[1].toLowerCase()];
    const to = m[2] ? DAY_WORDS[m[2].toLowerCase()] : from;
    // a range wraps past Saturday when it ends before it starts ("Friday–Monday")
    for (let d = from, n = 0; n < 7; d = (d + 1) % 7, n++) {
      days.add(d);
      if (d === to) break;
    }
  }
  for (const [re, list] of DAY_GROUPS) if (re.test(text)) for (const d of list) days.add(d);
  return days;
}

const hhmm = (minutes: number) => `${Math.floor(minutes / 60) % 24}:${String(minutes % 60).padStart(2, '0')}`;

function timesIn(text: string): Value[] {
  const out: Value[] = [];
  let lastEnd = -10;
  for (const m of text.matchAll(TIME_RE)) {
    const at = m.index ?? 0;
    const end = at + m[0].length;
    if (m[4]) {
      const word = m[4].toLowerCase();
      out.push({ raw: m[0], keys: [hhmm(word === 'midnight' ? 0 : 720)] });
      lastEnd = end;
      continue;
    }
    const hour = Number(m[1]);
    const minutes = m[2] ? Number(m[2]) : 0;
    const meridiem = m[3]?.toLowerCase();
    const before = text.slice(Math.max(0, at - 12), at);
    if (before.endsWith('$') || /[$£€]\s?$/.test(before)) continue;
    if (!meridiem && NOT_A_TIME_AFTER.test(text.slice(end, end + 10))) continue;
    const lead = /([a-z]+)\s*$/i.exec(before)?.[1]?.toLowerCase();
    const afterDash = /[-–—]\s*$/.test(before) && at - lastEnd <= 4;
    if (!meridiem && !m[2] && !(lead && TIME_LEAD.has(lead)) && !afterDash) continue;
    if (meridiem ? hour < 1 || hour > 12 : hour > 23) continue;
    let keys: number[];
    if (meridiem) keys = [(hour % 12) * 60 + minutes + (meridiem === 'p' ? 720 : 0)];
    else if (hour <= 12) keys = [(hour % 12) * 60 + minutes, (hour % 12) * 60 + minutes + 720];
    else keys = [hour * 60 + minutes];
    out.push({ raw: m[0].trim(), keys: keys.map(hhmm) });
    lastEnd = end;
  }
  return out;
}

function moneyIn(text: string): Value[] {
  const out: Value[] = [];
  for (const m of text.matchAll(MONEY_RE)) {
    const whole = (m[1] ?? m[3]).replace(/,/g, '');
    const cents = m[2] ?? m[4] ?? '00';
    out.push({ raw: m[0].trim(), keys: [`${Number(whole)}.${cents}`] });
  }
  return out;
}

function phonesIn(text: string, country: CountryCode): Value[] {
  // cheap gate: the library's scanner only runs on text with enough digits to hold a number
  let digits = 0;
  for (let i = 0; i < text.length && digits < 7; i++) if (text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) digits++;
  if (digits < 7) return [];
  return findPhoneNumbersInText(text, country).map((f) => ({ raw: text.slice(f.startsAt, f.endsAt), keys: [f.number.number] }));
}

/** "We accept Cigna", "we don't take Cigna": the verb, whether it is negated, and what follows it. */
function stancesIn(text: string): Stance[] {
  const words = text.toLowerCase().split(/[^a-z0-9']+/).filter(Boolean);
  const out: Stance[] = [];
  for (let i = 0; i < words.length; i++) {
    const verb = VERBS[words[i]];
    if (!verb) continue;
    let negated = false;
    for (let j = Math.max(0, i - 3); j < i; j++) if (NEGATIONS.has(words[j]) || words[j].endsWith("n't")) negated = true;
    const objects = topicWords(words.slice(i + 1, i + 12).join(' '));
    if (objects.size > 0) out.push({ verb, negated, objects });
  }
  return out;
}

function factsOf(raw: string, country: CountryCode): Facts {
  // a web address's digits are neither times nor phone numbers
  const text = raw.replace(/\bhttps?:\/\/\S+/gi, ' ');
  const phone = phonesIn(text, country);
  // a phone number's digits are not times or prices
  let rest = text;
  for (const p of phone) rest = rest.split(p.raw).join(' ');
  const time = timesIn(rest);
  const days = daysIn(text);
  const closed = /\bclosed\b/i.test(text);
  return {
    time,
    money: moneyIn(rest),
    phone,
    days,
    closedDays: closed && time.length === 0 ? days : new Set(),
    openDays: !closed && (time.length > 0 || /\bopen\b/i.test(text)) && !/\b(?:not|n't|never)\b[^.]{0,20}\bopen\b/i.test(text) ? days : new Set(),
    stances: stancesIn(text),
  };
}

const intersects = <T>(a: Set<T>, b: Iterable<T>) => {
  for (const x of b) if (a.has(x)) return true;
  return false;
};
const keysOf = (values: Value[]) => new Set(values.flatMap((v) => v.keys));

/** KB sentences, verbatim from each document's content (fence markers and the fence notice left out). */
function kbSentences(documents: KbDocument[], country: CountryCode): KbSentence[] {
  const out: KbSentence[] = [];
  for (const doc of documents) {
    const titleTopics = topicWords(doc.title);
    for (const text of clausesOf(doc.content)) {
      if (out.length >= CONTRADICTION_LIMITS.kbSentences) return out;
      if (text.length > CONTRADICTION_LIMITS.sentenceChars || text === WEBSITE_DATA_OPEN || text === WEBSITE_DATA_CLOSE || WEBSITE_DATA_NOTICE.includes(text)) continue;
      const facts = factsOf(text, country);
      out.push({ doc, text, topics: new Set([...topicWords(text), ...titleTopics]), facts, keys: { time: keysOf(facts.time), money: keysOf(facts.money), phone: keysOf(facts.phone) } });
    }
  }
  return out;
}

interface Verdict {
  value_kind: KbFlagValueKind;
  agent_values: string[];
  /** null: this KB sentence says nothing of the kind; true: it agrees; else the values it states. */
  compare(kb: KbSentence, shared: Set<string>): { agrees: boolean; kb_values: string[] } | null;
}

/** What the agent's sentence claims, each as a test against one KB sentence. */
function claimsOf(facts: Facts, scope: Set<number>): Verdict[] {
  const out: Verdict[] = [];
  const dayScoped = (kb: KbSentence) => scope.size === 0 || kb.facts.days.size === 0 || intersects(kb.facts.days, scope);
  const valueClaim = (kind: 'time' | 'money' | 'phone', values: Value[], dayBound: boolean) => {
    if (values.length === 0) return;
    const keys = keysOf(values);
    out.push({
      value_kind: kind,
      agent_values: values.map((v) => v.raw),
      compare(kb, shared) {
        const theirs = kb.facts[kind];
        if (theirs.length === 0 || (dayBound && !dayScoped(kb))) return null;
        if (kind === 'money' && ![...shared].some((w) => !MONEY_WORDS.has(w))) return null;
        return { agrees: intersects(kb.keys[kind], keys), kb_values: theirs.map((v) => v.raw) };
      },
    });
  };
  valueClaim('time', facts.time, true);
  valueClaim('money', facts.money, false);
  valueClaim('phone', facts.phone, false);
  if (facts.closedDays.size > 0) {
    const days = facts.closedDays;
    out.push({
      value_kind: 'open_day',
      agent_values: ['closed'],
      compare(kb) {
        if (!intersects(kb.facts.days, days)) return null;
        if (intersects(kb.facts.closedDays, days)) return { agrees: true, kb_values: ['closed'] };
        if (intersects(kb.facts.openDays, days) && kb.facts.time.length > 0) return { agrees: false, kb_values: kb.facts.time.map((t) => t.raw) };
        return null;
      },
    });
  } else if (facts.openDays.size > 0) {
    const days = facts.openDays;
    out.push({
      value_kind: 'open_day',
      agent_values: ['open'],
      compare(kb) {
        if (!intersects(kb.facts.days, days)) return null;
        if (intersects(kb.facts.openDays, days)) return { agrees: true, kb_values: ['open'] };
        if (intersects(kb.facts.closedDays, days)) return { agrees: false, kb_values: ['closed'] };
        return null;
      },
    });
  }
  // "We don't offer X on weekends" qualifies a statement rather than contradicting "We offer X".
  if (facts.days.size === 0) {
    for (const s of facts.stances) {
      out.push({
        value_kind: 'service',
        agent_values: [`${s.negated ? 'does not ' : ''}${s.verb}: ${[...s.objects].join(' ')}`],
        compare(kb) {
          const same = kb.facts.stances.filter((k) => k.verb === s.verb && intersects(k.objects, s.objects));
          if (same.length === 0) return null;
          return { agrees: same.some((k) => k.negated === s.negated), kb_values: same.map((k) => `${k.negated ? 'does not ' : ''}${k.verb}`) };
        },
      });
    }
  }
  return out;
}

/** Flags the agent's answers to callers' questions that contradict the KB (see the module comment). */
export function findContradictions(transcripts: Map<string, Turn[]>, documents: KbDocument[], options: { country?: CountryCode } = {}): KbFlag[] {
  const country = options.country ?? 'US';
  const kb = kbSentences(documents, country);
  if (kb.length === 0) return [];
  const index = new Map<string, number[]>();
  kb.forEach((s, i) => {
    for (const t of s.topics) {
      const list = index.get(t) ?? [];
      if (list.length < CONTRADICTION_LIMITS.postings) list.push(i);
      index.set(t, list);
    }
  });
  const flags: KbFlag[] = [];
  const seen = new Set<string>();
  let budget: number = CONTRADICTION_LIMITS.agentSentences;
  for (const [callId, all] of transcripts) {
    const turns = all.slice(0, CONTRADICTION_LIMITS.turnsPerCall);
    for (let i = 0; i < turns.length - 1; i++) {
      if (turns[i].role !== 'caller' || turns[i + 1].role !== 'agent') continue;
      const reply = turns[i + 1].text.slice(0, CONTRADICTION_LIMITS.turnChars);
      const question = questionIn(turns[i].text.slice(0, CONTRADICTION_LIMITS.turnChars));
      if (!question || isDeflection(reply)) continue;
      const questionTopics = topicWords(question);
      const questionDays = daysIn(question);
      for (const sentence of clausesOf(reply)) {
        if (sentence.length > CONTRADICTION_LIMITS.sentenceChars) continue;
        const facts = factsOf(sentence, country);
        const claims = claimsOf(facts, facts.days.size > 0 ? facts.days : questionDays);
        if (claims.length === 0) continue;
        if (--budget < 0) return flags;
        // the KB sentences on the subject: sharing a word with the question or the answer
        const shared = new Map<number, number>();
        const topics = new Set([...questionTopics, ...topicWords(sentence)]);
        for (const t of topics) {
          const list = index.get(t);
          if (!list) continue;
          for (const k of list) shared.set(k, (shared.get(k) ?? 0) + 1);
        }
        if (shared.size === 0) continue;
        const onTopic = [...shared.entries()]
          .sort((a, b) => b[1] - a[1] || a[0] - b[0])
          .slice(0, CONTRADICTION_LIMITS.candidates)
          .map(([k]) => kb[k]);
        for (const claim of claims) {
          let agrees = false;
          let first: { kb: KbSentence; kb_values: string[] } | null = null;
          for (const s of onTopic) {
            const r = claim.compare(s, new Set([...topics].filter((t) => s.topics.has(t))));
            if (!r) continue;
            if (r.agrees) {
              agrees = true;
              break;
            }
            first ??= { kb: s, kb_values: r.kb_values };
          }
          if (agrees || !first) continue;
          const key = `${callId}|${i + 1}|${claim.value_kind}|${sentence}`;
          if (seen.has(key)) continue;
          seen.add(key);
          flags.push({
            kind: 'contradiction',
            value_kind: claim.value_kind,
            call_id: callId,
            turn: i + 1,
            quote: sentence,
            doc_id: first.kb.doc.id,
            doc_title: first.kb.doc.title,
            kb_quote: first.kb.text,
            agent_values: claim.agent_values,
            kb_values: first.kb_values,
            detail: `Asked "${question.slice(0, 200)}", the agent said "${sentence}" (${claim.agent_values.join(', ')}); the knowledge base document "${first.kb.doc.title}" says "${first.kb.text}" (${first.kb_values.join(', ')}).`,
          });
          if (flags.length >= CONTRADICTION_LIMITS.flags) return flags;
        }
      }
    }
  }
  return flags;
}

/**
 * The checkable values a text states (times, amounts, phone numbers), each as said and as keys
 * to compare: a drafted answer may state only values its quoted site sentences state too.
 */
export function statedValues(text: string, country: CountryCode = 'US'): { raw: string; keys: string[] }[] {
  const facts = factsOf(text.slice(0, CONTRADICTION_LIMITS.turnChars), country);
  return [...facts.time, ...facts.money, ...facts.phone];
}
