import { unfilledPlaceholders } from '../templates/template-placeholders';
import type { GeneratedAgentConfig } from './agent-generator';

/** Every `{{…}}` left anywhere in an agent: a caller would hear the braces read out. */
export function placeholdersLeftIn(config: Pick<GeneratedAgentConfig, 'system_prompt' | 'first_message' | 'knowledge_base'>): string[] {
  const texts = [config.system_prompt, config.first_message, ...config.knowledge_base.map((d) => d.content)];
  return [...new Set(texts.flatMap(unfilledPlaceholders))];
}
