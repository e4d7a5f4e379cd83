export type GenerationFailure =
  | 'rate_limited' // 429: retryable
  | 'unavailable' // 5xx or connection refused: retryable
  | 'timeout' // no answer in time: retryable
  | 'unauthorized' // 401/403: not retryable, the key is wrong
  | 'invalid_request' // other 4xx (unknown model, prompt too long): not retryable
  | 'quota_exceeded' // 429 insufficient_quota: retrying will not help until billing changes
  | 'invalid_output' // not JSON, wrong shape, refused or truncated: not retryable
  | 'internal'; // a bug on our side, e.g. a placeholder left unfilled

/** Why an agent could not be generated; `retryable` tells the workflow whether to try again later. */
export class GenerationError extends Error {
  constructor(
    readonly failure: GenerationFailure,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GenerationError';
  }
}
