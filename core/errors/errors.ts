/**
 * The one error vocabulary of the product. Every failure a client can see is an ApiError
 * with a stable code; the HTTP layer maps it to a status in one place (api/http/error-middleware.ts).
 */

/** Machine-readable next step for a bot. Documented in the README and the OpenAPI document. */
export const RECOVERY_ACTIONS = {
  retry: 'Retry the same request now; it may succeed.',
  retry_after_delay: 'Wait retry_after seconds, then retry the same request.',
  fix_request: 'The request is invalid; change it as details describe before sending it again.',
  reauthenticate: 'Get a new access token (POST /v2/auth/token), then retry.',
  request_scope: 'Use credentials that hold the scope named in details.',
  check_resource_id: 'The resource does not exist for this account; check the ID.',
  use_new_idempotency_key: 'This Idempotency-Key was used for a different request; send a new key.',
  wait_for_operation: 'The resource is busy; poll it and retry when it settles.',
  configure_platform_credentials: 'Store the platform’s credentials (PUT /v2/platform-credentials/{platform}), then retry.',
  add_credit: 'The prepaid balance is too low; add credit (an operator grant), then retry.',
  contact_support: 'Not recoverable by the client; contact support with the request_id.',
  none: 'Nothing to do; the request was understood and answered.',
} as const;
export type RecoveryAction = keyof typeof RECOVERY_ACTIONS;

export interface ErrorDetail {
  /** Dotted path of the offending field, e.g. `payload.business_url`, or a header/query name. */
  field?: string;
  issue: string;
  message: string;
  [extra: string]: unknown;
}

interface ErrorSpec {
  status: number;
  retryable: boolean;
  recovery: RecoveryAction;
  description: string;
}

/** Every error code the API can return, with its HTTP status and default recovery. */
export const ERROR_CODES = {
  VALIDATION_ERROR: { status: 400, retryable: false, recovery: 'fix_request', description: 'A field, query parameter or header is invalid; details names each one.' },
  INVALID_JSON: { status: 400, retryable: false, recovery: 'fix_request', description: 'The body is not well-formed JSON.' },
  INVALID_CURSOR: { status: 400, retryable: false, recovery: 'fix_request', description: 'The pagination cursor was not issued by this API or belongs to another list.' },
  INVALID_ID: { status: 400, retryable: false, recovery: 'fix_request', description: 'An ID in the path does not have the expected prefix and shape.' },
  INVALID_NOTIFICATION: { status: 400, retryable: false, recovery: 'fix_request', description: 'A platform notification whose body is not a call event that platform sends.' },
  INVALID_SIGNATURE: { status: 401, retryable: false, recovery: 'fix_request', description: 'A platform notification that is unsigned, signed with another secret, or outside the timestamp tolerance; details.issue says which.' },
  UNAUTHENTICATED: { status: 401, retryable: false, recovery: 'reauthenticate', description: 'No credentials, or credentials that are invalid, expired or revoked.' },
  INSUFFICIENT_SCOPE: { status: 403, retryable: false, recovery: 'request_scope', description: 'The credentials lack the scope this route needs.' },
  NOT_FOUND: { status: 404, retryable: false, recovery: 'check_resource_id', description: 'No such resource in this account.' },
  ROUTE_NOT_FOUND: { status: 404, retryable: false, recovery: 'fix_request', description: 'No route matches this method and path.' },
  METHOD_NOT_ALLOWED: { status: 405, retryable: false, recovery: 'fix_request', description: 'The path exists but not with this method.' },
  CONFLICT: { status: 409, retryable: false, recovery: 'fix_request', description: 'The request conflicts with the current state of the resource.' },
  IDEMPOTENCY_KEY_IN_USE: { status: 409, retryable: true, recovery: 'retry_after_delay', description: 'A request with this Idempotency-Key is still being processed.' },
  INSUFFICIENT_CREDIT: { status: 402, retryable: false, recovery: 'add_credit', description: 'The prepaid balance cannot cover what this needs reserved; details give available_usd and required_usd.' },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false, recovery: 'fix_request', description: 'The body exceeds the size limit.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false, recovery: 'fix_request', description: 'The Content-Type is not accepted by this route.' },
  DO_NOT_CALL: { status: 422, retryable: false, recovery: 'fix_request', description: 'The number is on the account’s do-not-call list (DELETE /v2/do-not-call/{number} to call it).' },
  PLATFORM_NOT_CONFIGURED: { status: 422, retryable: false, recovery: 'configure_platform_credentials', description: 'The account has no credentials for the requested voice platform.' },
  OPERATION_NOT_CANCELABLE: { status: 409, retryable: false, recovery: 'none', description: 'The operation has already finished.' },
  RESEARCH_FAILED: { status: 422, retryable: false, recovery: 'fix_request', description: 'The business site could not be researched; details say why and whether a retry may help.' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, retryable: false, recovery: 'use_new_idempotency_key', description: 'The Idempotency-Key was already used with a different request.' },
  RATE_LIMITED: { status: 429, retryable: true, recovery: 'retry_after_delay', description: 'Too many requests in the current window: for these credentials, for the account, from this IP (token endpoint) or research requests; details name the bucket.' },
  QUOTA_EXCEEDED: { status: 429, retryable: false, recovery: 'fix_request', description: 'An account quota is reached (event streams, webhooks, service accounts, operations in flight); details name it. Retryable with retry_after when waiting helps (streams, operations).' },
  INTERNAL_ERROR: { status: 500, retryable: true, recovery: 'retry_after_delay', description: 'An unexpected failure; nothing was committed that the request_id cannot explain.' },
  SERVICE_UNAVAILABLE: { status: 503, retryable: true, recovery: 'retry_after_delay', description: 'A dependency (database or workflow engine) is unreachable.' },
} as const satisfies Record<string, ErrorSpec>;
export type ErrorCode = keyof typeof ERROR_CODES;

