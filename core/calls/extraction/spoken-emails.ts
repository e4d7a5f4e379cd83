import type { Token } from './transcript-tokens';

export interface EmailMention {
  email: string;
  /** Offsets in the turn's text of the words read out. */
  start: number;
  end: number;
}

const DOMAIN_WORDS: Record<string, string> = { gmail: 'gmail', yahoo: 'yahoo', hotmail: 'hotmail', outlook: 'outlook', icloud: 'icloud', aol: 'aol', comcast: 'comcast' };
const TLDS = new Set(['com', 'net', 'org', 'edu', 'gov', 'io', 'co', 'us', 'ca', 'uk', 'info', 'biz', 'me']);
const LOCAL_CHAR = /^[a-z0-9._%+-]$/;

/**
 * Addresses written ("john.smith@gmail.com") or read out ("john dot smith at gmail dot com",
 * "j smith underscore 12 at yahoo dot com"). Read-out ones are recognised only when a known
 * top-level domain closes them, so "I'm at home" is never an address.
 */
export function emailMentions(text: string, tokens: readonly Token[]): EmailMention[] {
  const found: EmailMention[] = [];
  // Written: grow outwards from each "@" with plain character loops.
  let at = text.indexOf('@');
  while (at >= 0) {
    let s = at;
    while (s > 0 && LOCAL_CHAR.test(text[s - 1].toLowerCase())) s -= 1;
    let e = at + 1;
    while (e < text.length && /^[a-z0-9.-]$/.test(text[e].toLowerCase())) e += 1;
    while (e > at + 1 && text[e - 1] === '.') e -= 1;
    const candidate = text.slice(s, e).toLowerCase();
    const dot = candidate.lastIndexOf('.');
    if (s < at && dot > candidate.indexOf('@') + 1 && candidate.length - dot > 2) found.push({ email: candidate, start: s, end: e });
    at = text.indexOf('@', at + 1);
  }
  if (found.length > 0) return found;

  // Read out: find "at <domain> dot <tld>", then walk back over the local part.
  for (let i = 1; i + 3 < tokens.length; i++) {
    if (tokens[i].norm !== 'at' || tokens[i - 1].norm === 'at') continue;
    let j = i + 1;
    const domainParts: string[] = [];
    let part = '';
    while (j < tokens.length && j < i + 12) {
      const n = tokens[j].norm;
      if (n === 'dot') {
        if (!part) break;
        domainParts.push(part);
        part = '';
      } else if (n === 'dash' || n === 'hyphen') part += '-';
      else if (/^[a-z0-9-]+$/.test(n)) {
        // after "dot", one word is a label; before the first "dot", "g mail" is still one label
        if (domainParts.length > 0 && part) break;
        part += DOMAIN_WORDS[n] ?? n;
      } else break;
      j += 1;
    }
    if (part) domainParts.push(part);
    let lastLabel = domainParts.length - 1;
    while (lastLabel > 0 && !TLDS.has(domainParts[lastLabel])) lastLabel -= 1;
    if (lastLabel < 1) continue;
    const domain = domainParts.slice(0, lastLabel + 1).join('.');
    // the domain's last word: find its token index to end the quote there
    let endTok = i + 1;
    let seenLabels = 0;
    for (let k = i + 1; k < j; k++) {
      if (tokens[k].norm === 'dot') seenLabels += 1;
      if (seenLabels === lastLabel && tokens[k].norm !== 'dot') endTok = k;
      if (seenLabels > lastLabel) break;
    }
    const local = localPartBefore(tokens, i);
    if (!local) continue;
    found.push({ email: `${local.text}@${domain}`, start: tokens[local.first].start, end: tokens[endTok].end });
  }
  return found;
}

function localPartBefore(tokens: readonly Token[], atIndex: number): { text: string; first: number } | null {
  const parts: string[] = [];
  let k = atIndex - 1;
  let first = atIndex;
  let words = 0;
  while (k >= 0 && atIndex - k <= 12) {
    const n = tokens[k].norm;
    if (n === 'dot' || n === 'period') parts.unshift('.');
    else if (n === 'underscore') parts.unshift('_');
    else if (n === 'dash' || n === 'hyphen') parts.unshift('-');
    else if (/^[a-z0-9]+$/.test(n) && !STOP_BEFORE_LOCAL.has(n)) {
      // a local part is one or two words ("john smith"), or spelled letters; a third word is the sentence
      if (n.length > 1) words += 1;
      if (words > 2 && parts.length > 0 && parts[0] !== '.' && parts[0] !== '_' && parts[0] !== '-') break;
      parts.unshift(n);
    } else break;
    first = k;
    k -= 1;
    if (k >= 0 && /[,;:!?]/.test(tokens[k + 1].gap)) break;
  }
  while (parts.length > 0 && /^[._-]$/.test(parts[0])) {
    parts.shift();
    first += 1;
  }
  const text = parts.join('');
  return text ? { text, first } : null;
}

const STOP_BEFORE_LOCAL = new Set(['is', 'its', 'email', 'mail', 'address', 'my', 'the', 'it', 'thats', 'yes', 'yeah', 'sure', 'use', 'at', 'to', 'me', 'e', 'send', 'and', 'so', 'ok', 'okay', 'um', 'uh']);

/** A plausible e-mail address, lower case, or null; used to check an LLM's answer. */
export function normalizeEmail(value: string): string | null {
  const v = value.trim().toLowerCase();
  if (v.length > 254) return null;
  const at = v.indexOf('@');
  if (at < 1 || at !== v.lastIndexOf('@')) return null;
  const local = v.slice(0, at);
  const domain = v.slice(at + 1);
  for (const c of local) if (!LOCAL_CHAR.test(c)) return null;
  const labels = domain.split('.');
  if (labels.length < 2 || labels.some((l) => !/^[a-z0-9-]+$/.test(l))) return null;
  return v;
}
