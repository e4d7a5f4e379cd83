import { Context } from '@temporalio/activity';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalPlatformAdapter } from '../../core/platforms/local-platform-adapter';
import { localPlatformAgentModel } from '../../core/platforms/local-platform-agent-model';
import { AgentDeployment, DeployedAgent, PhoneAttachment, PlatformCredentials, PlatformError } from '../../core/platforms/platform-adapter';
import { localPhoneNumberModel } from '../../core/telephony/local-phone-number-model';
import { LocalTelephonyAdapter } from '../../core/telephony/local-telephony-adapter';
import { TelephonyCredentials, TelephonyError } from '../../core/telephony/telephony-adapter';
import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { client } from '../support/http-client';
import { startStack, Stack, waitForOperation } from '../support/temporal-harness';

/** What the provider says when it refuses; it must never reach a client. */
const PROVIDER_TEXT = 'upstream said: token revoked at edge-7f3a';

/**
 * The local platform with refusals keyed by the agent's name (or prompt), so one worker serves
 * every case: the writes before each refusal are real, so the undo has something real to find.
 */
class SagaPlatform extends LocalPlatformAdapter {
  /** While set, deleting an agent named "FailCleanup" is refused for good (a revoked key). */
  refuseCleanup = true;

  constructor(readonly model: ReturnType<typeof localPlatformAgentModel>) {
    super(model);
  }

  /** Called when a deploy of an agent named "SlowDeploy" starts: that deploy lasts until its activity is canceled, then succeeds. */
  onSlowDeploy?: () => void;

  override async createAgent(credentials: PlatformCredentials, deployment: AgentDeployment) {
    if (deployment.name === 'SlowDeploy') {
      this.onSlowDeploy?.();
      await Context.current().cancelled.catch(() => undefined);
    }
    const created = await super.createAgent(credentials, deployment);
    // The provider made the agent, but its answer never reached our database.
    if (deployment.name === 'LostCreate') throw new PlatformError('local', 'unexpected', PROVIDER_TEXT, false, 500);
    return created;
  }

  override async attachPhoneNumber(credentials: PlatformCredentials, platformAgentId: string, phone: PhoneAttachment) {
    const agent = await this.getAgent(platformAgentId);
    if (agent?.name === 'FailCleanup') throw new PlatformError('local', 'invalid_request', 'number cannot be routed to this agent', false, 422);
    return super.attachPhoneNumber(credentials, platformAgentId, phone);
  }

  override async updateAgent(credentials: PlatformCredentials, platformAgentId: string, deployment: AgentDeployment) {
    const updated = await super.updateAgent(credentials, platformAgentId, deployment);
    // The push landed on the platform, and then the call failed.
    if (deployment.system_prompt.includes('PUSH-FAILS')) throw new PlatformError('local', 'unexpected', PROVIDER_TEXT, false, 500);
    return updated;
  }

  override async deleteAgent(credentials: PlatformCredentials, deployed: DeployedAgent) {
    const agent = await this.getAgent(deployed.platform_agent_id);
    if (this.refuseCleanup && agent?.name === 'FailCleanup') throw new PlatformError('local', 'unauthorized', PROVIDER_TEXT, false, 401);
    return super.deleteAgent(credentials, deployed);
  }
}

/** Numbers asked for in area 212 are bought and then the answer is lost. */
class SagaTelephony extends LocalTelephonyAdapter {
  /** Dedupe tokens of every purchase asked for (a released number leaves no other trace). */
  readonly purchases = new Set<string>();

  override async acquireNumber(credentials: TelephonyCredentials | null, request: Parameters<LocalTelephonyAdapter['acquireNumber']>[1]) {
    this.purchases.add(request.dedupe_token);
    const number = await super.acquireNumber(credentials, request);
    if (request.area_code === '212') throw new TelephonyError('local', 'unexpected', PROVIDER_TEXT, false, 500);
    return number;
  }
}

