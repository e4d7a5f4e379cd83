import type { TranscriptTurn } from './call-types';
import { digitRuns } from './extraction/spoken-numbers';
import { tokenize, type Token } from './extraction/transcript-tokens';

/**
 * Card, bank and social security numbers must never be stored or extracted, even when a caller
 * reads one out against the agent's advice. Numbers are found the way they are spoken ("four two
 * four two, four two…"), grouped or written, and replaced by a marker that keeps the last four
 * digits, which is what a person needs to recognise which card or account was meant:
 * "[card ending 4242]". Apply to transcripts before they are stored or extracted from.
 *
 * A card number split over several turns (the agent interrupting) is not recognised.
 */
const CARD_CONTEXT = new Set(['card', 'visa', 'mastercard', 'amex', 'discover', 'credit', 'debit']);
const SSN_CONTEXT = new Set(['social', 'ssn', 'security']);
const ACCOUNT_CONTEXT = new Set(['account', 'acct', 'checking', 'savings']);
const ROUTING_CONTEXT = new Set(['routing', 'aba']);
const CONTEXT_WINDOW = 8;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

const PHONE_WORDS = new Set(['phone', 'cell', 'mobile', 'reach', 'call', 'callback', 'text']);

/** A context word shortly before the number, with no phone word after it ("account… my cell is…" is a phone). */
function contextBefore(tokens: readonly Token[], first: number, words: Set<string>): boolean {
  for (let k = first - 1; k >= Math.max(0, first - CONTEXT_WINDOW); k--) {
    if (words.has(tokens[k].norm)) return true;
    if (PHONE_WORDS.has(tokens[k].norm)) return false;
  }
  return false;
}

function isWrittenSsn(span: string): boolean {
  return span.length === 11 && /^[0-9]{3}-[0-9]{2}-[0-9]{4}$/.test(span);
}

/** The text with every sensitive number replaced by its marker. */
export function maskSensitiveText(text: string): string {
  const tokens = tokenize(text);
  const replacements: { start: number; end: number; marker: string }[] = [];
  for (const run of digitRuns(tokens)) {
    const digits = run.digits;
    const start = tokens[run.first].start;
    const end = tokens[run.last].end;
    const last4 = digits.slice(-4);
    const span = text.slice(start, end);
    // already a marker's last four: masking twice must change nothing
    if (tokens[run.first - 1]?.norm === 'ending') continue;
    let marker: string | null = null;
    if (digits.length >= 13 && digits.length <= 19 && (luhnValid(digits) || contextBefore(tokens, run.first, CARD_CONTEXT))) marker = `[card ending ${last4}]`;
    else if (digits.length === 9 && (isWrittenSsn(span) || contextBefore(tokens, run.first, SSN_CONTEXT))) marker = `[ssn ending ${last4}]`;
    else if (digits.length >= 6 && digits.length <= 17 && contextBefore(tokens, run.first, ROUTING_CONTEXT)) marker = `[routing number ending ${last4}]`;
    else if (digits.length >= 4 && digits.length <= 17 && contextBefore(tokens, run.first, ACCOUNT_CONTEXT)) marker = `[account ending ${last4}]`;
    else if (digits.length > 19 && contextBefore(tokens, run.first, CARD_CONTEXT)) marker = `[card ending ${last4}]`;
    if (marker) replacements.push({ start, end, marker });
  }
  if (replacements.length === 0) return text;
  let out = '';
  let at = 0;
  for (const r of replacements) {
    out += text.slice(at, r.start) + r.marker;
    at = r.end;
  }
  return out + text.slice(at);
}

/**
 * A copy of the transcript with sensitive numbers masked. Unlike extraction, masking reads every
 * character however long the transcript: a cap would leave the rest unmasked in storage. It is
 * one pass of character loops, so it stays linear.
 */
export function maskSensitiveTurns(turns: readonly TranscriptTurn[]): TranscriptTurn[] {
  return turns.map((t) => ({ ...t, text: typeof t.text === 'string' ? maskSensitiveText(t.text) : '' }));
}

/** Masks every string inside a JSON-like value (extraction results, event payloads). */
export function maskSensitiveValue<T>(value: T): T {
  if (typeof value === 'string') return maskSensitiveText(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskSensitiveValue(v)) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = maskSensitiveValue(v);
    return out as T;
  }
  return value;
}
