import { Connection, Model, Schema } from 'mongoose';
import type { PlatformName } from '../platforms/platform-adapter';
import type { TelephonyName } from '../telephony/telephony-adapter';

export const AGENT_STATUSES = ['provisioning', 'active', 'updating', 'failed', 'deleting', 'deleted'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export interface AgentDoc {
  _id: string;
  account_id: string;
  name: string;
  status: AgentStatus;
  platform: PlatformName;
  template_id: string;
  business_url: string;
  voice: string | null;
  language: string;
  area_code: string | null;
  metadata: Record<string, string>;
  /** Set when a client pins the prompt instead of the generated one. */
  prompt_override: string | null;
  current_prompt_version: number | null;
  /** The highest version number handed out; versions are allocated by $inc on it. */
  latest_prompt_version: number;
  platform_agent_id: string | null;
  platform_kb_ids: string[];
  phone_number: string | null;
  telephony: TelephonyName | null;
  telephony_number_id: string | null;
  provision_operation_id: string;
  last_operation_id: string;
  research_report_id: string | null;
  created_at: Date;
  updated_at: Date;
  activated_at: Date | null;
  deleted_at: Date | null;
}

const agentSchema = new Schema<AgentDoc>(
  {
    _id: { type: String, required: true },
    account_id: { type: String, required: true },
    name: { type: String, required: true },
    status: { type: String, required: true },
    platform: { type: String, required: true },
    template_id: { type: String, required: true },
    business_url: { type: String, required: true },
    voice: { type: String, default: null },
    language: { type: String, required: true },
    area_code: { type: String, default: null },
    metadata: { type: Schema.Types.Mixed, default: {} },
    prompt_override: { type: String, default: null },
    current_prompt_version: { type: Number, default: null },
    latest_prompt_version: { type: Number, default: 0 },
    platform_agent_id: { type: String, default: null },
    platform_kb_ids: { type: [String], default: [] },
    phone_number: { type: String, default: null },
    telephony: { type: String, default: null },
    telephony_number_id: { type: String, default: null },
    provision_operation_id: { type: String, required: true },
    last_operation_id: { type: String, required: true },
    research_report_id: { type: String, default: null },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
    activated_at: { type: Date, default: null },
    deleted_at: { type: Date, default: null },
  },
  { versionKey: false, collection: 'agents', minimize: false },
);
agentSchema.index({ account_id: 1, _id: -1 });
// The reconciler's equality part (agents busy on an operation), and retention's "is this report still someone's".
agentSchema.index({ status: 1, updated_at: 1 });
agentSchema.index({ research_report_id: 1 });

export function agentModel(connection: Connection): Model<AgentDoc> {
  return connection.models.Agent ?? connection.model<AgentDoc>('Agent', agentSchema);
}

export interface PromptVersionDoc {
  _id: string;
  account_id: string;
  agent_id: string;
  version: number;
  system_prompt: string;
  first_message: string;
  knowledge_base: { key: string; title: string; content: string }[];
  source: 'generated' | 'override' | 'rollback' | 'regenerated';
  generator: string | null;
  rolled_back_from: number | null;
  /** The operation that wrote it: a retried activity finds its own earlier write by this. */
  operation_id: string | null;
  created_at: Date;
}

const promptVersionSchema = new Schema<PromptVersionDoc>(
  {
    _id: { type: String, required: true },
    account_id: { type: String, required: true },
    agent_id: { type: String, required: true },
    version: { type: Number, required: true },
    system_prompt: { type: String, required: true },
    first_message: { type: String, required: true },
    knowledge_base: { type: Schema.Types.Mixed, default: [] },
    source: { type: String, required: true },
    generator: { type: String, default: null },
    rolled_back_from: { type: Number, default: null },
    operation_id: { type: String, default: null },
    created_at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'prompt_versions', minimize: false },
);
// One row per (agent, version): a retried activity cannot write version 2 twice.
promptVersionSchema.index({ agent_id: 1, version: 1 }, { unique: true });

export function promptVersionModel(connection: Connection): Model<PromptVersionDoc> {
  return connection.models.PromptVersion ?? connection.model<PromptVersionDoc>('PromptVersion', promptVersionSchema);
}

export interface ResearchReportDoc {
  _id: string;
  account_id: string;
  operation_id: string | null;
  business_url: string;
  report: Record<string, unknown>;
  created_at: Date;
  /** Swept by day once old, unless an agent still uses it (core/maintenance/retention.ts). */
  retention_day?: string;
}

const researchReportSchema = new Schema<ResearchReportDoc>(
  {
    _id: { type: String, required: true },
    account_id: { type: String, required: true },
    operation_id: { type: String, default: null },
    business_url: { type: String, required: true },
    report: { type: Schema.Types.Mixed, required: true },
    created_at: { type: Date, required: true },
    retention_day: { type: String },
  },
  { versionKey: false, collection: 'research_reports', minimize: false },
);
researchReportSchema.index({ retention_day: 1 });

export function researchReportModel(connection: Connection): Model<ResearchReportDoc> {
  return connection.models.ResearchReport ?? connection.model<ResearchReportDoc>('ResearchReport', researchReportSchema);
}
