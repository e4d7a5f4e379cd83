import type { Element } from 'domhandler';
import type { FoundFacts } from './page-facts';
import { headingLevel, isElement, linesOf, type OutlineBlock } from './page-outline';
import type { ParsedPage } from './parsed-page';

/**
 * Questions and answers: <details>/<summary> accordions, <dl> lists, and on an FAQ page or under
 * an FAQ heading, a question (a heading, or any block ending in "?") followed by its answer
 * paragraphs. FAQPage JSON-LD is handled with the other structured data.
 */
const FAQ_HEADING = /\b(faqs?|frequently asked|common questions|questions (?:and|&) answers|q\s*&\s*a|have questions|your questions)\b/i;
const MAX_ANSWER = 800;
const MAX_ACCORDIONS = 100;
/** Calls to action phrased as questions ("Still have questions?") close FAQ sections on many sites. */
const CALL_TO_ACTION = /^(still have|have (?:more|other|any) questions|any (?:other )?questions|questions\?|need help|ready to|looking for)/i;

type Fact = { question: string; answer: string };

export function extractFaqs(page: ParsedPage, into: FoundFacts): void {
  const { $ } = page;
  const blockOf = new Map<Element, OutlineBlock>(page.outline.map((b) => [b.el, b]));
  const inFaqContext = (block: OutlineBlock | undefined) =>
    page.kind === 'faq' || (block !== undefined && block.headings.some((h) => FAQ_HEADING.test(h.text)));
  const push = (qa: Fact, method: 'heading' | 'list' | 'text') => {
    const question = qa.question.trim();
    const answer = shorten(qa.answer.trim());
    if (question.length >= 5 && answer.length >= 2 && !CALL_TO_ACTION.test(question)) into.faqs.push({ value: { question, answer }, source_url: page.url, method });
  };

  // Nested accordions re-read their inner text once per level; a real FAQ has a few dozen.
  $('details').slice(0, MAX_ACCORDIONS).each((_, details) => {
    const summary = $(details).children('summary').first().get(0);
    if (!summary) return;
    const question = linesOf(summary).join(' ');
    const answer = linesOf(details.children.filter((c) => c !== summary)).join(' ');
    if (question.endsWith('?') || inFaqContext(blockOf.get(summary))) push({ question, answer }, 'heading');
  });

  $('dl').slice(0, MAX_ACCORDIONS).each((_, dl) => {
    const terms = dl.children.filter(isElement).flatMap((c) => (c.name === 'div' ? c.children.filter(isElement) : [c]));
    for (let i = 0; i < terms.length; i++) {
      if (terms[i].name !== 'dt') continue;
      const answers: Element[] = [];
      for (let j = i + 1; j < terms.length && terms[j].name === 'dd'; j++) answers.push(terms[j]);
      const question = linesOf(terms[i]).join(' ');
      if (answers.length > 0 && (question.endsWith('?') || inFaqContext(blockOf.get(terms[i])))) push({ question, answer: linesOf(answers).join(' ') }, 'list');
    }
  });

  const blocks = page.outline.filter((b) => !b.within.details && !b.within.dl && b.landmark !== 'nav' && b.landmark !== 'footer');
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    const level = headingLevel(block.tag);
    if (!inFaqContext(block) || block.text.length > 200) continue;
    if (level !== null && FAQ_HEADING.test(block.text)) continue;
    const isQuestion = block.text.endsWith('?') || (level !== null && level > faqHeadingLevel(block));
    if (!isQuestion) continue;
    const answer: string[] = [];
    let j = i + 1;
    for (; j < blocks.length; j++) {
      const next = blocks[j];
      if (headingLevel(next.tag) !== null || next.text.endsWith('?')) break;
      answer.push(next.text);
    }
    if (answer.length > 0) {
      push({ question: block.text, answer: answer.join(' ') }, level !== null ? 'heading' : 'text');
      i = j - 1;
    }
  }
}

/** Headings deeper than the "FAQ" heading are questions even without a question mark. */
function faqHeadingLevel(block: OutlineBlock): number {
  const faq = [...block.headings].reverse().find((h) => FAQ_HEADING.test(h.text));
  return faq ? faq.level : 1;
}

function shorten(text: string): string {
  if (text.length <= MAX_ANSWER) return text;
  const cut = text.slice(0, MAX_ANSWER);
  const sentenceEnd = cut.lastIndexOf('. ');
  return `${sentenceEnd > MAX_ANSWER / 2 ? cut.slice(0, sentenceEnd + 1) : cut.trimEnd()}…`;
}
