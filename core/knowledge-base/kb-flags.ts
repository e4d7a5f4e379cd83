/** What kind of value an agent answer and the knowledge base disagree on. */
export const KB_FLAG_VALUE_KINDS = ['time', 'money', 'phone', 'open_day', 'service'] as const;
export type KbFlagValueKind = (typeof KB_FLAG_VALUE_KINDS)[number];

/**
 * An agent answer that contradicts the knowledge base (core/knowledge-base/kb-contradictions.ts).
 * It changes nothing by itself: either the KB is out of date (approve the proposal with a
 * `replace` change for `doc_id`) or the agent answered wrongly (fix the prompt; reject the
 * proposal with the reason). Both quotes are verbatim: `quote` from the agent's turn `turn` of
 * `call_id`, `kb_quote` from the document's content.
 */
export interface KbFlag {
  kind: 'contradiction';
  value_kind: KbFlagValueKind;
  call_id: string;
  turn: number;
  quote: string;
  doc_id: string;
  doc_title: string;
  kb_quote: string;
  agent_values: string[];
  kb_values: string[];
  detail: string;
}
