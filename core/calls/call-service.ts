import type { Model, QueryFilter } from 'mongoose';
import { encodeTime } from 'ulid';
import { insertOnce } from '../db/database';
import { derivedId } from '../db/derived-id';
import { NotFoundError } from '../errors/errors';
import { derivedPrefixedId, ID_PREFIXES } from '../ids/ids';
import { retentionDay } from '../maintenance/retention';
import { Page, PageQuery, paginate } from '../pagination/pagination';
import type { PlatformName } from '../platforms/platform-adapter';
import type { SecretBox } from '../secrets/secret-box';
import type { CallClaimDoc, CallDoc, CallExtractionDoc, CallNotificationDoc, CallTranscriptDoc } from './call-model';
import type { CallDirection, CallStatus, ExtractedField, ExtractionResult, ExtractionSchema, PlatformCall, PlatformNotification, TranscriptTurn } from './call-types';

export interface CallModels {
  calls: Model<CallDoc>;
  transcripts: Model<CallTranscriptDoc>;
  extractions: Model<CallExtractionDoc>;
  claims: Model<CallClaimDoc>;
  notifications: Model<CallNotificationDoc>;
}

export interface CallView {
  object: 'call';
  id: string;
  agent_id: string;
  platform: string;
  platform_call_id: string | null;
  direction: CallDirection;
  status: CallStatus;
  test: boolean;
  from_number: string | null;
  to_number: string | null;
  started_at: string | null;
  ended_at: string | null;
  duration_seconds: number | null;
  disposition: string | null;
  intent: string | null;
  summary: string | null;
  /** usd: what the platform reported charging, when it says; minutes: the duration rounded up to whole minutes. */
  cost: { usd: number | null; minutes: number | null };
  recording_url: string | null;
  ended_reason: string | null;
  extraction_status: CallDoc['extraction_status'];
  transcript_url: string;
  created_at: string;
  updated_at: string;
}

export interface TranscriptView {
  object: 'transcript';
  call_id: string;
  masked: boolean;
  turns: TranscriptTurn[];
}

export interface ExtractionView {
  object: 'extraction';
  call_id: string;
  status: CallDoc['extraction_status'];
  extractor: string | null;
  intent: string | null;
  disposition: string | null;
  threshold: number | null;
  fields: (ExtractedField & { required: boolean; below_threshold: boolean })[];
}

export interface CallListFilter {
  agent_id?: string;
  direction?: CallDirection;
  status?: CallStatus;
  disposition?: string;
  /** Calls that started at or after this instant (the call ID's time part is its start). */
  from?: Date;
  to?: Date;
}

/** What a stored notification holds, sealed: the body as received (audit) and what we read from it. */
export interface StoredNotification {
  raw: string | null;
  notification: Omit<PlatformNotification, 'occurred_at' | 'call'> & { occurred_at: string | null; call: SerializedCall | null };
}
type SerializedCall = Omit<PlatformCall, 'started_at' | 'ended_at'> & { started_at: string | null; ended_at: string | null };

const ID_BODY_LOWEST = '0000000000000000';

/**
 * Calls, their transcripts and extractions: reads for the API, idempotent writes for the call
 * workflow's activities. Every write is keyed by the call ID, so a retried activity rewrites
 * the same row instead of adding one.
 */
export class CallService {
  constructor(
    private readonly models: CallModels,
    private readonly box: SecretBox,
    private readonly apiBaseUrl: string,
  ) {}

  /**
   * The call ID for a platform's call: the first caller claims it, everyone after finds it. Its
   * time part is the call's start where the platform says it, so time filters are an _id range.
   */
  async claimCallId(accountId: string, platform: PlatformName, platformCallId: string, startedAt: Date | null): Promise<string> {
    const claimId = callClaimId(accountId, platform, platformCallId);
    const now = new Date();
    const callId = derivedPrefixedId('call', (startedAt ?? now).getTime(), accountId, platform, platformCallId);
    const claim = await insertOnce(this.models.claims, { _id: claimId, account_id: accountId, call_id: callId, created_at: now });
    return claim.call_id;
  }

  /** Claims a platform call for a call we made first (outbound, test): the call ID is ours already. */
  async claimCallIdAs(accountId: string, platform: PlatformName, platformCallId: string, callId: string): Promise<void> {
    const claim = await insertOnce(this.models.claims, { _id: callClaimId(accountId, platform, platformCallId), account_id: accountId, call_id: callId, created_at: new Date() });
    if (claim.call_id !== callId) throw new Error(`platform call ${platformCallId} is already claimed by ${claim.call_id}`);
  }

