import { isCapitalized, isNumeric, type Token, tokenize } from './transcript-tokens';

/**
 * Street addresses as said on a call: "1420 North Elm Street, apartment 3B, Springfield, Illinois
 * 62704". A house number, a few street words, a street suffix, then whatever unit, city, region
 * and postcode follow in capitals or digits. The quote is the caller's own words, so the value is
 * exactly what they said, trimmed.
 */
const SUFFIXES = new Set([
  'street', 'st', 'avenue', 'ave', 'road', 'rd', 'drive', 'dr', 'lane', 'ln', 'boulevard', 'blvd', 'court', 'ct', 'way', 'place', 'pl', 'circle', 'cir', 'terrace',
  'parkway', 'pkwy', 'highway', 'hwy', 'trail', 'trl', 'square', 'loop', 'crescent', 'close', 'row', 'pike', 'alley', 'run', 'path', 'point', 'ridge',
]);
const ABBREVIATIONS = new Set(['st', 'n', 's', 'e', 'w', 'ave', 'dr', 'rd', 'apt', 'ste', 'blvd', 'mt', 'ft']);
const UNIT_WORDS = new Set(['apartment', 'apt', 'unit', 'suite', 'ste', 'number', 'floor', 'building']);

export interface AddressMention {
  address: string;
  start: number;
  end: number;
  /** A city or postcode followed the street. */
  complete: boolean;
}

export function addressMentions(text: string): AddressMention[] {
  const tokens = tokenize(text);
  const found: AddressMention[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!isNumeric(tokens[i]) || tokens[i].norm.length > 6) continue;
    // street words: up to five, ending in a suffix
    let k = i + 1;
    let suffixAt = -1;
    while (k < tokens.length && k <= i + 6) {
      if (k > i + 1 && /[.?!;]/.test(tokens[k].gap.replace('.', ''))) break;
      if (SUFFIXES.has(tokens[k].norm) && k > i + 1) {
        suffixAt = k;
        // "Park Road Way" is rare; the first suffix after a street word ends it
        break;
      }
      k += 1;
    }
    if (suffixAt < 0) continue;
    let end = suffixAt;
    let complete = false;
    // unit, then city / region / postcode words
    let j = suffixAt + 1;
    if (j < tokens.length && UNIT_WORDS.has(tokens[j].norm) && tokens[j + 1]) {
      end = j + 1;
      j += 2;
    }
    let extra = 0;
    while (j < tokens.length && extra < 6) {
      const t: Token = tokens[j];
      // a period ends the address unless it closes an abbreviation ("St. Louis", "N. Main")
      if (/[?!;]/.test(t.gap) || (t.gap.includes('.') && !ABBREVIATIONS.has(tokens[j - 1].norm))) break;
      if (isNumeric(t) && t.norm.length === 5) {
        end = j;
        complete = true;
        j += 1;
        extra += 1;
        continue;
      }
      if (!isCapitalized(t) || t.norm === 'i') break;
      end = j;
      complete = true;
      j += 1;
      extra += 1;
    }
    const quote = text.slice(tokens[i].start, tokens[end].end);
    found.push({ address: quote, start: tokens[i].start, end: tokens[end].end, complete });
    i = end;
  }
  return found;
}
