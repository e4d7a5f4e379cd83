import { Connection, Model, Schema } from 'mongoose';
import type { DocOf } from '../db/schema-types';

const knowledgeFields = {
  id: { type: String, required: true },
  key: { type: String, required: true },
  title: { type: String, default: '' },
  content: { type: String, default: '' },
};

export type LocalKnowledgeDocument = DocOf<typeof knowledgeFields>;

const knowledgeSchema = new Schema<LocalKnowledgeDocument>(knowledgeFields, { _id: false });

/** An agent "hosted" by the local simulator: what a real platform would store, kept in our own database. */
const localPlatformAgentFields = {
  _id: { type: String, required: true },
  /** Unique: the index is what makes a retried create return the first attempt's agent. */
  dedupe_token: { type: String, required: true },
  name: { type: String, required: true },
  // Not `required`: mongoose rejects an empty string as missing, and an empty first message is valid.
  system_prompt: { type: String, default: '' },
  first_message: { type: String, default: '' },
  voice: { type: String, default: null },
  language: { type: String, required: true },
  knowledge_base: { type: [knowledgeSchema], default: [] },
  /** E.164 numbers routed to this agent; a number is on at most one agent. */
  phone_numbers: { type: [String], default: [] },
  created_at: { type: Date, required: true },
  updated_at: { type: Date, required: true },
};

export type LocalPlatformAgentDoc = DocOf<typeof localPlatformAgentFields>;

const localPlatformAgentSchema = new Schema<LocalPlatformAgentDoc>(localPlatformAgentFields, { versionKey: false, collection: 'local_platform_agents' });
localPlatformAgentSchema.index({ dedupe_token: 1 }, { unique: true });
localPlatformAgentSchema.index({ phone_numbers: 1 });

export function localPlatformAgentModel(connection: Connection): Model<LocalPlatformAgentDoc> {
  return connection.models.LocalPlatformAgent ?? connection.model<LocalPlatformAgentDoc>('LocalPlatformAgent', localPlatformAgentSchema);
}

/** Which local agent a number reaches: keyed by the number, so routing and moving are `_id` operations. */
const localNumberRouteFields = {
  _id: { type: String, required: true },
  agent_id: { type: String, required: true },
  updated_at: { type: Date, required: true },
};

export type LocalNumberRouteDoc = DocOf<typeof localNumberRouteFields>;

const localNumberRouteSchema = new Schema<LocalNumberRouteDoc>(localNumberRouteFields, { versionKey: false, collection: 'local_number_routes' });

export function localNumberRouteModel(connection: Connection): Model<LocalNumberRouteDoc> {
  return connection.models.LocalNumberRoute ?? connection.model<LocalNumberRouteDoc>('LocalNumberRoute', localNumberRouteSchema);
}
