import { Connection, Model, Schema } from 'mongoose';
import { DocOf, field } from '../db/schema-types';

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
  kb_auto_sync: { type: Boolean, default: true },
  kb_auto_apply: { type: Boolean, default: false },
  created_at: { type: Date, required: true },
  updated_at: { type: Date, required: true },
};

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

export interface KbProposedChange {
  op: 'add' | 'replace' | 'remove';
  doc_id?: string;
  title: string;
  before?: string;
  after: string;
  rationale: string;
  evidence: KbEvidence[];
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
  /** The KB version the proposal was made against. */
  base_version: { type: Number, required: true },
  applied_version: { type: Number, default: null },
  reject_reason: { type: String, default: null },
  decided_by: { type: String, default: null },
  created_by: { type: String, default: null },
  created_at: { type: Date, required: true },
  decided_at: { type: Date, default: null },
};

export type KbProposalDoc = DocOf<typeof kbProposalFields>;

const kbProposalSchema = new Schema<KbProposalDoc>(kbProposalFields, { versionKey: false, collection: 'kb_proposals', minimize: false });
kbProposalSchema.index({ agent_id: 1, _id: -1 });

export function kbProposalModel(connection: Connection): Model<KbProposalDoc> {
  return connection.models.KbProposal ?? connection.model<KbProposalDoc>('KbProposal', kbProposalSchema);
}
