import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { type DigitRun, digitRuns } from './spoken-numbers';
import type { Token } from './transcript-tokens';

export interface PhoneMention {
  e164: string;
  /** libphonenumber knows the number plan; a merely possible number (555 numbers) is less certain. */
  valid: boolean;
  first: number;
  last: number;
}

/** Phone numbers in a caller's words — "five five five, one two three, four five six seven", "(312) 555-0147", "plus four four…" — as E.164. */
export function phoneMentions(tokens: readonly Token[], country: string): PhoneMention[] {
  const found: PhoneMention[] = [];
  const region = country.toUpperCase() as CountryCode;
  for (const run of mergedRuns(tokens)) {
    if (run.digits.length < 7 || run.digits.length > 15) continue;
    const plus = tokens[run.first].gap.includes('+') || tokens[run.first - 1]?.norm === 'plus';
    const phone = plus ? parsePhoneNumberFromString(`+${run.digits}`) : parsePhoneNumberFromString(run.digits, region);
    if (!phone || !phone.isPossible()) continue;
    found.push({ e164: phone.number, valid: phone.isValid(), first: plus && tokens[run.first - 1]?.norm === 'plus' ? run.first - 1 : run.first, last: run.last });
  }
  return found;
}

const JOINERS = new Set(['and', 'then', 'area', 'code', 'the', 'rest', 'is', 'its', 'dash', 'number', 'and then', 'um', 'uh']);

/** "area code 312, then 555 0147": groups joined by a few filler words are one number. */
function mergedRuns(tokens: readonly Token[]): DigitRun[] {
  const runs = digitRuns(tokens);
  const out: DigitRun[] = [];
  for (const run of runs) {
    const previous = out[out.length - 1];
    if (previous && previous.digits.length <= 4 && previous.digits.length + run.digits.length <= 11 && run.first - previous.last <= 4) {
      let joined = true;
      for (let k = previous.last + 1; k < run.first; k++) if (!JOINERS.has(tokens[k].norm)) joined = false;
      if (joined) {
        out[out.length - 1] = { digits: previous.digits + run.digits, first: previous.first, last: run.last };
        continue;
      }
    }
    out.push(run);
  }
  return out;
}

/** E.164 for a number given in any common notation, or null; used to check an LLM's answer. */
export function toE164(value: string, country: string): string | null {
  const cleaned = value.slice(0, 64);
  const phone = parsePhoneNumberFromString(cleaned, country.toUpperCase() as CountryCode);
  return phone && phone.isPossible() ? phone.number : null;
}
