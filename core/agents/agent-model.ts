import { Connection, Model, Schema } from 'mongoose';
import { absentOnOlder, DocOf, field } from '../db/schema-types';
import type { ExtractionOverrides } from '../calls/extraction-schema';
import type { PlatformName } from '../platforms/platform-adapter';
import type { TelephonyName } from '../telephony/telephony-adapter';

export const AGENT_STATUSES = ['provisioning', 'active', 'updating', 'failed', 'deleting', 'deleted'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

const agentFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  name: { type: String, required: true },
  status: { type: field.string<AgentStatus>(), required: true },
  platform: { type: field.string<PlatformName>(), required: true },
  template_id: { type: String, required: true },
  business_url: { type: String, required: true },
  voice: { type: String, default: null },
  language: { type: String, required: true },
  area_code: { type: String, default: null },
  metadata: { type: field.mixed<Record<string, string>>(), default: {} },
  /** The agent's changes to its template's extraction schema (core/calls/extraction-schema.ts). */
  extraction_overrides: absentOnOlder({ type: field.mixed<ExtractionOverrides | null>(), default: null }),
  /** Set when a client pins the prompt instead of the generated one. */
  prompt_override: { type: String, default: null },
  current_prompt_version: { type: Number, default: null },
  /** The highest version number handed out; versions are allocated by $inc on it. */
  latest_prompt_version: { type: Number, default: 0 },
  platform_agent_id: { type: String, default: null },
  platform_kb_ids: { type: [String], default: [] },
  phone_number: { type: String, default: null },
  telephony: { type: field.string<TelephonyName>(), default: null },
  telephony_number_id: { type: String, default: null },
  provision_operation_id: { type: String, required: true },
  last_operation_id: { type: String, required: true },
  research_report_id: { type: String, default: null },
  created_at: { type: Date, required: true },
  updated_at: { type: Date, required: true },
  activated_at: { type: Date, default: null },
  deleted_at: { type: Date, default: null },
};

export type AgentDoc = DocOf<typeof agentFields>;

const agentSchema = new Schema<AgentDoc>(agentFields, { versionKey: false, collection: 'agents', minimize: false });
agentSchema.index({ account_id: 1, _id: -1 });
// The reconciler's equality part (agents busy on an operation), and retention's "is this report still someone's".
agentSchema.index({ status: 1, updated_at: 1 });
agentSchema.index({ research_report_id: 1 });
// Platform notifications (calls) name the platform's agent ID: ingestion finds our agent by it.
agentSchema.index({ platform_agent_id: 1 });

export function agentModel(connection: Connection): Model<AgentDoc> {
  return connection.models.Agent ?? connection.model<AgentDoc>('Agent', agentSchema);
}

const promptVersionFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  agent_id: { type: String, required: true },
  version: { type: Number, required: true },
  system_prompt: { type: String, required: true },
  first_message: { type: String, required: true },
  knowledge_base: { type: field.mixed<{ key: string; title: string; content: string }[]>(), default: [] },
  source: { type: field.string<'generated' | 'override' | 'rollback' | 'regenerated'>(), required: true },
  generator: { type: String, default: null },
  rolled_back_from: { type: Number, default: null },
  /** The operation that wrote it: a retried activity finds its own earlier write by this. */
  operation_id: { type: String, default: null },
  created_at: { type: Date, required: true },
};

export type PromptVersionDoc = DocOf<typeof promptVersionFields>;

const promptVersionSchema = new Schema<PromptVersionDoc>(promptVersionFields, { versionKey: false, collection: 'prompt_versions', minimize: false });
// One row per (agent, version): a retried activity cannot write version 2 twice.
promptVersionSchema.index({ agent_id: 1, version: 1 }, { unique: true });

export function promptVersionModel(connection: Connection): Model<PromptVersionDoc> {
  return connection.models.PromptVersion ?? connection.model<PromptVersionDoc>('PromptVersion', promptVersionSchema);
}

const researchReportFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  operation_id: { type: String, default: null },
  business_url: { type: String, required: true },
  report: { type: field.mixed<Record<string, unknown>>(), required: true },
  created_at: { type: Date, required: true },
  /** Swept by day once old, unless an agent still uses it (core/maintenance/retention.ts). */
  retention_day: { type: String },
};

export type ResearchReportDoc = DocOf<typeof researchReportFields>;

const researchReportSchema = new Schema<ResearchReportDoc>(researchReportFields, { versionKey: false, collection: 'research_reports', minimize: false });
researchReportSchema.index({ retention_day: 1 });

export function researchReportModel(connection: Connection): Model<ResearchReportDoc> {
  return connection.models.ResearchReport ?? connection.model<ResearchReportDoc>('ResearchReport', researchReportSchema);
}
