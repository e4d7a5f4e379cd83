import { Connection, Model, Schema } from 'mongoose';

export interface LocalKnowledgeDocument {
  id: string;
  key: string;
  title: string;
  content: string;
}

/** An agent "hosted" by the local simulator: what a real platform would store, kept in our own database. */
export interface LocalPlatformAgentDoc {
  _id: string;
  /** Unique: the index is what makes a retried create return the first attempt's agent. */
  dedupe_token: string;
  name: string;
  system_prompt: string;
  first_message: string;
  voice: string | null;
  language: string;
  knowledge_base: LocalKnowledgeDocument[];
  /** E.164 numbers routed to this agent; a number is on at most one agent. */
  phone_numbers: string[];
  created_at: Date;
  updated_at: Date;
}

const knowledgeSchema = new Schema<LocalKnowledgeDocument>(
  {
    id: { type: String, required: true },
    key: { type: String, required: true },
    title: { type: String, default: '' },
    content: { type: String, default: '' },
  },
  { _id: false },
);

const localPlatformAgentSchema = new Schema<LocalPlatformAgentDoc>(
  {
    _id: { type: String, required: true },
    dedupe_token: { type: String, required: true },
    name: { type: String, required: true },
    // Not `required`: mongoose rejects an empty string as missing, and an empty first message is valid.
    system_prompt: { type: String, default: '' },
    first_message: { type: String, default: '' },
    voice: { type: String, default: null },
    language: { type: String, required: true },
    knowledge_base: { type: [knowledgeSchema], default: [] },
    phone_numbers: { type: [String], default: [] },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'local_platform_agents' },
);
localPlatformAgentSchema.index({ dedupe_token: 1 }, { unique: true });
localPlatformAgentSchema.index({ phone_numbers: 1 });

export function localPlatformAgentModel(connection: Connection): Model<LocalPlatformAgentDoc> {
  return connection.models.LocalPlatformAgent ?? connection.model<LocalPlatformAgentDoc>('LocalPlatformAgent', localPlatformAgentSchema);
}

/** Which local agent a number reaches: keyed by the number, so routing and moving are `_id` operations. */
export interface LocalNumberRouteDoc {
  _id: string;
  agent_id: string;
  updated_at: Date;
}

const localNumberRouteSchema = new Schema<LocalNumberRouteDoc>(
  {
    _id: { type: String, required: true },
    agent_id: { type: String, required: true },
    updated_at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'local_number_routes' },
);

export function localNumberRouteModel(connection: Connection): Model<LocalNumberRouteDoc> {
  return connection.models.LocalNumberRoute ?? connection.model<LocalNumberRouteDoc>('LocalNumberRoute', localNumberRouteSchema);
}
