import { createHmac } from 'node:crypto';
import { notificationReader } from '../../core/calls/notifications/platform-notification-reader';
import type { PlatformCall } from '../../core/calls/call-types';
import { newId } from '../../core/ids/ids';
import { SecretBox } from '../../core/secrets/secret-box';
import { request, TestResponse } from '../support/http-client';
import type { Stack } from '../support/temporal-harness';
import { fixture, fixtureJson } from './notifications/notification-fixtures';

/**
 * What the call tests share: each voice platform's notifications as it signs them, an agent row
 * as provisioning would leave it (provisioning against real platforms is impossible offline), and
 * waiting for conditions with a deadline.
 */

export type VoicePlatform = 'elevenlabs' | 'vapi' | 'retell';

export interface PlatformSpec {
  platform: VoicePlatform;
  /** The fixture that carries the end-of-call report. */
  endedFixture: string;
  /** The platform's agent ID the fixtures name. */
  platformAgentId: string;
  /** Credentials as a client PUTs them; the notification secret is derived from them. */
  credentials(seed: string): { api_key: string; webhook_secret?: string };
  secretOf(credentials: { api_key: string; webhook_secret?: string }): string;
  /** Headers as the platform sends them, signing `body` at `at` with `secret`. */
  sign(body: Buffer, secret: string, at?: Date): Record<string, string>;
  /** The same payload naming another platform agent ID (or another platform call ID). */
  withAgent(body: Buffer, platformAgentId: string): Buffer;
  withCallId(body: Buffer, platformCallId: string): Buffer;
  /** Well-formed JSON that is not a call event of this platform. */
  malformedShape: Buffer;
}

