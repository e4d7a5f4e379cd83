// Everything the worker's workflow bundle contains. Workflow code is deterministic: no I/O here.
export { provisionAgent, updateAgent, deleteAgent, progressQuery } from './agent-workflows';
export { deliverWebhook, replayWebhookDelivery } from './webhook-workflows';
export { handleCall, callNotification, callStateQuery, cancelCall } from './call-workflows';
export { runCallBatch, cancelCallBatch, callBatchStateQuery } from './call-batch-workflows';
export { syncKnowledgeBase } from './knowledge-base-workflows';
export { checkKnowledgeBaseDrift } from './kb-drift-workflows';
