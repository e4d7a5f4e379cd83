import { LocalPlatformAdapter } from '../../core/platforms/local-platform-adapter';
import { localPlatformAgentModel } from '../../core/platforms/local-platform-agent-model';
import { AgentDeployment, PhoneAttachment, PlatformCredentials, PlatformError } from '../../core/platforms/platform-adapter';
import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { client } from '../support/http-client';
import { startStack, Stack, waitForOperation } from '../support/temporal-harness';

/** Provider texts: what a platform says when it refuses. Clients must never read them. */
const REFUSAL_TEXT = 'voice not available in this region';
const INTERNAL_HOST = 'tts-gw-07.eu-west.corp.internal';
const LEAKY_TEXT = `local POST /v1/agents: HTTP 422: upstream ${INTERNAL_HOST}:8443 (10.40.3.17) rejected voice_id`;

/**
 * The local platform with one behaviour switched: deploying to an agent named "FailDeploy" is
 * refused by the platform (and to "LeakyDeploy", with a message naming an internal host),
 * attaching a number to one named "FailAttach" is refused. Real writes happen before the
 * refusals, so compensation has something real to undo.
 */
class RefusingPlatform extends LocalPlatformAdapter {
  override async createAgent(credentials: PlatformCredentials, deployment: AgentDeployment) {
    if (deployment.name === 'FailDeploy') throw new PlatformError('local', 'invalid_request', REFUSAL_TEXT, false, 422);
    if (deployment.name === 'LeakyDeploy') throw new PlatformError('local', 'invalid_request', LEAKY_TEXT, false, 422);
    return super.createAgent(credentials, deployment);
  }
  override async attachPhoneNumber(credentials: PlatformCredentials, platformAgentId: string, phone: PhoneAttachment) {
    const agent = await this.agentsModel.findById(platformAgentId).lean<{ name: string }>();
    if (agent?.name === 'FailAttach') throw new PlatformError('local', 'invalid_request', 'number cannot be routed to this agent', false, 422);
    return super.attachPhoneNumber(credentials, platformAgentId, phone);
  }
  constructor(readonly agentsModel: ReturnType<typeof localPlatformAgentModel>) {
    super(agentsModel);
  }
}

let stack: Stack;
let site: BusinessSite;
beforeAll(async () => {
  site = await serveBusinessSite();
  stack = await startStack({ label: 'compensate', worker: false });
  await stack.startWorkerWith({ platforms: { local: new RefusingPlatform(localPlatformAgentModel(stack.db.connection)) } });
});
afterAll(async () => {
  await stack.close();
  await site.close();
});

const count = (collection: string, filter: Record<string, unknown>) => stack.db.connection.db!.collection(collection).countDocuments(filter);

describe('failure and compensation', () => {
  it('fails at deploy with a structured, non-retryable error and leaves nothing behind', async () => {
    const acct = await stack.createAccount();
    const accepted = await client(stack.baseUrl, acct.token).post('/v2/agents', { payload: { name: 'FailDeploy', platform: 'local', business_url: site.url, template_id: 'dental_receptionist' } });
    const op = await waitForOperation(stack.baseUrl, acct.token, accepted.body.operation_id);
    expect(op.status).toBe('failed');
    // Our code and our words; the platform's own text is for the worker's log.
    expect(op.error).toEqual({ code: 'PLATFORM_INVALID_REQUEST', message: 'The voice platform (local) rejected the request (HTTP 422).', retryable: false, step: 'deploy' });
    expect(JSON.stringify(op)).not.toContain(REFUSAL_TEXT);
    expect(op.steps.find((s: { name: string }) => s.name === 'deploy').status).toBe('failed');
    expect(op.steps.find((s: { name: string }) => s.name === 'number').status).toBe('pending');
    expect(await count('local_platform_agents', { dedupe_token: op.id })).toBe(0);
    // The deploy half of the deploy-and-number step failed: no number can exist, so its undo is not
    // even scheduled (it would ask the telephony provider for nothing); the platform agent's is.
    const history = await stack.client.workflow.getHandle(op.id).fetchHistory();
    const scheduled = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(scheduled).toEqual(['researchBusiness', 'deployAndAssignNumber', 'removePlatformAgent', 'failProvisioning']);
    expect(await count('local_phone_numbers', { dedupe_token: op.id })).toBe(0);
    const agent = await client(stack.baseUrl, acct.token).get(`/v2/agents/${op.agent_id}`);
    expect(agent.body.status).toBe('failed');
    const events = await stack.core.events.list(acct.accountId, { limit: 10 });
    expect(events.map((e) => e.event_type)).toEqual(['agent.provisioning_failed']);
    expect(events[0].data).toMatchObject({ status: 'failed', error: { code: 'PLATFORM_INVALID_REQUEST', step: 'deploy' } });
  });

  it('never passes a provider message to the client: not on the operation, its steps, nor the failure event', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const accepted = await c.post('/v2/agents', { payload: { name: 'LeakyDeploy', platform: 'local', business_url: site.url, template_id: 'dental_receptionist' } });
    const op = await waitForOperation(stack.baseUrl, acct.token, accepted.body.operation_id);
    expect(op.status).toBe('failed');
    expect(op.error).toEqual({ code: 'PLATFORM_INVALID_REQUEST', message: 'The voice platform (local) rejected the request (HTTP 422).', retryable: false, step: 'deploy' });
    const events = await c.get(`/v2/events?format=json&agent_id=${op.agent_id}`);
    expect(events.status).toBe(200);
    expect(events.body.data.map((e: { event_type: string }) => e.event_type)).toEqual(['agent.provisioning_failed']);
    const listed = await c.get('/v2/operations');
    const agent = await c.get(`/v2/agents/${op.agent_id}`);
    for (const seen of [op, events.body, listed.body, agent.body]) {
      const text = JSON.stringify(seen);
      expect(text).not.toContain(INTERNAL_HOST);
      expect(text).not.toContain('10.40.3.17');
      expect(text).not.toContain('voice_id');
    }
  });

  it('undoes the deployed agent and the bought number when a later step fails', async () => {
    const acct = await stack.createAccount();
    const accepted = await client(stack.baseUrl, acct.token).post('/v2/agents', { payload: { name: 'FailAttach', platform: 'local', business_url: site.url, template_id: 'dental_receptionist' } });
    const op = await waitForOperation(stack.baseUrl, acct.token, accepted.body.operation_id);
    expect(op.status).toBe('failed');
    expect(op.error).toMatchObject({ code: 'PLATFORM_INVALID_REQUEST', step: 'number' });
    const steps = Object.fromEntries(op.steps.map((s: { name: string; status: string }) => [s.name, s.status]));
    expect(steps).toMatchObject({ research: 'completed', generate: 'completed', deploy: 'compensated', number: 'failed', activate: 'pending' });
    expect(await count('local_platform_agents', { dedupe_token: op.id })).toBe(0);
    expect(await count('local_phone_numbers', { dedupe_token: op.id })).toBe(0);
    const agent = await client(stack.baseUrl, acct.token).get(`/v2/agents/${op.agent_id}`);
    expect(agent.body).toMatchObject({ status: 'failed', phone_number: null, platform_agent_id: null });
  });
});
