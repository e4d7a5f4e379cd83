import { expectError, request, TestResponse } from '../support/http-client';
import { startStack, Stack } from '../support/temporal-harness';
import { ingestionCounts, NotificationTenant, notificationTenant, PLATFORMS } from '../calls/call-notification-support';

/*
 * Vapi's custom-knowledge-base server mode against the real stack: the knowledge-base-request
 * Vapi posts on a user turn (ServerMessageKnowledgeBaseRequest, https://docs.vapi.ai/knowledge-base/custom-knowledge-base)
 * is answered from the agent's *synced* KB version, signed as the call notifications are; refusals
 * change nothing.
 */

const spec = PLATFORMS.vapi;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ label: 'vapi-kb-server' });
});
afterAll(async () => {
  await stack.close();
});

type Tenant = NotificationTenant & { assistantId: string };

async function tenant(assistantId: string): Promise<Tenant> {
  return { ...(await notificationTenant(stack, spec, assistantId)), assistantId };
}

/** A knowledge-base-request as Vapi sends it mid-call: the conversation so far, the caller's turn last. */
function kbRequest(assistantId: string, callerSays: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      message: {
        type: 'knowledge-base-request',
        timestamp: Date.now(),
        call: { id: '5e4d3c2b-1a09-4f8e-8d7c-6b5a4f3e2d1c', orgId: 'org-1', type: 'inboundPhoneCall', assistantId, status: 'in-progress' },
        messages: [
          { role: 'system', message: 'You answer calls for Northside HVAC.', time: 1, secondsFromStart: 0 },
          { role: 'bot', message: 'Northside HVAC, how can I help?', time: 2, endTime: 3, secondsFromStart: 0.5 },
          { role: 'user', message: callerSays, time: 4, endTime: 5, secondsFromStart: 3 },
        ],
        messagesOpenAIFormatted: [
          { role: 'system', content: 'You answer calls for Northside HVAC.' },
          { role: 'assistant', content: 'Northside HVAC, how can I help?' },
          { role: 'user', content: callerSays },
        ],
      },
    }),
  );
}

function ask(accountId: string, body: Buffer, headers: Record<string, string>): Promise<TestResponse> {
  return request(stack.baseUrl, 'POST', `/v2/platform-notifications/vapi/${accountId}/knowledge-base`, { rawBody: body, headers: { 'content-type': 'application/json', ...headers } });
}

/** Versions 2 and 3 synced; version 4 (a heat-pump document) written but not synced. */
async function knowledgeBase(t: Tenant): Promise<void> {
  const kb = stack.core.knowledgeBase;
  await kb.settings(t.accountId, t.agentId, { kb_auto_sync: false });
  await kb.addDocument(t.accountId, t.agentId, 'sa_test', { title: 'Opening hours', content: 'We are open Monday to Friday, 8am to 6pm.' });
  const boilers = await kb.addDocument(t.accountId, t.agentId, 'sa_test', { title: 'Boiler repair', content: 'Our technicians repair gas boilers on weekends too; the weekend call-out fee is $120.' });
  // What a sync leaves: the platform PATCHed, synced_version moved to the version it pushed.
  await kb.markSynced(t.agentId, boilers.knowledge_base.version, 'op_kb_sync_test');
  await kb.addDocument(t.accountId, t.agentId, 'sa_test', { title: 'Heat pump rebate', content: 'Heat pump installations qualify for a $500 rebate on weekends.' });
}

