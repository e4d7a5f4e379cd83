import { z } from 'zod';
import { defineTool, seg, ToolDefinition } from '../tool-kit';

const evidence = z.object({ call_id: z.string(), turn: z.number().int().describe('Index of the caller turn in the call’s transcript.'), quote: z.string().describe('The caller’s words, verbatim.') });
const change = z.object({
  op: z.enum(['add', 'replace', 'remove']),
  doc_id: z.string().optional().describe('kb_… of the document to replace or remove (add: reserved for the new one).'),
  title: z.string(),
  before: z.string().optional(),
  after: z.string().describe('The new content (add/replace).'),
  rationale: z.string().optional(),
  evidence: z.array(evidence).optional().describe('Where callers asked; quotes must be verbatim from the transcripts.'),
  needs_answer: z.boolean().optional().describe('True when the answer could not be drafted from the site: fill `after` before approving.'),
});
const flag = z.object({
  kind: z.literal('contradiction'),
  value_kind: z.string().describe('time, money, phone, open_day or service: what the agent and the knowledge base disagree on.'),
  call_id: z.string(),
  turn: z.number().int().describe('Index of the agent turn in the call’s transcript.'),
  quote: z.string().describe('The agent’s words, verbatim.'),
  doc_id: z.string().describe('kb_… of the document that says otherwise.'),
  doc_title: z.string(),
  kb_quote: z.string().describe('The document’s sentence, verbatim.'),
  detail: z.string(),
});
const proposalOutput = {
  id: z.string().optional().describe('kbp_…'),
  agent_id: z.string().optional(),
  status: z.enum(['pending', 'approved', 'rejected']).optional(),
  base_version: z.number().optional(),
  applied_version: z.number().nullable().optional().describe('The knowledge-base version the approval made.'),
  changes: z.array(change).optional(),
  flags: z
    .array(flag)
    .optional()
    .describe('Agent answers contradicting the knowledge base. If the document is out of date, approve with a replace change for doc_id; if the agent was wrong, reject with the reason.'),
  drafted_by: z.string().nullable().optional().describe('deterministic, or llm:<model> (its quotes checked against the transcripts and the site).'),
  sync_operation_id: z.string().nullable().optional().describe('op_… of the sync that puts the approved version on the platform.'),
};

const summarizeProposal = (p: { id: string; status: string; changes: unknown[]; flags?: unknown[]; applied_version?: number | null }) =>
  `Proposal ${p.id} is ${p.status} with ${p.changes.length} change(s)${p.flags?.length ? ` and ${p.flags.length} contradiction(s) flagged` : ''}${p.applied_version ? `; knowledge base version ${p.applied_version}` : ''}.`;

export const knowledgeBaseTools: ToolDefinition[] = [
  defineTool({
    name: 'sync_knowledge_base',
    title: 'Push an agent’s knowledge base to its voice platform',
    description:
      'Starts pushing the agent’s current knowledge-base version to its voice platform (changes sync by themselves unless the agent turned kb_auto_sync off; use this after turning it back on, or to repair drift). Returns the operation_id at once; follow with get_operation(wait_seconds). A failed sync leaves the previous version serving. Free. Safe to retry (idempotency_key derived when omitted). Scope agents:write.',
    input: { agent_id: z.string().describe('agt_… of the agent.') },
    output: { operation_id: z.string().optional().describe('op_… of the sync; also its workflow ID.'), status: z.string().optional() },
    hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    mutating: true,
    async run({ agent_id }, { api, idempotencyKey }) {
      const accepted = await api.post(`/v2/agents/${seg(agent_id)}/knowledge-base/sync`, { idempotencyKey });
      return { structured: accepted, summary: `Knowledge-base sync ${accepted.operation_id} started; wait with get_operation.` };
    },
  }),
  defineTool({
    name: 'propose_kb_update',
    title: 'Propose knowledge-base improvements from calls',
    description:
      'Finds questions callers asked that the agent could not answer (it said it had no information, offered a message, or deflected) in the given calls (call_ids) or the agent’s calls since a time, groups them, and proposes FAQ entries — answers drafted from the business’s site when it has them, otherwise marked needs_answer for the business to fill — and flags agent answers that contradict the knowledge base (`flags`: both quotes verbatim). You may also pass your own `changes` (evidence quotes must be verbatim). Nothing reaches callers until approve_kb_proposal. Free. Safe to retry (idempotency_key derived when omitted). Scope agents:write.',
    input: {
      agent_id: z.string().describe('agt_… of the agent.'),
      call_ids: z.array(z.string()).max(100).optional().describe('call_… IDs to learn from.'),
      since: z.string().optional().describe('Or: the agent’s calls since this time (ISO 8601).'),
      changes: z.array(change).max(50).optional().describe('Changes of your own to propose.'),
    },
    output: proposalOutput,
    hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    mutating: true,
    async run({ agent_id, ...body }, { api, idempotencyKey }) {
      const proposal = await api.post(`/v2/agents/${seg(agent_id)}/knowledge-base/proposals`, { body, idempotencyKey });
      return { structured: proposal, summary: summarizeProposal(proposal) };
    },
  }),
  defineTool({
    name: 'approve_kb_proposal',
    title: 'Approve a knowledge-base proposal',
    description:
      'Approves a pending proposal (optionally with edited `changes`, e.g. to fill a needs_answer entry): writes a new knowledge-base version and syncs it to the platform, so callers get the new answers. Changes what the agent tells callers. Returns the proposal with applied_version and sync_operation_id. Approving twice returns the same version. Scope agents:write.',
    input: {
      agent_id: z.string().describe('agt_… of the agent.'),
      proposal_id: z.string().describe('kbp_… of the proposal.'),
      changes: z.array(change).max(50).optional().describe('Edited changes to apply instead of the proposed ones.'),
    },
    output: proposalOutput,
    hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    mutating: true,
    async run({ agent_id, proposal_id, changes }, { api, idempotencyKey }) {
      const proposal = await api.post(`/v2/agents/${seg(agent_id)}/knowledge-base/proposals/${seg(proposal_id)}/approve`, { body: changes ? { changes } : {}, idempotencyKey });
      return { structured: proposal, summary: summarizeProposal(proposal) };
    },
  }),
];
