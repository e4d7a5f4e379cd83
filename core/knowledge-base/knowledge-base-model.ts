import { Connection, Model, Schema } from 'mongoose';
import { absentOnOlder, DocOf, field } from '../db/schema-types';
import type { KbFlag } from './kb-flags';

export const KB_SOURCES = ['research', 'manual', 'proposal', 'url'] as const;
export type KbSource = (typeof KB_SOURCES)[number];

export const KB_CHANGE_OPS = ['initial', 'add', 'replace', 'remove', 'rollback', 'proposal'] as const;
export type KbChangeOp = (typeof KB_CHANGE_OPS)[number];

/** One document of a KB version. `id` (kb_…) stays the same across versions while the document lives. */
export interface KbDocument {
  id: string;
  title: string;
  content: string;
  source: KbSource;
  source_url: string | null;
  updated_at: Date;
}

export interface KbChange {
  op: KbChangeOp;
  /** The document changed (the first one for a multi-document change); null for the initial version. */
  doc_id: string | null;
  /** The service account that made the change; null for the version made from research. */
  by: string | null;
  proposal_id: string | null;
  /** A rollback's source version. */
  rolled_back_to?: number | null;
}

/**
 * An immutable KB version: one per change. `_id` is derived from (agent, version), so allocating
 * version n+1 is a unique insert: whoever inserts it first owns it, a racer re-reads and tries n+2,
 * and a retried write of the same change finds its own row (same `change_key`).
 */
const kbVersionFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  agent_id: { type: String, required: true },
  version: { type: Number, required: true },
  documents: { type: field.mixed<KbDocument[]>(), default: [] },
  change: { type: field.mixed<KbChange>(), required: true },
  /** What made the change (an idempotency key or a proposal approval): a retry finds its version by it. */
  change_key: { type: String, default: null },
  created_at: { type: Date, required: true },
};

export type KbVersionDoc = DocOf<typeof kbVersionFields>;

const kbVersionSchema = new Schema<KbVersionDoc>(kbVersionFields, { versionKey: false, collection: 'kb_versions', minimize: false });
kbVersionSchema.index({ agent_id: 1, version: 1 }, { unique: true });

export function kbVersionModel(connection: Connection): Model<KbVersionDoc> {
  return connection.models.KbVersion ?? connection.model<KbVersionDoc>('KbVersion', kbVersionSchema);
}

/**
 * The agent's KB settings and pointers, `_id` = agent ID. `version` is a hint (the newest version
 * is found by probing `_id`s forward from it, so a lost hint write only costs a read);
 * `synced_version` is the version the platform serves.
 */
const kbHeadFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  version: { type: Number, required: true },
  synced_version: { type: Number, default: null },
  /** The sync operation that moved `synced_version` last: it, and only it, announces that version. */
  synced_by: absentOnOlder({ type: String, default: null }),
  kb_auto_sync: { type: Boolean, default: true },
  kb_auto_apply: { type: Boolean, default: false },
  /**
   * The drift schedule's settings (core/knowledge-base/kb-drift-service.ts). Null until its
   * schedule was first ensured: heads made before drift existed get one on their next read.
   */
  drift: absentOnOlder({ type: field.mixed<KbDriftSettings | null>(), default: null }),
  /** What the last drift check saw, per page document key: drift proposes only what changed on the site since. */
  drift_pages: absentOnOlder({ type: field.mixed<KbDriftPage[] | null>(), default: null }),
  drift_checked_at: absentOnOlder({ type: Date, default: null }),
  created_at: { type: Date, required: true },
  updated_at: { type: Date, required: true },
};

export interface KbDriftSettings {
  enabled: boolean;
  interval_days: number;
}

/** A crawled page as the last drift check saw it (`key` as the generator's `page:<path>`). */
export interface KbDriftPage {
  key: string;
  hash: string;
}

export type KbHeadDoc = DocOf<typeof kbHeadFields>;

const kbHeadSchema = new Schema<KbHeadDoc>(kbHeadFields, { versionKey: false, collection: 'kb_heads', minimize: false });

export function kbHeadModel(connection: Connection): Model<KbHeadDoc> {
  return connection.models.KbHead ?? connection.model<KbHeadDoc>('KbHead', kbHeadSchema);
}

export const KB_PROPOSAL_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type KbProposalStatus = (typeof KB_PROPOSAL_STATUSES)[number];

export interface KbEvidence {
  call_id: string;
  turn: number;
  quote: string;
}

/** Where a drift change's text is on the business's site now. */
export interface KbSiteEvidence {
  source_url: string;
  quote: string;
}

export interface KbProposedChange {
  op: 'add' | 'replace' | 'remove';
  doc_id?: string;
  title: string;
  before?: string;
  after: string;
  rationale: string;
  evidence: KbEvidence[];
  /** A drift change (no call behind it): the page it came from, and lines quoted from the re-crawl. */
  source_url?: string;
  site_evidence?: KbSiteEvidence[];
  /** True when `after` is a placeholder the business must fill before it helps callers. */
  needs_answer?: boolean;
}

const kbProposalFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  agent_id: { type: String, required: true },
  status: { type: field.string<KbProposalStatus>(), required: true },
  changes: { type: field.mixed<KbProposedChange[]>(), default: [] },
  call_ids: { type: [String], default: [] },
  /** Agent answers in those calls that contradict the KB (kb-flags.ts); they change nothing themselves. */
  flags: { type: field.mixed<KbFlag[]>(), default: [] },
  /** What drafted the answers from calls: `deterministic`, or `llm:<model>`; null when no call was read. */
  drafted_by: { type: String, default: null },
  /** The KB version the proposal was made against. */
  base_version: { type: Number, required: true },
  applied_version: { type: Number, default: null },
  reject_reason: { type: String, default: null },
  decided_by: { type: String, default: null },
  created_by: { type: String, default: null },
  /** A drift proposal's findings (a hash of its changes): a later check finding the same files nothing new while this one is pending. */
  site_hash: absentOnOlder({ type: String, default: null }),
  created_at: { type: Date, required: true },
  decided_at: { type: Date, default: null },
};

export type KbProposalDoc = DocOf<typeof kbProposalFields>;

const kbProposalSchema = new Schema<KbProposalDoc>(kbProposalFields, { versionKey: false, collection: 'kb_proposals', minimize: false });
kbProposalSchema.index({ agent_id: 1, _id: -1 });

export function kbProposalModel(connection: Connection): Model<KbProposalDoc> {
  return connection.models.KbProposal ?? connection.model<KbProposalDoc>('KbProposal', kbProposalSchema);
}
