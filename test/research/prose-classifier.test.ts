import { digestPage } from '../../core/research/page-digest';
import { MAX_MAIN_TEXT_CHARS_PER_PAGE, MAX_STATEMENTS_PER_PAGE } from '../../core/research/page-text';
import { MAX_SENTENCE_CHARS, normalizeWords, sentencesOf, topicsOf } from '../../core/research/prose-classifier';
import type { PageKind } from '../../core/research/research-report';

function digest(html: string, kind: PageKind = 'home') {
  const body = Buffer.from(html);
  return digestPage({ url: 'https://example.test/', kind, status: 200, bytes: body.length, body: new Uint8Array(body) });
}

describe('sentence topics', () => {
  test.each([
    ['Emergency repairs are available 24/7, nights and weekends included.', 'emergency'],
    ['After-hours, please call the Pet ER on Capital Blvd.', 'emergency'],
    ['We proudly serve Boise, Meridian and Nampa.', 'service_area'],
    ['Homes within 25 miles of downtown are covered.', 'service_area'],
    ["Please give us 48 hours' notice to cancel or reschedule.", 'cancellation'],
    ['If you arrive more than 15 minutes late we may shorten your service.', 'late'],
    ['We hold tables for 15 minutes.', 'holding'],
    ['A $25 deposit secures your booking.', 'holding'],
    ['We refer immigration matters to the county bar.', 'referrals'],
    ['Free parking is behind the building.', 'parking'],
    ['We take Visa, Mastercard and Apple Pay.', 'payment'],
    ['We are in network with Delta Dental and Cigna.', 'insurance'],
  ])('"%s" speaks of %s', (sentence, topic) => {
    expect(topicsOf(sentence)).toContain(topic);
  });

  test('words, not substrings: "household" is no hold, "catering" no late', () => {
    expect(topicsOf('Household plumbing for every home.')).not.toContain('holding');
    expect(topicsOf('Catering for weddings.')).not.toContain('late');
    expect(topicsOf('Our team of four doctors.')).toEqual([]);
  });

  test('normalizing keeps letters and digits, one space between words', () => {
    expect(normalizeWords("After-hours: 24/7 — don't wait!")).toBe(' after hours 24 7 don t wait ');
    expect(normalizeWords('Café Müller')).toBe(' café müller ');
  });

  test('sentences split at end marks, not at abbreviations or times', () => {
    expect(sentencesOf('Dr. Lee sees patients 8 a.m. to 5 p.m. daily. Call us! Why wait? Done')).toEqual([
      'Dr. Lee sees patients 8 a.m. to 5 p.m. daily.',
      'Call us!',
      'Why wait?',
      'Done',
    ]);
    expect(sentencesOf('x'.repeat(5000))[0].length).toBe(MAX_SENTENCE_CHARS);
  });
});

describe('page main text', () => {
  test('chrome is left out, by landmark or by class name; headings and paragraphs stay in order', () => {
    const d = digest(`<html><head><title>T</title></head><body>
      <header><a href="/">Brand</a><nav><a href="/a">Areas we serve</a></nav></header>
      <div class="menu"><a href="/b">Book now</a></div>
      <main><h1>Welcome</h1><p>We fix furnaces all winter long, and emergency calls are answered 24/7.</p>
      <form><label>Your name</label></form></main>
      <div class="footer">Website by Someone</div>
      <footer><p>© 2025 Brand. All rights reserved.</p></footer></body></html>`);
    expect(d.main_text).toEqual(['Welcome', 'We fix furnaces all winter long, and emergency calls are answered 24/7.']);
    expect(d.statements).toEqual([{ text: 'We fix furnaces all winter long, and emergency calls are answered 24/7.', topics: expect.arrayContaining(['emergency']) }]);
  });

  test('a list under a heading is one statement carrying the heading\'s topic', () => {
    const d = digest('<html><body><main><h2>Areas we serve</h2><ul><li>Boise</li><li>Eagle</li><li>Kuna</li></ul></main></body></html>');
    expect(d.statements).toEqual([{ text: 'Areas we serve: Boise, Eagle, Kuna', topics: ['service_area'] }]);
  });

  test('a service-area page gives its sentences the topic even when they do not name it', () => {
    const d = digest('<html><body><main><p>Boise, Meridian and Nampa get same-week visits.</p></main></body></html>', 'service_area');
    expect(d.statements[0].topics).toContain('service_area');
  });

  test('hostile text is read in linear time and capped', () => {
    const sentence = 'We accept cash and cancel late deposits in the county after hours. ';
    const paragraphs = Array.from({ length: 400 }, () => `<p>${sentence.repeat(20)}</p>`).join('');
    const started = performance.now();
    const d = digest(`<html><body><main>${paragraphs}<p>${'a'.repeat(300_000)}</p></main></body></html>`);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(d.main_text.join('').length).toBeLessThanOrEqual(MAX_MAIN_TEXT_CHARS_PER_PAGE + 1);
    expect(d.statements.length).toBeLessThanOrEqual(MAX_STATEMENTS_PER_PAGE);
  });
});
