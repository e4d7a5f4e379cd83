import { z } from 'zod';

/** Output shapes: the fields a model relies on, loose so fields the API adds later pass through. */
export const agentShape = z.looseObject({
  id: z.string().describe('agt_…'),
  name: z.string(),
  status: z.string().describe('provisioning, active, updating, failed, deleting or deleted.'),
  platform: z.string(),
  template_id: z.string(),
  business_url: z.string(),
  phone_number: z.string().nullable().describe('E.164, once provisioned.'),
  prompt_version: z.number().nullable(),
  last_operation_id: z.string().optional(),
});

export const operationShape = {
  id: z.string().describe('op_…'),
  type: z.string().describe('agent.provision, agent.update or agent.delete.'),
  status: z.string().describe('pending, running, then active / succeeded / failed / canceled.'),
  step: z.string().nullable().describe('The step running now.'),
  steps: z.array(z.looseObject({ name: z.string(), status: z.string() })),
  agent_id: z.string(),
  batch_id: z.string().nullable(),
  phone_number: z.string().nullable(),
  error: z.looseObject({ code: z.string(), message: z.string(), retryable: z.boolean() }).nullable().describe('Why it failed, when it did.'),
};

export const callShape = z.looseObject({
  id: z.string().describe('call_…'),
  agent_id: z.string(),
  direction: z.string(),
  status: z.string(),
  test: z.boolean(),
  from_number: z.string().nullable(),
  to_number: z.string().nullable(),
  started_at: z.string().nullable(),
  duration_seconds: z.number().nullable(),
  disposition: z.string().nullable(),
  extraction_status: z.string().describe('pending until the call ended and was analysed, then completed or failed.'),
});