  /** An outbound call has been handed to the platform: its ID there, and it rings. */
  async markPlaced(callId: string, platformCallId: string): Promise<void> {
    await this.models.calls.updateOne({ _id: callId }, { $set: { platform_call_id: platformCallId, status: 'ringing', updated_at: new Date() } });
  }

  /** An outbound call that never reached the platform (canceled while queued, or refused): it ends here. */
  async endUnplaced(callId: string, status: 'canceled' | 'failed', reason: string): Promise<CallDoc | null> {
    const existing = await this.find(callId);
    if (!existing || isEnded(existing.status)) return existing;
    return this.models.calls
      .findOneAndUpdate({ _id: callId }, { $set: { status, ended_reason: reason, extraction_status: 'failed', updated_at: new Date() } }, { returnDocument: 'after' })
      .lean<CallDoc>();
  }

  async findClaimedCallId(accountId: string, platform: PlatformName, platformCallId: string): Promise<string | null> {
    const claim = await this.models.claims.findById(callClaimId(accountId, platform, platformCallId)).lean<CallClaimDoc>();
    return claim?.call_id ?? null;
  }

  /** Stores a notification once per platform dedupe key; `fresh` is false for a platform's retry. */
  async storeNotification(accountId: string, callId: string, notification: PlatformNotification, raw: string | null): Promise<{ id: string; fresh: boolean }> {
    const id = derivedId('cn_', accountId, notification.platform, notification.dedupe_key);
    const existing = await this.models.notifications.exists({ _id: id });
    if (existing) return { id, fresh: false };
    const stored: StoredNotification = { raw, notification: serializeNotification(notification) };
    const body = await this.box.seal(JSON.stringify(stored), { accountId, purpose: 'call-notification' });
    const now = new Date();
    const doc = await insertOnce(this.models.notifications, {
      _id: id,
      account_id: accountId,
      call_id: callId,
      platform: notification.platform,
      kind: notification.kind,
      event_type: notification.event_type,
      body,
      received_at: now,
      retention_day: retentionDay(now),
    });
    return { id, fresh: doc.body === body };
  }

  async readNotification(accountId: string, notificationId: string): Promise<PlatformNotification> {
    const doc = await this.models.notifications.findById(notificationId).lean<CallNotificationDoc>();
    if (!doc || doc.account_id !== accountId) throw new NotFoundError('call notification', notificationId);
    const stored = JSON.parse(await this.box.open(doc.body, { accountId, purpose: 'call-notification' })) as StoredNotification;
    return deserializeNotification(stored.notification);
  }

  /** The record of a call we know of before any platform tells us (a test or outbound call). */
  async createPending(input: { callId: string; accountId: string; agentId: string; platform: PlatformName; platformCallId: string | null; direction: CallDirection; test: boolean; fromNumber: string | null; toNumber: string | null }): Promise<CallDoc> {
    const now = new Date();
    return insertOnce(this.models.calls, {
      _id: input.callId,
      account_id: input.accountId,
      agent_id: input.agentId,
      platform: input.platform,
      platform_call_id: input.platformCallId,
      direction: input.direction,
      status: 'queued',
      test: input.test,
      from_number: input.fromNumber,
      to_number: input.toNumber,
      started_at: null,
      ended_at: null,
      duration_seconds: null,
      disposition: null,
      intent: null,
      summary: null,
      cost_usd: null,
      recording_url: null,
      ended_reason: null,
      platform_analysis: null,
      turn_count: 0,
      extraction_status: 'pending',
      created_at: now,
      updated_at: now,
    });
  }

  async find(callId: string): Promise<CallDoc | null> {
    return this.models.calls.findById(callId).lean<CallDoc>();
  }

