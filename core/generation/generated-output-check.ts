import type { Template } from '../templates/template';
import { unfilledPlaceholders } from '../templates/template-placeholders';
import type { GeneratedAgentConfig } from './agent-generator';
import type { BusinessFacts } from './business-facts';
import { contactDetailsIn, contactDetailsMissingFrom } from './contact-details';
import { splitAtFences } from './website-data-fence';

type GeneratedTexts = Pick<GeneratedAgentConfig, 'system_prompt' | 'first_message' | 'knowledge_base'>;

function textsOf(config: GeneratedTexts): string[] {
  return [config.system_prompt, config.first_message, ...config.knowledge_base.map((d) => d.content)];
}

/** Every `{{…}}` left anywhere in an agent: a caller would hear the braces read out. */
export function placeholdersLeftIn(config: GeneratedTexts): string[] {
  return [...new Set(textsOf(config).flatMap(unfilledPlaceholders))];
}

/** What an agent may say in its own voice: the template's text and the business's own ways to be reached. */
function instructionSources(facts: BusinessFacts, template: Template, agentName: string): string[] {
  const ps = template.prompt_structure;
  return [
    agentName,
    facts.name,
    facts.website,
    ...[facts.phone, facts.email, facts.booking_url].map((f) => f?.text ?? ''),
    ...facts.social_links,
    ps.role,
    ...ps.goals,
    ...ps.sections.map((s) => s.instructions),
    ...ps.guardrails,
    template.first_message,
  ];
}

/** Everything the research found, as the fenced website data may repeat it. */
function dataSources(facts: BusinessFacts): string[] {
  return [
    facts.name,
    facts.website,
    ...[facts.description, facts.phone, facts.email, facts.address, facts.price_range, facts.booking_url].map((f) => f?.text ?? ''),
    ...[facts.description, facts.phone, facts.email, facts.address, facts.hours, facts.price_range, facts.booking_url].map((f) => f?.source_url ?? ''),
    ...facts.services.map((s) => s.text),
    ...facts.faqs.flatMap((f) => [f.question, f.answer]),
    ...facts.staff.flatMap((s) => [s.name, s.role ?? '']),
    ...facts.policies.map((p) => p.text),
    ...facts.social_links,
    ...facts.statements.map((s) => s.text),
    ...facts.pages.flatMap((p) => [p.url, p.title, ...p.lines]),
    ...[...facts.services, ...facts.faqs, ...facts.staff, ...facts.policies, ...facts.statements].map((f) => f.source_url),
  ];
}

/**
 * Phone numbers, web addresses and e-mail addresses the agent would give callers without the
 * research behind them. Inside the website-data fence (and in knowledge documents) anything the
 * research found may appear; everywhere else — the agent's instructions and its greeting — only
 * the business's own phone, e-mail, website, booking and social links and what the template says.
 * So a number planted in an FAQ answer stays quoted data: no generator may promote it into an
 * instruction, and nothing invented passes at all.
 */
export function unknownContactDetailsIn(config: GeneratedTexts, facts: BusinessFacts, template: Template, agentName: string): string[] {
  const { inside, outside } = splitAtFences(config.system_prompt);
  const data = [...inside, ...config.knowledge_base.map((d) => d.content)];
  const voice = [...outside, config.first_message];
  const dataAllowed = contactDetailsIn([...dataSources(facts), ...instructionSources(facts, template, agentName)]);
  const voiceAllowed = contactDetailsIn(instructionSources(facts, template, agentName));
  const unknown = [...contactDetailsMissingFrom(contactDetailsIn(voice), voiceAllowed), ...contactDetailsMissingFrom(contactDetailsIn(data), dataAllowed)];
  return [...new Set(unknown)];
}
