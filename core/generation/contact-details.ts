import { emailsIn } from '../research/email-finder';

/**
 * Phone numbers, web addresses and e-mail addresses written in text, found by linear scans (the
 * text holds crawled passages). Used to prove a generated agent gives callers no way to reach
 * anyone the research did not find.
 */
export interface ContactDetails {
  /** Digits only, at most the last ten (so "+1 512…" and "(512)…" are one number). */
  phones: Set<string>;
  /** Lower-case host names without "www.". */
  hosts: Set<string>;
  /** Lower-case addresses. */
  emails: Set<string>;
}

const PHONE_RUN_CHARS = new Set([...'0123456789 ()+-.–\u00a0']);
const MIN_PHONE_DIGITS = 7;
const MAX_PHONE_DIGITS = 15;
/** Bare host names ("book-now.example.com") are only taken for TLDs that are common for businesses. */
const BARE_HOST = /^(?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|io|co|us|ca|uk|au|nz|ie|de|fr|es|it|nl|eu|app|dev|ai|me|ly|site|online|shop|store|health|dental|law|vet|clinic|tv|xyz)$/;
const HOST_CHARS = /^[a-z0-9.-]+$/;

export function contactDetailsIn(texts: readonly string[]): ContactDetails {
  const found: ContactDetails = { phones: new Set(), hosts: new Set(), emails: new Set() };
  for (const text of texts) {
    for (const email of emailsIn(text)) {
      found.emails.add(email.toLowerCase());
      found.hosts.add(bareHost(email.slice(email.indexOf('@') + 1)));
    }
    for (const phone of phoneRuns(text)) found.phones.add(phone);
    for (const host of hostsIn(text)) found.hosts.add(host);
  }
  return found;
}

/** What `candidate` contains that `allowed` does not, as readable strings. */
export function contactDetailsMissingFrom(candidate: ContactDetails, allowed: ContactDetails): string[] {
  return [
    ...[...candidate.phones].filter((p) => !allowed.phones.has(p)).map((p) => `phone number …${p}`),
    ...[...candidate.emails].filter((e) => !allowed.emails.has(e)).map((e) => `e-mail address ${e}`),
    ...[...candidate.hosts].filter((h) => !allowed.hosts.has(h)).map((h) => `web address ${h}`),
  ];
}

/** Runs of digits, spaces and phone punctuation holding 7–15 digits. */
function phoneRuns(text: string): string[] {
  const runs: string[] = [];
  let digits = '';
  const end = () => {
    if (digits.length >= MIN_PHONE_DIGITS && digits.length <= MAX_PHONE_DIGITS) runs.push(digits.slice(-10));
    digits = '';
  };
  for (const char of text) {
    if (!PHONE_RUN_CHARS.has(char)) end();
    else if (char >= '0' && char <= '9') digits += char;
  }
  end();
  return runs;
}

/** Hosts of http(s) URLs, "www." names and bare names with a common TLD, word by word. */
function hostsIn(text: string): string[] {
  const hosts: string[] = [];
  for (const word of text.split(/\s+/)) {
    // Sentence punctuation and brackets around a link are not part of it.
    const token = word.replace(/^[("'‹[<]+/, '').replace(/[)"'›\]>.,;:!?]+$/, '');
    if (!token || token.includes('@')) continue;
    if (/^https?:\/\//i.test(token)) {
      try {
        hosts.push(bareHost(new URL(token).hostname));
      } catch {
        // Not a URL after all.
      }
      continue;
    }
    const host = token.split(/[/?#]/, 1)[0].toLowerCase();
    if (!HOST_CHARS.test(host)) continue;
    if (host.startsWith('www.') || BARE_HOST.test(host)) hosts.push(bareHost(host));
  }
  return hosts;
}

function bareHost(host: string): string {
  return host.toLowerCase().replace(/^www\./, '');
}
