// A security-relevant action, for the audit log (issue 9 item 9). The deploy stage reports
// through an injected function so it does not depend on where the log is kept.
export interface AuditEvent {
  /** `deploy.forced`, `environment.rules.set`, `environment.rules.removed`, … */
  action: string;
  /** The user who did it. */
  actor: string;
  project: string;
  environment?: string;
  detail?: Record<string, unknown>;
}

export type Audit = (event: AuditEvent) => void | Promise<void>;
