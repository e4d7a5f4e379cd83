/**
 * Pages built to make extraction slow: long runs of exactly the characters a pattern would scan
 * without ever completing a match. Each is a few hundred KB to 1.2 MB of HTML that compresses to
 * almost nothing, as an attacker would serve it (gzip).
 */
const MB = 1024 * 1024;

/**
 * How long research of these pages may take, on a loaded 2-core machine. Before extraction was
 * made linear, each of the worst took minutes of CPU and blocked its event loop throughout.
 */
export const A_FEW_SECONDS = 10_000;

function page(body: string, head = ''): string {
  return `<!doctype html><html><head><title>Hostile Test Page</title>${head}</head><body>${body}</body></html>`;
}

/** Random-looking letters with no "@", punctuation or spaces: what the e-mail pattern re-read from every letter. */
function letters(length: number): string {
  let out = '';
  let x = 12345;
  while (out.length < length) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += String.fromCharCode(97 + (x % 26));
  }
  return out;
}

export const HOSTILE_PAGES: Record<string, string> = {
  'letters-paragraph': page(`<p>${letters(1.2 * MB)}</p><p>Call us at (512) 555-0142.</p>`),
  'json-ld-faq-of-angle-brackets': page(
    '<p>Questions and answers about our clinic, for every visitor who wants to know more.</p>',
    `<script type="application/ld+json">${JSON.stringify({
      '@context': 'https://schema.org',
      '@type': 'FAQPage',
      mainEntity: [{ '@type': 'Question', name: 'Is this safe?', acceptedAnswer: { '@type': 'Answer', text: '<'.repeat(MB) } }],
    })}</script>`,
  ),
  'local-parts-without-domains': page(`<p>${'a@'.repeat(300_000)}</p>`),
  'fax-then-numbers': page(`<p>Fax ${'512 555 0142 '.repeat(60_000)}</p>`),
  'service-name-of-dashes': page(`<h2>Our services</h2><ul><li>${'- '.repeat(400_000)}x</li></ul>`),
  'international-digits': page(`<p>${'+1 2 3 4 5 6 '.repeat(80_000)}</p>`),
  'weekday-soup': page(`<p>Hours: ${'Mon, Tue & Wed to Thu and '.repeat(40_000)}</p>`),
  'nested-accordions': page(`<h2>FAQ</h2>${'<details><summary>Question?</summary>answer '.repeat(3_000)}${'</details>'.repeat(3_000)}`),
  'address-like-words': page(`<p>${'12 Main Street Main Street Main Street Main Street Main Street '.repeat(15_000)}</p>`),
};
