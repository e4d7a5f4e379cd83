import { signLocalNotification } from '../../core/calls/notifications/local-notifications';
import type { Core } from '../../core/composition-root';
import { newId } from '../../core/ids/ids';

/**
 * The local platform's notifications for an inbound call, as its simulator signs them, and an
 * active local-platform agent row for them to name (shared by the call crash test, the history
 * recorder and bench/call-ingestion.ts).
 */

export interface LocalTurn {
  role: 'agent' | 'caller';
  text: string;
  start_seconds: number;
  end_seconds: number;
}

/** A realistic HVAC call of 10 to 20 turns, varied by `seed` so calls are not all alike. */
export function hvacTurns(seed = 0, count = 12): LocalTurn[] {
  const n = Math.max(10, Math.min(20, count));
  const names = ['Maria Lopez', 'James Carter', 'Aisha Khan', 'Tom Becker', 'Li Wei'];
  const issues = ['my furnace stopped working and there is no heat', 'the air conditioner is blowing warm air', 'the thermostat is blank', 'there is water leaking from the unit'];
  const script: [LocalTurn['role'], string][] = [
    ['agent', 'Thanks for calling Northside Heating and Air, this is Sam. How can I help?'],
    ['caller', `Hi, ${issues[seed % issues.length]} since last night.`],
    ['agent', 'I am sorry to hear that. Can I get your name please?'],
    ['caller', `Sure, my name is ${names[seed % names.length]}.`],
    ['agent', 'What is the best number to reach you?'],
    ['caller', `Five five five, two one two, ${String(1000 + (seed % 9000)).split('').join(' ')}.`],
    ['agent', 'And the service address?'],
    ['caller', `${100 + (seed % 900)} West Addison Street, Chicago, 60613.`],
    ['agent', 'How old is the system, roughly?'],
    ['caller', 'I am not sure, it came with the house.'],
    ['agent', 'Is anyone in the home elderly or with a medical condition affected by the temperature?'],
    ['caller', 'No, just me and my partner.'],
    ['agent', 'Would a morning or an afternoon visit suit you better?'],
    ['caller', 'Morning works best, as early as possible.'],
    ['agent', 'Do you have a maintenance plan with us?'],
    ['caller', 'No, this is the first time I am calling you.'],
    ['agent', 'Is there a gate code or anything the technician should know?'],
    ['caller', 'No gate, just ring the bell at the side door.'],
    ['agent', 'Thank you, I have booked a technician for tomorrow morning.'],
    ['caller', 'Great, thank you so much.'],
  ];
  const turns = script.slice(0, n - 1);
  turns.push(['agent', 'You are welcome, goodbye.']);
  let clock = 0;
  return turns.map(([role, text]) => {
    const start = clock;
    clock += 3 + (text.length % 4);
    return { role, text, start_seconds: start, end_seconds: clock };
  });
}

export interface LocalCallSpec {
  platformCallId: string;
  platformAgentId: string;
  fromNumber?: string | null;
  toNumber?: string | null;
  startedAt?: Date;
  turns?: LocalTurn[];
}

/** The body the local platform posts: `call.started` when the call begins, `call.ended` with its transcript. */
export function localNotificationBody(type: 'call.started' | 'call.ended', spec: LocalCallSpec): string {
  const startedAt = spec.startedAt ?? new Date(Date.now() - 60_000);
  const turns = type === 'call.ended' ? (spec.turns ?? hvacTurns()) : [];
  const duration = turns.reduce((m, t) => Math.max(m, t.end_seconds), 0);
  return JSON.stringify({
    type,
    event_id: `lsev_${spec.platformCallId}_${type === 'call.ended' ? 'ended' : 'started'}`,
    call: {
      id: spec.platformCallId,
      agent_id: spec.platformAgentId,
      direction: 'inbound',
      from_number: spec.fromNumber ?? '+13125550100',
      to_number: spec.toNumber ?? '+13125550199',
      started_at: startedAt.toISOString(),
      ended_at: type === 'call.ended' ? new Date(startedAt.getTime() + Math.max(1, duration) * 1000).toISOString() : null,
      status: type === 'call.ended' ? 'completed' : 'in_progress',
      turns,
    },
  });
}

/** Headers as the local platform signs `body` with the account's local secret. */
export async function localHeaders(core: Core, accountId: string, body: string, at = new Date()): Promise<Record<string, string>> {
  const secret = await core.localCallSecrets.get(accountId);
  return { 'content-type': 'application/json', 'wfw-local-signature': signLocalNotification(body, secret, at) };
}

/** POSTs a notification to the ingestion route of the API at `baseUrl`. */
export function postLocal(baseUrl: string, accountId: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${baseUrl}/v2/platform-notifications/local/${accountId}`, { method: 'POST', headers, body });
}

/** An active agent on the local platform as provisioning leaves one, written directly. */
export async function createLocalAgentRow(core: Core, accountId: string, platformAgentId: string, template = 'hvac_dispatch'): Promise<string> {
  const now = new Date();
  const id = newId('agent');
  const op = newId('operation');
  await core.models.agents.create({
    _id: id,
    account_id: accountId,
    name: 'Dispatch',
    status: 'active',
    platform: 'local',
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
    phone_number: '+13125550199',
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