/** A business site whose home page answers only after `delayMs`; it tells when a request's connection closes early. */
async function serveSlowSite(delayMs: number) {
  const requested: (() => void)[] = [];
  const closed: (() => void)[] = [];
  let homeRequested = false;
  let homeClosedEarly = false;
  const server = http.createServer((req, res) => {
    if (req.url !== '/') {
      res.writeHead(404).end();
      return;
    }
    homeRequested = true;
    requested.splice(0).forEach((f) => f());
    const timer = setTimeout(() => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><title>Slow Dental</title></head><body><h1>Slow Dental</h1><p>Call us.</p></body></html>'), delayMs);
    res.on('close', () => {
      if (res.writableFinished) return;
      clearTimeout(timer);
      homeClosedEarly = true;
      closed.splice(0).forEach((f) => f());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    homeRequested: () => (homeRequested ? Promise.resolve() : new Promise<void>((r) => requested.push(r))),
    homeClosedEarly: () => (homeClosedEarly ? Promise.resolve() : new Promise<void>((r) => closed.push(r))),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

let stack: Stack;
let site: BusinessSite;
let platform: SagaPlatform;
let telephony: SagaTelephony;
beforeAll(async () => {
  site = await serveBusinessSite();
  stack = await startStack({ label: 'sagas', worker: false });
  platform = new SagaPlatform(localPlatformAgentModel(stack.db.connection));
  telephony = new SagaTelephony(localPhoneNumberModel(stack.db.connection));
  await stack.startWorkerWith({ platforms: { local: platform }, telephony: { local: telephony } });
});
afterAll(async () => {
  await stack.close();
  await site.close();
});

const count = (collection: string, filter: Record<string, unknown>) => stack.db.connection.db!.collection(collection).countDocuments(filter);
const payload = (name: string, extra: Record<string, unknown> = {}) => ({ payload: { name, platform: 'local', business_url: site.url, template_id: 'dental_receptionist', ...extra } });

describe('provisioning undo (saga)', () => {
  it('runs every undo when one fails for good, ends failed with the failure recorded, and the agent can be deleted later', async () => {
    platform.refuseCleanup = true;
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const accepted = await c.post('/v2/agents', payload('FailCleanup'));
    const op = await waitForOperation(stack.baseUrl, acct.token, accepted.body.operation_id, ['failed', 'canceled'], 40_000);
    expect(op.status).toBe('failed');
    expect(op.error).toMatchObject({ code: 'PLATFORM_INVALID_REQUEST', step: 'number' });
    expect(op.error.compensation_failures).toEqual([{ step: 'deploy', code: 'PLATFORM_UNAUTHORIZED', message: expect.any(String) }]);
    expect(JSON.stringify(op)).not.toContain(PROVIDER_TEXT);
    // The number went back although removing the platform agent failed.
    expect(await count('local_phone_numbers', { dedupe_token: op.id })).toBe(0);
    expect(await count('local_platform_agents', { dedupe_token: op.id })).toBe(1);
    const agent = await c.get(`/v2/agents/${op.agent_id}`);
    expect(agent.body.status).toBe('failed');

    // The key is fixed; deleting the agent retries the cleanup.
    platform.refuseCleanup = false;
    const del = await c.delete(`/v2/agents/${op.agent_id}`);
    expect(del.status).toBe(202);
    const deleted = await waitForOperation(stack.baseUrl, acct.token, del.body.operation_id, undefined, 40_000);
    expect(deleted.status).toBe('succeeded');
    expect(await count('local_platform_agents', { dedupe_token: op.id })).toBe(0);
  });

  it('removes a platform agent whose ID was never stored, found by the dedupe token', async () => {
    const acct = await stack.createAccount();
    const accepted = await client(stack.baseUrl, acct.token).post('/v2/agents', payload('LostCreate'));
    const op = await waitForOperation(stack.baseUrl, acct.token, accepted.body.operation_id, ['failed', 'canceled'], 40_000);
    expect(op.status).toBe('failed');
    expect(op.error).toMatchObject({ step: 'deploy' });
    expect(op.error.compensation_failures).toBeUndefined();
    expect(await count('local_platform_agents', { dedupe_token: op.id })).toBe(0);
  });

  it('releases a number whose purchase answer was never stored, found by the dedupe token', async () => {
    const acct = await stack.createAccount();
    const accepted = await client(stack.baseUrl, acct.token).post('/v2/agents', payload('LostNumber', { area_code: '212' }));
    const op = await waitForOperation(stack.baseUrl, acct.token, accepted.body.operation_id, ['failed', 'canceled'], 40_000);
    expect(op.status).toBe('failed');
    expect(op.error).toMatchObject({ step: 'number' });
    expect(await count('local_phone_numbers', { dedupe_token: op.id })).toBe(0);
    expect(await count('local_platform_agents', { dedupe_token: op.id })).toBe(0);
  });
});

describe('cancellation', () => {
  it('a cancel that comes while the platform deploys buys no number: the deploy is undone, the operation ends canceled', async () => {
    const deploying = new Promise<void>((r) => (platform.onSlowDeploy = r));
    try {
      const acct = await stack.createAccount();
      const c = client(stack.baseUrl, acct.token);
      const opId = (await c.post('/v2/agents', { payload: { name: 'SlowDeploy', platform: 'local', business_url: site.url, template_id: 'dental_receptionist' } })).body.operation_id;
      await within(deploying, 30_000, 'the deploy in flight');
      // The platform answers once the cancel has reached the activity: the deploy succeeded, the operation was canceled meanwhile.
      expect((await c.post(`/v2/operations/${opId}/cancel`)).status).toBe(202);
      const op = await waitForOperation(stack.baseUrl, acct.token, opId, ['canceled', 'failed', 'active'], 30_000);
      expect(op.status).toBe('canceled');
      expect(telephony.purchases.has(opId)).toBe(false);
      expect(await stack.db.connection.db!.collection('local_platform_agents').countDocuments({ dedupe_token: opId })).toBe(0);
      expect(op.steps.find((s: { name: string }) => s.name === 'deploy').status).toBe('compensated');
    } finally {
      platform.onSlowDeploy = undefined;
    }
  });

  it('aborts the crawl in flight, and no later step write changes the canceled operation', async () => {
    const delayMs = 9_000;
    const slow = await serveSlowSite(delayMs);
    try {
      const acct = await stack.createAccount();
      const c = client(stack.baseUrl, acct.token);
      const accepted = await c.post('/v2/agents', { payload: { name: 'Slow', platform: 'local', business_url: slow.url, template_id: 'dental_receptionist' } });
      const opId = accepted.body.operation_id;
      await within(slow.homeRequested(), 20_000, 'home page requested');
      const canceledAt = Date.now();
      expect((await c.post(`/v2/operations/${opId}/cancel`)).status).toBe(202);
      // The crawler's request is dropped, long before the page would have come (or timed out).
      await within(slow.homeClosedEarly(), 4_000, 'crawl request aborted');
      expect(Date.now() - canceledAt).toBeLessThan(delayMs / 2);
      const op = await waitForOperation(stack.baseUrl, acct.token, opId, ['canceled', 'failed', 'active'], 20_000);
      expect(op.status).toBe('canceled');
      const research = op.steps.find((s: { name: string }) => s.name === 'research');
      expect(research.status).not.toBe('completed');

      // A step that finishes after the cancel (a late activity) writes nothing to the operation.
      const before = await stack.core.operations.findById(opId);
      await stack.core.operations.stepFinished(opId, 'research', 'completed', 'late', 'generate');
      await stack.core.operations.stepStarted(opId, 'generate', 2);
      await stack.core.operations.complete(opId, 'active', 'activate', { phone_number: '+14155550000' });
      await stack.core.operations.fail(opId, 'failed', { code: 'LATE', message: 'late', retryable: false, step: 'research' });
      const after = await stack.core.operations.findById(opId);
      expect(after).toEqual(before);
    } finally {
      await slow.close();
    }
  });
});

describe('update undo', () => {
  it('pushes the previous version back when an update fails after its push reached the platform', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const accepted = await c.post('/v2/agents', payload('Pushy'));
    const op = await waitForOperation(stack.baseUrl, acct.token, accepted.body.operation_id, undefined, 40_000);
    expect(op.status).toBe('active');
    const before = await c.get(`/v2/agents/${op.agent_id}`);
    const platformAgentId = before.body.platform_agent_id as string;
    const previousPrompt = (await platform.getAgent(platformAgentId))!.system_prompt;

    const patched = await c.patch(`/v2/agents/${op.agent_id}`, { system_prompt_override: 'PUSH-FAILS You are the front desk.' });
    expect(patched.status).toBe(202);
    const upd = await waitForOperation(stack.baseUrl, acct.token, patched.body.operation_id, undefined, 40_000);
    expect(upd.status).toBe('failed');
    expect(upd.error).toMatchObject({ step: 'push' });
    expect(upd.error.compensation_failures).toBeUndefined();

    expect((await platform.getAgent(platformAgentId))!.system_prompt).toBe(previousPrompt);
    const after = await c.get(`/v2/agents/${op.agent_id}`);
    expect(after.body.status).toBe('active');
    expect(after.body.prompt_version).toBe(before.body.prompt_version);
  });
});
