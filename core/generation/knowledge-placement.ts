import { RULES_HEADING } from './prompt-sections';
import { fenced, WEBSITE_DATA_NOTICE } from './website-data-fence';

/**
 * For platforms without a document store of their own (Vapi), the knowledge base travels inside
 * the system prompt. It goes inside the website-data fence and before the rules, so the rules stay
 * the last thing the model reads, as they are on every other platform.
 */
export function promptWithKnowledge(systemPrompt: string, documents: readonly { title: string; content: string }[]): string {
  if (documents.length === 0) return systemPrompt;
  const sections = documents.map((doc) => `## ${doc.title}\n${doc.content}`).join('\n\n');
  const reference = ['# Reference information', WEBSITE_DATA_NOTICE, '', ...fenced([sections])].join('\n');
  // The last one: ours is appended after anything a model wrote.
  const rules = systemPrompt.lastIndexOf(`\n\n${RULES_HEADING}`);
  if (rules === -1) return `${systemPrompt}\n\n${reference}`;
  return `${systemPrompt.slice(0, rules)}\n\n${reference}${systemPrompt.slice(rules)}`;
}