  /**
   * Writes what the platform reported. An ended call's report replaces everything; a `started`
   * report never moves a call that has ended back to in progress (notifications race).
   */
  async recordPlatformCall(input: { callId: string; accountId: string; agentId: string; test: boolean; call: PlatformCall }): Promise<CallDoc> {
    const { call } = input;
    const existing = await this.find(input.callId);
    const ended = existing && isEnded(existing.status) && existing.ended_at !== null;
    if (ended && !isEnded(call.status)) return existing;
    const now = new Date();
    const fields = {
      account_id: input.accountId,
      agent_id: input.agentId,
      platform: call.platform,
      platform_call_id: call.platform_call_id,
      direction: call.direction ?? existing?.direction ?? 'inbound',
      status: call.status,
      test: existing?.test ?? input.test,
      from_number: call.from_number ?? existing?.from_number ?? null,
      to_number: call.to_number ?? existing?.to_number ?? null,
      started_at: call.started_at ?? existing?.started_at ?? null,
      ended_at: call.ended_at ?? existing?.ended_at ?? null,
      duration_seconds: call.duration_seconds ?? durationOf(call) ?? existing?.duration_seconds ?? null,
      summary: call.analysis?.summary ?? existing?.summary ?? null,
      cost_usd: call.cost_usd ?? existing?.cost_usd ?? null,
      recording_url: call.recording_url ?? existing?.recording_url ?? null,
      ended_reason: call.ended_reason ?? existing?.ended_reason ?? null,
      platform_analysis: call.analysis ?? existing?.platform_analysis ?? null,
      turn_count: call.turns.length > 0 ? call.turns.length : existing?.turn_count ?? 0,
      updated_at: now,
    };
    const doc = await this.models.calls
      .findOneAndUpdate(
        { _id: input.callId },
        { $set: fields, $setOnInsert: { disposition: null, intent: null, extraction_status: 'pending', created_at: now } },
        { upsert: true, returnDocument: 'after' },
      )
      .lean<CallDoc>();
    return doc!;
  }

  /** A call the platform never reported the end of, even when asked: it ends as failed. */
  async abandon(callId: string, reason: string): Promise<CallDoc | null> {
    const existing = await this.find(callId);
    if (!existing || isEnded(existing.status)) return existing;
    return this.models.calls
      .findOneAndUpdate({ _id: callId }, { $set: { status: 'failed', ended_reason: reason, ended_at: existing.ended_at ?? new Date(), extraction_status: 'failed', updated_at: new Date() } }, { returnDocument: 'after' })
      .lean<CallDoc>();
  }

  async storeTranscript(callId: string, accountId: string, turns: TranscriptTurn[], masked: boolean): Promise<void> {
    await this.models.transcripts.updateOne(
      { _id: callId },
      { $set: { account_id: accountId, turns, masked }, $setOnInsert: { created_at: new Date() } },
      { upsert: true },
    );
  }

  async loadTranscript(callId: string): Promise<CallTranscriptDoc | null> {
    return this.models.transcripts.findById(callId).lean<CallTranscriptDoc>();
  }

  async storeExtraction(call: CallDoc, result: ExtractionResult, schema: ExtractionSchema): Promise<CallDoc> {
    const required = new Set(schema.fields.filter((f) => f.required).map((f) => f.name));
    const fields = result.fields.map((f) => ({ ...f, required: required.has(f.name) }));
    await this.models.extractions.updateOne(
      { _id: call._id },
      { $set: { account_id: call.account_id, extractor: result.extractor, intent: result.intent, disposition: result.disposition, threshold: schema.confidence_threshold, fields }, $setOnInsert: { created_at: new Date() } },
      { upsert: true },
    );
    const doc = await this.models.calls
      .findOneAndUpdate({ _id: call._id }, { $set: { disposition: result.disposition, intent: result.intent, extraction_status: 'completed', updated_at: new Date() } }, { returnDocument: 'after' })
      .lean<CallDoc>();
    return doc!;
  }

  async markExtractionFailed(callId: string): Promise<void> {
    await this.models.calls.updateOne({ _id: callId, extraction_status: 'pending' }, { $set: { extraction_status: 'failed', updated_at: new Date() } });
  }

  async loadExtraction(callId: string): Promise<CallExtractionDoc | null> {
    return this.models.extractions.findById(callId).lean<CallExtractionDoc>();
  }

  // ---- reads for the API ----

  async get(accountId: string, callId: string): Promise<CallView> {
    return this.toView(await this.owned(accountId, callId));
  }

  async list(accountId: string, filter: CallListFilter, page: PageQuery): Promise<Page<CallView>> {
    const query: QueryFilter<CallDoc> = { account_id: accountId };
    if (filter.agent_id) query.agent_id = filter.agent_id;
    if (filter.direction) query.direction = filter.direction;
    if (filter.status) query.status = filter.status;
    if (filter.disposition) query.disposition = filter.disposition;
    if (filter.from || filter.to) {
      // IDs carry the call's start in their time part: the time filter is a range over the index.
      const range: { $gte?: string; $lt?: string } = {};
      if (filter.from) range.$gte = idAt(filter.from.getTime(), ID_BODY_LOWEST);
      if (filter.to) range.$lt = idAt(filter.to.getTime() + 1, ID_BODY_LOWEST);
      (query as Record<string, unknown>)._id = range;
    }
    return paginate(this.models.calls, 'calls', query, page, (d) => this.toView(d));
  }

