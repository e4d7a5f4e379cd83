import { z } from 'zod';
import { PLATFORMS } from '../constants';
import { defineTool, listInput, listOutput, seg, ToolDefinition } from '../tool-kit';
import { agentShape } from './shapes';

const MAX_BATCH = 100;

/** Types only: the API validates the values (a bad URL comes back as VALIDATION_ERROR naming the field). */
const payloadShape = {
  name: z.string().describe('Display name of the agent, e.g. "Smile Dental receptionist".'),
  platform: z.enum(PLATFORMS).describe('Voice platform to deploy to. `local` is the built-in simulator (no platform account needed); the others need the account’s platform credentials.'),
  business_url: z.string().describe('The business website (http or https URL) to research for the prompt and knowledge base.'),
  template_id: z.string().describe('Industry template ID from list_templates (e.g. dental_receptionist), or "auto" to use the one the research suggests.'),
  voice: z.string().optional().describe('Platform voice ID; the platform default when omitted.'),
  language: z.string().optional().describe('BCP 47 tag the agent speaks, e.g. en or en-US (default en).'),
  area_code: z.string().optional().describe('Preferred 3-digit US area code for the phone number.'),
  metadata: z.record(z.string(), z.string()).optional().describe('Your own key/value strings (≤ 20 keys), returned on the agent.'),
};

const acceptedOutput = {
  operation_id: z.string().describe('Poll with get_operation (wait_seconds up to 30).'),
  status: z.string().describe('pending'),
  estimated_seconds: z.number().describe('Typical time to active.'),
  agent_id: z.string(),
};

const agentOutput = agentShape.shape;

export const agentTools: ToolDefinition[] = [
  defineTool({
    name: 'provision_agent',
    title: 'Provision a phone voice agent',
    description:
      'Creates a phone voice agent for a business: researches business_url, writes the system prompt and knowledge base from the industry template, deploys it to the voice platform and assigns a phone number. Returns at once with operation_id and agent_id; call get_operation with wait_seconds (≤ 30) until status is active (or failed). Use scout_research first if unsure which template fits, or template_id "auto". Cost: no call credit is spent; it creates a platform agent and a phone number on the account (on real platforms these may be billed by the platform). Safe to retry: the same arguments are not provisioned twice (idempotency_key derived when omitted). Scope agents:write.',
    input: payloadShape,
    output: acceptedOutput,
    hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    mutating: true,
    async run(args, { api, idempotencyKey }) {
      const body = await api.post('/v2/agents', { body: { payload: args }, idempotencyKey });
      return { structured: body, summary: `Provisioning agent ${body.agent_id} (operation ${body.operation_id}, ~${body.estimated_seconds} s). Poll get_operation with wait_seconds.` };
    },
  }),
  defineTool({
    name: 'provision_agents',
    title: 'Provision up to 100 agents at once',
    description: `Batch form of provision_agent: 1 to ${MAX_BATCH} items, each its own operation. An invalid item is rejected alone (listed in rejected with its error) while the rest proceed. Returns batch_id, counts and operation_ids; follow with get_batch. Same cost and scope (agents:write) as provision_agent per item; safe to retry with the same items.`,
    input: { items: z.array(z.object(payloadShape)).min(1).max(MAX_BATCH).describe(`1 to ${MAX_BATCH} agents to provision, each with the fields of provision_agent.`) },
    output: {
      batch_id: z.string(),
      item_count: z.number(),
      counts: z.record(z.string(), z.number()).describe('Operations by status, plus rejected.'),
      operation_ids: z.array(z.string()),
      rejected: z.array(z.looseObject({ index: z.number(), error: z.looseObject({ code: z.string(), message: z.string() }) })),
    },
    hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    mutating: true,
    async run(args, { api, idempotencyKey }) {
      const batch = await api.post('/v2/agents/batch', { body: { items: args.items.map((payload) => ({ payload })) }, idempotencyKey });
      const structured = { batch_id: batch.id, item_count: batch.item_count, counts: batch.counts, operation_ids: batch.operation_ids, rejected: batch.rejected };
      return { structured, summary: `Batch ${batch.id}: ${batch.operation_ids.length} accepted, ${batch.rejected.length} rejected. Follow with get_batch.` };
    },
  }),
  defineTool({
    name: 'get_agent',
    title: 'Get an agent',
    description: 'Reads one agent by ID: status, platform, template, business URL, phone number, prompt version, metadata. Free, read-only. Scope agents:read.',
    input: { agent_id: z.string().describe('agt_… ID from provision_agent or list_agents.') },
    output: agentOutput,
    hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run({ agent_id }, { api }) {
      const agent = await api.get(`/v2/agents/${seg(agent_id)}`);
      return { structured: agent, summary: `Agent ${agent.id} "${agent.name}": ${agent.status}, ${agent.platform}, phone ${agent.phone_number ?? 'none yet'}.` };
    },
  }),
  defineTool({
    name: 'list_agents',
    title: 'List agents',
    description: 'Lists the account’s agents, newest first, one page at a time (limit ≤ 100; pass next_cursor back as cursor). Filters: status, platform, template_id, name. Deleted agents are left out unless status=deleted. Free, read-only. Scope agents:read.',
    input: {
      ...listInput,
      status: z.enum(['provisioning', 'active', 'updating', 'failed', 'deleting', 'deleted']).optional().describe('Only agents in this status.'),
      platform: z.enum(PLATFORMS).optional().describe('Only agents on this voice platform.'),
      template_id: z.string().optional().describe('Only agents built from this template.'),
      name: z.string().optional().describe('Exact agent name.'),
    },
    output: listOutput(agentShape),
    hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run(args, { api }) {
      const page = await api.get('/v2/agents', { query: args });
      return { structured: page, summary: `${page.data.length} agent(s)${page.has_more ? '; more with cursor=next_cursor' : ''}.` };
    },
  }),
  defineTool({
    name: 'update_agent',
    title: 'Change an agent',
    description:
      'Changes an agent (name, voice, business_url, template_id, a pinned system_prompt_override, or extraction-schema overrides): writes a new prompt version and pushes it to the voice platform through an operation. Returns operation_id at once; poll get_operation. Overwrites the agent’s current configuration (earlier prompt versions stay and can be rolled back via the API). No call credit spent. Scope agents:write.',
    input: {
      agent_id: z.string().describe('agt_… ID.'),
      name: z.string().optional().describe('New display name.'),
      voice: z.string().nullable().optional().describe('Platform voice ID; null for the platform default.'),
      business_url: z.string().optional().describe('A new business website to research again.'),
      template_id: z.string().optional().describe('Another industry template (list_templates).'),
      system_prompt_override: z.string().nullable().optional().describe('Pin this exact system prompt; null returns to the generated one.'),
      extraction: z
        .looseObject({
          fields: z
            .array(z.looseObject({ name: z.string(), type: z.string().describe('string, number, boolean, date, datetime, phone, email or enum'), description: z.string(), required: z.boolean().optional(), enum: z.array(z.string()).optional() }))
            .optional(),
          confidence_threshold: z.number().optional(),
        })
        .nullable()
        .optional()
        .describe('Extraction-schema changes for this agent’s calls: a field named like a template field replaces it, new names are added; null returns to the template’s.'),
    },
    output: acceptedOutput,
    hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    mutating: true,
    async run({ agent_id, ...patch }, { api, idempotencyKey }) {
      const body = await api.patch(`/v2/agents/${seg(agent_id)}`, { body: patch, idempotencyKey });
      return { structured: body, summary: `Updating agent ${body.agent_id} (operation ${body.operation_id}). Poll get_operation.` };
    },
  }),
];
