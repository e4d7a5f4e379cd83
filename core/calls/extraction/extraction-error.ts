export type ExtractionFailure =
  | 'rate_limited' // 429: retryable
  | 'unavailable' // 5xx or connection refused: retryable
  | 'timeout' // no answer in time: retryable
  | 'invalid_output' // not JSON or not the schema's shape: retryable, a second sample usually is fine
  | 'unauthorized' // 401/403: not retryable, the key is wrong
  | 'invalid_request' // other 4xx: not retryable
  | 'quota_exceeded' // 429 insufficient_quota: not retryable until billing changes
  | 'internal';

/** Why a call's extraction failed; `retryable` tells the activity whether trying again can help. */
export class ExtractionError extends Error {
  constructor(
    readonly failure: ExtractionFailure,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExtractionError';
  }
}