function hmacHex(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

function edit(body: Buffer, change: (json: any) => void): Buffer {
  const json = JSON.parse(body.toString('utf8'));
  change(json);
  return Buffer.from(JSON.stringify(json));
}

export const PLATFORMS: Record<VoicePlatform, PlatformSpec> = {
  elevenlabs: {
    platform: 'elevenlabs',
    endedFixture: 'post-call-transcription',
    platformAgentId: 'agent_7101k5zvyjhmfg983brhmhkd98n6',
    credentials: (seed) => ({ api_key: `sk_el_${seed}_key`, webhook_secret: `wsec_${seed}_0123456789abcdef` }),
    secretOf: (c) => c.webhook_secret!,
    // ElevenLabs-Signature: t=<unix s>,v0=<hex HMAC-SHA256 of "<t>.<body>">.
    sign(body, secret, at = new Date()) {
      const t = Math.floor(at.getTime() / 1000);
      return { 'content-type': 'application/json', 'elevenlabs-signature': `t=${t},v0=${hmacHex(secret, `${t}.${body.toString('utf8')}`)}` };
    },
    withAgent: (body, id) => edit(body, (j) => (j.data.agent_id = id)),
    withCallId: (body, id) => edit(body, (j) => (j.data.conversation_id = id)),
    malformedShape: Buffer.from(JSON.stringify({ type: 'post_call_transcription', event_timestamp: 1764763320, data: { transcript: 'not a list' } })),
  },
  vapi: {
    platform: 'vapi',
    endedFixture: 'end-of-call-report',
    platformAgentId: '8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d',
    credentials: (seed) => ({ api_key: `vapi-${seed}-key`, webhook_secret: `vapi-secret-${seed}-0123456789` }),
    secretOf: (c) => c.webhook_secret!,
    // The server secret verbatim in X-Vapi-Secret; with a time, an HMAC credential's headers (the only Vapi scheme with a timestamp).
    sign(body, secret, at): Record<string, string> {
      if (!at) return { 'content-type': 'application/json', 'x-vapi-secret': secret };
      const timestamp = String(Math.floor(at.getTime() / 1000));
      return { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': hmacHex(secret, `${timestamp}.${body.toString('utf8')}`) };
    },
    withAgent: (body, id) => edit(body, (j) => (j.message.call.assistantId = id)),
    withCallId: (body, id) => edit(body, (j) => (j.message.call.id = id)),
    malformedShape: Buffer.from(JSON.stringify({ message: { type: 'end-of-call-report', call: { assistantId: 42 } } })),
  },
  retell: {
    platform: 'retell',
    endedFixture: 'call-analyzed',
    platformAgentId: 'oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD',
    // Retell signs with the API key; it takes no webhook_secret.
    credentials: (seed) => ({ api_key: `key_retell_${seed}` }),
    secretOf: (c) => c.api_key,
    // x-retell-signature: v=<unix ms>,d=<hex HMAC-SHA256 of body + ms>.
    sign(body, secret, at = new Date()) {
      const ms = at.getTime();
      return { 'content-type': 'application/json', 'x-retell-signature': `v=${ms},d=${hmacHex(secret, `${body.toString('utf8')}${ms}`)}` };
    },
    withAgent: (body, id) => edit(body, (j) => (j.call.agent_id = id)),
    withCallId: (body, id) => edit(body, (j) => (j.call.call_id = id)),
    malformedShape: Buffer.from(JSON.stringify({ event: 'call_analyzed', call: { call_id: 'x' } })),
  },
};

/** What the platform's reader makes of a fixture: the values the call record must end up with. */
export function parsedCall(platform: VoicePlatform, body: Buffer): PlatformCall {
  return notificationReader(platform).parse(body).call!;
}

export { fixture, fixtureJson };

export async function putCredentials(stack: Stack, token: string, platform: VoicePlatform, credentials: { api_key: string; webhook_secret?: string }): Promise<void> {
  const res = await request(stack.baseUrl, 'PUT', `/v2/platform-credentials/${platform}`, { token, body: credentials });
  if (res.status !== 201 && res.status !== 200) throw new Error(`storing ${platform} credentials: ${res.status} ${res.text}`);
}

export interface NotificationTenant {
  accountId: string;
  token: string;
  /** The secret the platform signs this account's deliveries with. */
  secret: string;
  agentId: string;
}

/** An account with the platform's credentials stored through the API and an active agent on it. */
export async function notificationTenant(stack: Stack, spec: PlatformSpec, platformAgentId = spec.platformAgentId): Promise<NotificationTenant> {
  const acct = await stack.createAccount();
  const credentials = spec.credentials(acct.accountId.slice(-10));
  await putCredentials(stack, acct.token, spec.platform, credentials);
  const agentId = await createAgentRow(stack, acct.accountId, spec.platform, platformAgentId);
  return { accountId: acct.accountId, token: acct.token, secret: spec.secretOf(credentials), agentId };
}

/** An active agent as provisioning leaves one on a platform, written directly. */
export async function createAgentRow(stack: Stack, accountId: string, platform: VoicePlatform, platformAgentId: string, template = 'hvac_dispatch'): Promise<string> {
  const now = new Date();
  const id = newId('agent');
  const op = newId('operation');
  await stack.core.models.agents.create({
    _id: id,
    account_id: accountId,
    name: 'Dispatch',
    status: 'active',
    platform,
    template_id: template,
    business_url: 'https://northside-hvac.example',
    voice: null,
    language: 'en',
    area_code: null,
    metadata: {},
    extraction_overrides: null,
    prompt_override: null,
    current_prompt_version: 1,
    latest_prompt_version: 1,
    platform_agent_id: platformAgentId,
    platform_kb_ids: [],
    phone_number: null,
    telephony: null,
    telephony_number_id: null,
    provision_operation_id: op,
    last_operation_id: op,
    research_report_id: null,
    created_at: now,
    updated_at: now,
    activated_at: now,
    deleted_at: null,
  });
  return id;
}

export function postNotification(stack: Stack, platform: string, accountId: string, body: Buffer | string, headers: Record<string, string>): Promise<TestResponse> {
  return request(stack.baseUrl, 'POST', `/v2/platform-notifications/${platform}/${accountId}`, { rawBody: body, headers: { 'content-type': 'application/json', ...headers } });
}

/** Polls `probe` until it gives a value, or fails after the deadline. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const CALL_EVENTS = ['call.started', 'call.transcript_ready', 'call.completed', 'call.extractions_ready'] as const;

/** How many of each call event the account has. */
export async function eventCounts(stack: Stack, accountId: string, types: readonly string[] = CALL_EVENTS): Promise<Record<string, number>> {
  const events = await stack.core.events.list(accountId, { types: [...types], limit: 1000 });
  const counts: Record<string, number> = Object.fromEntries(types.map((t) => [t, 0]));
  for (const e of events) counts[e.event_type] = (counts[e.event_type] ?? 0) + 1;
  return counts;
}

/** The account's rows in what ingestion writes. */
export async function ingestionCounts(stack: Stack, accountId: string): Promise<{ calls: number; call_notifications: number; call_claims: number }> {
  const m = stack.core.models;
  return {
    calls: await m.calls.countDocuments({ account_id: accountId }),
    call_notifications: await m.callNotifications.countDocuments({ account_id: accountId }),
    call_claims: await m.callClaims.countDocuments({ account_id: accountId }),
  };
}

/** The stored notifications of a call, opened: the body as received and what was read from it. */
export async function storedNotifications(stack: Stack, accountId: string, callId: string): Promise<{ doc: any; raw: string | null; event_type: string; kind: string }[]> {
  const box = new SecretBox(stack.core.models.signingKeys, stack.config.encryptionKeys);
  const docs = await stack.core.models.callNotifications.find({ account_id: accountId, call_id: callId }).sort({ received_at: 1 }).lean();
  return Promise.all(
    docs.map(async (doc: any) => {
      const stored = JSON.parse(await box.open(doc.body, { accountId, purpose: 'call-notification' })) as { raw: string | null };
      return { doc, raw: stored.raw, event_type: doc.event_type, kind: doc.kind };
    }),
  );
}
