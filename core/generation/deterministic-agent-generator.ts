import { fillPlaceholders } from '../templates/template-placeholders';
import type { AgentGenerator, GeneratedAgentConfig, GenerationInput } from './agent-generator';
import { collectBusinessFacts } from './business-facts';
import { placeholdersLeftIn, unknownContactDetailsIn } from './generated-output-check';
import { GenerationError } from './generation-error';
import { buildKnowledgeBase } from './knowledge-base-builder';
import {
  placeholderValues,
  renderBusinessFacts,
  renderCaptureList,
  renderGoals,
  renderRole,
  renderRules,
  renderTemplateSections,
  renderUnknowns,
} from './prompt-sections';

/**
 * Builds the agent from the template and the research with no model and no network: same input,
 * same agent. It is the default, and the fallback the lead can choose when no LLM is configured.
 * The order — role, facts, what is unknown, how to handle each kind of call, rules last — puts the
 * facts before the instructions that refer to them and leaves the rules freshest in context.
 */
export class DeterministicAgentGenerator implements AgentGenerator {
  readonly kind = 'deterministic' as const;

  async generate(input: GenerationInput): Promise<GeneratedAgentConfig> {
    const { template, report, agent } = input;
    const facts = collectBusinessFacts(report);
    const values = placeholderValues(facts, agent);
    const knowledge = buildKnowledgeBase(template, facts);

    const system_prompt = [
      renderRole(template, values, agent.language),
      renderGoals(template, values),
      renderBusinessFacts(facts),
      renderUnknowns(facts, knowledge.missing),
      renderTemplateSections(template, values),
      renderCaptureList(template),
      renderRules(template, values),
    ].join('\n\n');

    const config: GeneratedAgentConfig = {
      system_prompt,
      first_message: fillPlaceholders(template.first_message, values),
      knowledge_base: knowledge.documents,
      generator: 'deterministic',
    };
    // Research text is stripped of braces, so a leftover placeholder means a template names one this generator does not fill.
    const left = placeholdersLeftIn(config);
    if (left.length > 0) throw new GenerationError('internal', `generated agent still contains placeholders: ${left.join(', ')}`, false);
    // Only research facts are rendered, so this cannot fail unless a renderer leaks something else.
    const unknown = unknownContactDetailsIn(config, facts, template, values.agent_name);
    if (unknown.length > 0) throw new GenerationError('internal', `generated agent gives contact details the research did not find: ${unknown.join(', ')}`, false);
    return config;
  }
}
