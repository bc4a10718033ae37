// One list of error codes. Each has a stable code, an HTTP status and a default message;
// docs/errors.md documents every code (checked by errors.test.ts).

export const errorCodes = {
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  SIGNATURE_INVALID: { status: 401, message: 'webhook signature does not verify' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'request body too large' },
  FORBIDDEN: { status: 403, message: 'not allowed' },
  NOT_FOUND: { status: 404, message: 'not found' },
  PROJECT_UNKNOWN: { status: 404, message: 'project not found' },
  RUN_UNKNOWN: { status: 404, message: 'run not found' },
  JOB_UNKNOWN: { status: 404, message: 'job not found' },
  DEPLOYMENT_UNKNOWN: { status: 404, message: 'deployment not found' },
  RELEASE_UNKNOWN: { status: 404, message: 'release not found' },
  RELEASE_GONE: { status: 410, message: "release's image is no longer in the registry" },
  ENVIRONMENT_UNKNOWN: { status: 404, message: 'environment not found' },
  PROMOTION_NOT_ALLOWED: { status: 422, message: 'promotion not allowed' },
  BRANCH_NOT_ALLOWED: { status: 422, message: 'release not from an allowed branch' },
  SECRET_UNKNOWN: { status: 404, message: 'secret not found' },
  SECRET_MISSING: { status: 422, message: 'secret not set' },
  BAD_REQUEST: { status: 400, message: 'bad request' },
  INVALID_NAME: { status: 400, message: 'invalid name' },
  CONFLICT: { status: 409, message: 'conflict' },
  LEASE_LOST: { status: 409, message: 'the runner does not hold this job' },
  CONFIG_INVALID: { status: 500, message: 'invalid configuration' },
  WORKFLOW_INVALID: { status: 422, message: 'invalid workflow' },
  DEPLOY_CONFIG_INVALID: { status: 422, message: 'invalid deploy.yml' },
  // detail: src/exec/exec-error.ts ExecFailure, the one shape for every failed command.
  EXEC_FAILED: { status: 500, message: 'command failed' },
  HEALTHCHECK_FAILED: { status: 500, message: 'health check failed' },
  HOST_UNREACHABLE: { status: 502, message: 'deploy host unreachable' },
  HOST_KEY_MISMATCH: { status: 502, message: 'deploy host key does not match the pinned key' },
  BUILD_FAILED: { status: 500, message: 'image build failed' },
  ACTION_UNRESOLVED: { status: 422, message: 'action or reusable workflow not found in any action source' },
  ACTION_TOO_LARGE: { status: 422, message: "action's tree is larger than a runner may be sent" },
  ARCHIVE_UNSAFE: { status: 422, message: 'archive would write outside the job' },
  // OCI distribution-spec error codes (distribution-spec §Error codes).
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 404, message: 'manifest references a manifest or blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown to registry' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'request body must be application/json' },
  TOO_MANY_REQUESTS: { status: 429, message: 'too many failed authentications; retry later' },
  INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCodes;

export class SlipwayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: unknown;

  constructor(code: ErrorCode, message?: string, options?: { detail?: unknown; cause?: unknown }) {
    super(message ?? errorCodes[code].message, { cause: options?.cause });
    this.name = 'SlipwayError';
    this.code = code;
    this.status = errorCodes[code].status;
    this.detail = options?.detail;
  }
}

export function isSlipwayError(err: unknown, code?: ErrorCode): err is SlipwayError {
  return err instanceof SlipwayError && (code === undefined || err.code === code);
}

/** A source position in a user's file, 1-based, for messages like `file:line:col`. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** One problem found in a user's file: where, which key, what was found and expected. */
export interface Diagnostic extends SourcePosition {
  path: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.path ? `${d.path}: ` : ''}${d.message}`;
}