export interface ApiErrorOptions {
  details?: ErrorDetail[];
  retryAfterSeconds?: number;
  retryable?: boolean;
  recovery?: RecoveryAction;
  headers?: Record<string, string>;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly recovery: RecoveryAction;
  readonly details: ErrorDetail[];
  readonly retryAfterSeconds?: number;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, { cause: options.cause });
    const spec = ERROR_CODES[code];
    this.name = 'ApiError';
    this.code = code;
    this.status = spec.status;
    this.retryable = options.retryable ?? spec.retryable;
    this.recovery = options.recovery ?? spec.recovery;
    this.details = options.details ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers ?? {};
  }
}

export class ValidationError extends ApiError {
  constructor(details: ErrorDetail[], message = 'The request is invalid.') {
    super('VALIDATION_ERROR', message, { details });
  }
}

export class NotFoundError extends ApiError {
  constructor(resource: string, id?: string) {
    super('NOT_FOUND', id ? `No ${resource} with ID ${id}.` : `No such ${resource}.`, id ? { details: [{ field: 'id', issue: 'not_found', message: `${resource} ${id} does not exist in this account` }] } : {});
  }
}

export class UnauthenticatedError extends ApiError {
  constructor(message = 'Missing, invalid, expired or revoked credentials.') {
    super('UNAUTHENTICATED', message, { headers: { 'WWW-Authenticate': 'Bearer realm="workforcewave"' } });
  }
}

export class InsufficientScopeError extends ApiError {
  constructor(scope: string) {
    super('INSUFFICIENT_SCOPE', `This route requires the scope ${scope}.`, {
      details: [{ issue: 'missing_scope', message: `scope ${scope} is required`, required_scope: scope }],
      headers: { 'WWW-Authenticate': `Bearer realm="workforcewave", error="insufficient_scope", scope="${scope}"` },
    });
  }
}

export class ServiceUnavailableError extends ApiError {
  constructor(message: string, cause?: unknown) {
    super('SERVICE_UNAVAILABLE', message, { retryAfterSeconds: 5, cause });
  }
}