  async transcript(accountId: string, callId: string): Promise<TranscriptView> {
    await this.owned(accountId, callId);
    const doc = await this.loadTranscript(callId);
    return { object: 'transcript', call_id: callId, masked: doc?.masked ?? true, turns: doc?.turns ?? [] };
  }

  async extraction(accountId: string, callId: string): Promise<ExtractionView> {
    const call = await this.owned(accountId, callId);
    const doc = await this.loadExtraction(callId);
    if (!doc) return { object: 'extraction', call_id: callId, status: call.extraction_status, extractor: null, intent: null, disposition: null, threshold: null, fields: [] };
    return {
      object: 'extraction',
      call_id: callId,
      status: call.extraction_status,
      extractor: doc.extractor,
      intent: doc.intent ?? null,
      disposition: doc.disposition ?? null,
      threshold: doc.threshold,
      fields: doc.fields.map((f) => ({ ...f, required: f.required ?? false, below_threshold: f.value !== null && f.confidence < doc.threshold })),
    };
  }

  transcriptUrl(callId: string): string {
    return `${this.apiBaseUrl}/v2/calls/${callId}/transcript`;
  }

  private async owned(accountId: string, callId: string): Promise<CallDoc> {
    const doc = await this.find(callId);
    if (!doc || doc.account_id !== accountId) throw new NotFoundError('call', callId);
    return doc;
  }

  toView(d: CallDoc): CallView {
    return {
      object: 'call',
      id: d._id,
      agent_id: d.agent_id,
      platform: d.platform,
      platform_call_id: d.platform_call_id,
      direction: d.direction,
      status: d.status,
      test: d.test,
      from_number: d.from_number ?? null,
      to_number: d.to_number ?? null,
      started_at: d.started_at?.toISOString() ?? null,
      ended_at: d.ended_at?.toISOString() ?? null,
      duration_seconds: d.duration_seconds ?? null,
      disposition: d.disposition ?? null,
      intent: d.intent ?? null,
      summary: d.summary ?? null,
      cost: { usd: d.cost_usd ?? null, minutes: d.duration_seconds == null ? null : Math.ceil(d.duration_seconds / 60) },
      recording_url: d.recording_url ?? null,
      ended_reason: d.ended_reason ?? null,
      extraction_status: d.extraction_status,
      transcript_url: this.transcriptUrl(d._id),
      created_at: d.created_at.toISOString(),
      updated_at: d.updated_at.toISOString(),
    };
  }
}

export function isEnded(status: CallStatus): boolean {
  return status === 'completed' || status === 'no_answer' || status === 'busy' || status === 'failed' || status === 'canceled';
}

function durationOf(call: PlatformCall): number | null {
  if (!call.started_at || !call.ended_at) return null;
  return Math.max(0, Math.round((call.ended_at.getTime() - call.started_at.getTime()) / 1000));
}

function callClaimId(accountId: string, platform: string, platformCallId: string): string {
  return derivedId('cc_', accountId, platform, platformCallId);
}

/** The lowest call ID of that millisecond: the same layout as derivedPrefixedId (10 time characters, then 16). */
function idAt(timeMs: number, body: string): string {
  return `${ID_PREFIXES.call}_${encodeTime(timeMs, 10).toLowerCase()}${body}`;
}

function serializeNotification(n: PlatformNotification): StoredNotification['notification'] {
  return {
    ...n,
    occurred_at: n.occurred_at?.toISOString() ?? null,
    call: n.call ? { ...n.call, started_at: n.call.started_at?.toISOString() ?? null, ended_at: n.call.ended_at?.toISOString() ?? null } : null,
  };
}

function deserializeNotification(n: StoredNotification['notification']): PlatformNotification {
  return {
    ...n,
    occurred_at: n.occurred_at ? new Date(n.occurred_at) : null,
    call: n.call ? { ...n.call, started_at: n.call.started_at ? new Date(n.call.started_at) : null, ended_at: n.call.ended_at ? new Date(n.call.ended_at) : null } : null,
  };
}
