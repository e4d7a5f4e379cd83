import type { Token } from './transcript-tokens';

/**
 * Numbers as people say them on the phone. Two readings: digit strings ("five five five, oh one
 * two", "double seven", "eight hundred"), used for phone, card and account numbers; and amounts
 * ("two hundred", "fifteen", "1,200", "25k"), used for counts, ages and money.
 */
const UNITS: Record<string, number> = { zero: 0, oh: 0, o: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9 };
const TEENS: Record<string, number> = { ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19 };
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };
const SCALES: Record<string, number> = { hundred: 100, thousand: 1_000, grand: 1_000, million: 1_000_000 };

export interface DigitRun {
  digits: string;
  /** Token indexes, inclusive. */
  first: number;
  last: number;
}

/** Words that "and" or a pause may separate inside a spoken number without ending it. */
function splitsDigitRun(gap: string): boolean {
  for (const c of gap) if (c !== ' ' && c !== ',' && c !== '-' && c !== '.' && c !== '(' && c !== ')' && c !== '+' && c !== '/') return true;
  return false;
}

/** A token that is a digit word, a number written in digits ("555", "(312)"), or "oh". */
function digitsOf(token: Token, previous: Token | undefined, next: Token | undefined): { digits: string; consumedNext: boolean } | null {
  const n = token.norm;
  if (/^[0-9][0-9.,]*$/.test(n)) return { digits: n.replace(/[^0-9]/g, ''), consumedNext: false };
  // "o" alone is a zero only between other digits; "oh" likewise ("oh, wait" is not a digit)
  if ((n === 'o' || n === 'oh') && !(previous && isDigitish(previous)) && !(next && isDigitish(next))) return null;
  if (n in UNITS) return { digits: String(UNITS[n]), consumedNext: false };
  if (n in TEENS) return { digits: String(TEENS[n]), consumedNext: false };
  if (n in TENS) {
    if (next && next.norm in UNITS && next.norm !== 'zero' && next.norm !== 'oh' && next.norm !== 'o' && next.gap.trim() !== ',') return { digits: String(TENS[n] + UNITS[next.norm]), consumedNext: true };
    return { digits: String(TENS[n]), consumedNext: false };
  }
  return null;
}

function isDigitish(token: Token): boolean {
  const n = token.norm;
  return /^[0-9]/.test(n) || (n in UNITS && n !== 'o' && n !== 'oh') || n in TEENS || n in TENS;
}

/** Maximal runs of spoken or written digits, in token order. */
export function digitRuns(tokens: readonly Token[]): DigitRun[] {
  const runs: DigitRun[] = [];
  let i = 0;
  while (i < tokens.length) {
    let digits = '';
    let first = -1;
    let last = -1;
    let j = i;
    while (j < tokens.length) {
      const t = tokens[j];
      if (first >= 0 && splitsDigitRun(t.gap)) break;
      const repeat = t.norm === 'double' ? 2 : t.norm === 'triple' ? 3 : 0;
      if (repeat > 0) {
        const next = tokens[j + 1];
        const d = next && !splitsDigitRun(next.gap) ? digitsOf(next, t, tokens[j + 2]) : null;
        if (!d || d.digits.length !== 1) break;
        digits += d.digits.repeat(repeat);
        if (first < 0) first = j;
        last = j + 1;
        j += 2;
        continue;
      }
      if (t.norm === 'hundred' && first >= 0 && digits.length > 0) {
        digits += '00';
        last = j;
        j += 1;
        continue;
      }
      const d = digitsOf(t, tokens[j - 1], tokens[j + 1]);
      if (!d) break;
      digits += d.digits;
      if (first < 0) first = j;
      last = d.consumedNext ? j + 1 : j;
      j = d.consumedNext ? j + 2 : j + 1;
    }
    if (first >= 0) {
      runs.push({ digits, first, last });
      i = last + 1;
    } else {
      i += 1;
    }
  }
  return runs;
}

export interface Amount {
  value: number;
  first: number;
  last: number;
}

function numericValue(n: string): number | null {
  const m = /^([0-9][0-9,]*(?:\.[0-9]+)?)(k|m)?$/.exec(n);
  if (!m) return null;
  const base = Number(m[1].replace(/,/g, ''));
  if (!Number.isFinite(base)) return null;
  return m[2] === 'k' ? base * 1_000 : m[2] === 'm' ? base * 1_000_000 : base;
}

/** Amounts, written or spoken: "15", "$1,200", "two hundred", "twenty five thousand", "half a million". */
export function amounts(tokens: readonly Token[]): Amount[] {
  const found: Amount[] = [];
  let i = 0;
  while (i < tokens.length) {
    const written = numericValue(tokens[i].norm);
    if (written !== null) {
      let value = written;
      let last = i;
      const scale = tokens[i + 1]?.norm;
      if (scale && scale in SCALES && scale !== 'hundred') {
        value *= SCALES[scale];
        last = i + 1;
      }
      found.push({ value, first: i, last });
      i = last + 1;
      continue;
    }
    // spoken: total += group × scale, the usual English composition
    let total = 0;
    let group = 0;
    let first = -1;
    let last = -1;
    let j = i;
    while (j < tokens.length) {
      const n = tokens[j].norm;
      if (first >= 0 && n === 'and' && tokens[j + 1] && isSpokenNumberWord(tokens[j + 1].norm)) {
        j += 1;
        continue;
      }
      if (n in UNITS && n !== 'o' && n !== 'oh') group += UNITS[n];
      else if (n in TEENS) group += TEENS[n];
      else if (n in TENS) group += TENS[n];
      else if ((n === 'a' || n === 'an') && tokens[j + 1] && tokens[j + 1].norm in SCALES && first < 0) group = 1;
      else if (n === 'half' && first < 0 && tokens[j + 1]?.norm === 'a' && tokens[j + 2] && tokens[j + 2].norm in SCALES) {
        found.push({ value: SCALES[tokens[j + 2].norm] / 2, first: j, last: j + 2 });
        first = -2;
        j += 3;
        break;
      } else if (n in SCALES && first >= 0) {
        const scale = SCALES[n];
        if (scale === 100) group = (group || 1) * 100;
        else {
          total += (group || 1) * scale;
          group = 0;
        }
      } else break;
      if (first < 0) first = j;
      last = j;
      j += 1;
    }
    if (first === -2) {
      i = j;
      continue;
    }
    if (first >= 0) {
      found.push({ value: total + group, first, last });
      i = last + 1;
    } else i += 1;
  }
  return found;
}

function isSpokenNumberWord(n: string): boolean {
  return (n in UNITS && n !== 'o' && n !== 'oh') || n in TEENS || n in TENS || n in SCALES;
}