describe('POST /v2/platform-notifications/vapi/{account_id}/knowledge-base', () => {
  it('answers a signed knowledge-base-request with the synced version’s relevant document first, never an unsynced one', async () => {
    const t = await tenant('4b3a2c1d-0e9f-4a8b-b7c6-d5e4f3a2b1c0');
    await knowledgeBase(t);

    const body = kbRequest(t.assistantId, 'Do you repair boilers at the weekend? What is the fee?');
    const res = await ask(t.accountId, body, spec.sign(body, t.secret));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['documents']);
    expect(res.body.documents.length).toBeGreaterThanOrEqual(1);
    expect(res.body.documents[0]).toEqual({ content: expect.stringContaining('## Boiler repair\nOur technicians repair gas boilers on weekends too'), similarity: expect.any(Number) });
    expect(res.body.documents[0].similarity).toBeGreaterThan(0);
    expect(res.body.documents[0].similarity).toBeLessThanOrEqual(1);
    // Website text stays fenced as data when it reaches the model.
    expect(res.body.documents[0].content.startsWith('<website_data>')).toBe(true);
    // Sorted by similarity, best first.
    const sims = res.body.documents.map((d: { similarity: number }) => d.similarity);
    expect([...sims].sort((a, b) => b - a)).toEqual(sims);

    // The heat-pump document matches this question best, but its version is not synced: not served.
    const heatPump = kbRequest(t.assistantId, 'Is there a heat pump rebate?');
    const unsynced = await ask(t.accountId, heatPump, spec.sign(heatPump, t.secret));
    expect(unsynced.status).toBe(200);
    expect(JSON.stringify(unsynced.body)).not.toContain('Heat pump rebate');

    // An HMAC credential's signature is accepted too, as on the notification route.
    const hmac = await ask(t.accountId, body, spec.sign(body, t.secret, new Date()));
    expect(hmac.status).toBe(200);
    expect(hmac.body).toEqual(res.body);

    // Once a sync moves synced_version to version 4, the route serves it: nothing else to push.
    const head = await stack.core.knowledgeBase.headById(t.agentId);
    await stack.core.knowledgeBase.markSynced(t.agentId, head!.version, 'op_kb_sync_test_2');
    const synced = await ask(t.accountId, heatPump, spec.sign(heatPump, t.secret));
    expect(synced.body.documents[0].content).toContain('## Heat pump rebate');
  });

  it('refuses unsigned, wrongly signed, malformed and other-account requests, and writes nothing', async () => {
    const a = await tenant('9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d');
    const b = await tenant('1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d');
    await knowledgeBase(a);
    const headBefore = await stack.core.knowledgeBase.headById(a.agentId);
    const versionsBefore = await stack.core.models.kbVersions.countDocuments({ agent_id: a.agentId });
    const body = kbRequest(a.assistantId, 'Do you repair boilers at the weekend?');

    const unsigned = await ask(a.accountId, body, {});
    expect(expectError(unsigned, 401, 'INVALID_SIGNATURE').details[0]).toMatchObject({ issue: 'unsigned' });
    const wrong = await ask(a.accountId, body, spec.sign(body, b.secret));
    expect(expectError(wrong, 401, 'INVALID_SIGNATURE').details[0]).toMatchObject({ issue: 'bad_signature' });

    // Account A's assistant asked through account B's door, signed by B: not B's agent.
    const crossed = await ask(b.accountId, body, spec.sign(body, b.secret));
    expect(expectError(crossed, 404, 'NOT_FOUND').details[0]).toMatchObject({ issue: 'unknown_agent' });
    const unknown = kbRequest('00000000-0000-4000-8000-000000000000', 'Boilers?');
    expectError(await ask(a.accountId, unknown, spec.sign(unknown, a.secret)), 404, 'NOT_FOUND');

    const notKb = Buffer.from(JSON.stringify({ message: { type: 'status-update', call: { id: 'x', assistantId: a.assistantId } } }));
    expectError(await ask(a.accountId, notKb, spec.sign(notKb, a.secret)), 400, 'INVALID_NOTIFICATION');
    const noAssistant = Buffer.from(JSON.stringify({ message: { type: 'knowledge-base-request', messagesOpenAIFormatted: [{ role: 'user', content: 'boilers' }] } }));
    expectError(await ask(a.accountId, noAssistant, spec.sign(noAssistant, a.secret)), 400, 'INVALID_NOTIFICATION');

    expect(await stack.core.knowledgeBase.headById(a.agentId)).toEqual(headBefore);
    expect(await stack.core.models.kbVersions.countDocuments({ agent_id: a.agentId })).toBe(versionsBefore);
    for (const t of [a, b]) expect(await ingestionCounts(stack, t.accountId)).toEqual({ calls: 0, call_notifications: 0, call_claims: 0 });
    expect(await stack.core.knowledgeBase.headById(b.agentId)).toBeNull();
  });
});
