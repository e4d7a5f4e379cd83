import { Connection, Model, Schema } from 'mongoose';
import { DocOf, field } from '../db/schema-types';

export const OPERATION_TYPES = ['agent.provision', 'agent.update', 'agent.delete', 'agent.kb_sync'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

/** `active` is a finished provisioning; update and delete operations finish as `succeeded`. */
export const OPERATION_STATUSES = ['pending', 'running', 'active', 'succeeded', 'failed', 'canceled'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<OperationStatus> = new Set(['active', 'succeeded', 'failed', 'canceled']);

export const STEP_STATUSES = ['pending', 'running', 'completed', 'failed', 'skipped', 'compensated'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface OperationStep {
  name: string;
  status: StepStatus;
  started_at: Date | null;
  completed_at: Date | null;
  attempts: number;
  detail: string | null;
}

export interface OperationError {
  code: string;
  message: string;
  retryable: boolean;
  step: string | null;
  /** Undo steps that did not succeed (the operation still ended; deleting the agent retries them). */
  compensation_failures?: { step: string; code: string; message: string }[];
}

const operationFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  type: { type: field.string<OperationType>(), required: true },
  status: { type: field.string<OperationStatus>(), required: true },
  step: { type: String, default: null },
  /** Keyed by step name: FerretDB 1.24 has no positional or arrayFilters updates, dotted paths it has. */
  steps: { type: field.mixed<OperationStep[]>(), default: {} },
  agent_id: { type: String, required: true },
  batch_id: { type: String, default: null },
  /** The validated request payload, kept so a reconciler can (re)start the workflow. */
  request: { type: field.mixed<Record<string, unknown>>(), default: {} },
  phone_number: { type: String, default: null },
  provisioning_time_seconds: { type: Number, default: null },
  estimated_seconds: { type: Number, default: null },
  error: { type: field.mixed<OperationError>(), default: null },
  changed_fields: { type: [String], default: [] },
  /** The prompt version this operation wrote; a retried step reuses it instead of taking another. */
  prompt_version: { type: Number, default: null },
  created_at: { type: Date, required: true },
  /** Swept by day once finished and old (core/maintenance/retention.ts). */
  retention_day: { type: String },
  started_at: { type: Date, default: null },
  completed_at: { type: Date, default: null },
  updated_at: { type: Date, required: true },
};

export type OperationDoc = DocOf<typeof operationFields>;

const operationSchema = new Schema<OperationDoc>(operationFields, { versionKey: false, collection: 'operations', minimize: false });
operationSchema.index({ account_id: 1, _id: -1 });
operationSchema.index({ account_id: 1, batch_id: 1, _id: -1 });
// The reconciler's equality part (pending operations).
operationSchema.index({ status: 1, created_at: 1 });
/** Operations in flight per account: counted by equality on both (core/quotas/quota-service.ts). */
operationSchema.index({ account_id: 1, status: 1 });
operationSchema.index({ retention_day: 1 });

export function operationModel(connection: Connection): Model<OperationDoc> {
  return connection.models.Operation ?? connection.model<OperationDoc>('Operation', operationSchema);
}

/** Small running figures about operations (today: recent provisioning times, for estimated_seconds). */
const statsFields = { _id: { type: String, required: true }, samples: { type: field.mixed<Record<string, number>>(), default: {} } };

export type OperationStatsDoc = DocOf<typeof statsFields>;

const statsSchema = new Schema<OperationStatsDoc>(statsFields, { versionKey: false, collection: 'operation_stats', minimize: false });

export function operationStatsModel(connection: Connection): Model<OperationStatsDoc> {
  return connection.models.OperationStats ?? connection.model<OperationStatsDoc>('OperationStats', statsSchema);
}
