import { Connection, Model, Schema } from 'mongoose';

export const OPERATION_TYPES = ['agent.provision', 'agent.update', 'agent.delete'] as const;
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

export interface OperationDoc {
  _id: string;
  account_id: string;
  type: OperationType;
  status: OperationStatus;
  step: string | null;
  /** Keyed by step name: FerretDB 1.24 has no positional or arrayFilters updates, dotted paths it has. */
  steps: OperationStep[];
  agent_id: string;
  batch_id: string | null;
  /** The validated request payload, kept so a reconciler can (re)start the workflow. */
  request: Record<string, unknown>;
  phone_number: string | null;
  provisioning_time_seconds: number | null;
  estimated_seconds: number | null;
  error: OperationError | null;
  changed_fields: string[];
  /** The prompt version this operation wrote; a retried step reuses it instead of taking another. */
  prompt_version: number | null;
  created_at: Date;
  /** Swept by day once finished and old (core/maintenance/retention.ts). */
  retention_day?: string;
  started_at: Date | null;
  completed_at: Date | null;
  updated_at: Date;
}

const operationSchema = new Schema<OperationDoc>(
  {
    _id: { type: String, required: true },
    account_id: { type: String, required: true },
    type: { type: String, required: true },
    status: { type: String, required: true },
    step: { type: String, default: null },
    steps: { type: Schema.Types.Mixed, default: {} },
    agent_id: { type: String, required: true },
    batch_id: { type: String, default: null },
    request: { type: Schema.Types.Mixed, default: {} },
    phone_number: { type: String, default: null },
    provisioning_time_seconds: { type: Number, default: null },
    estimated_seconds: { type: Number, default: null },
    error: { type: Schema.Types.Mixed, default: null },
    changed_fields: { type: [String], default: [] },
    prompt_version: { type: Number, default: null },
    created_at: { type: Date, required: true },
    retention_day: { type: String },
    started_at: { type: Date, default: null },
    completed_at: { type: Date, default: null },
    updated_at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'operations', minimize: false },
);
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
export interface OperationStatsDoc {
  _id: string;
  samples: Record<string, number>;
}

const statsSchema = new Schema<OperationStatsDoc>({ _id: { type: String, required: true }, samples: { type: Schema.Types.Mixed, default: {} } }, { versionKey: false, collection: 'operation_stats', minimize: false });

export function operationStatsModel(connection: Connection): Model<OperationStatsDoc> {
  return connection.models.OperationStats ?? connection.model<OperationStatsDoc>('OperationStats', statsSchema);
}
