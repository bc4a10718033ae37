// Placeholder adapter; replaced when the workflow expression module lands.
export interface StatusFlags {
  failure: boolean;
  cancelled: boolean;
}
export type ExprContext = Record<string, unknown>;
export function evaluateIf(_ifText: string | undefined, _ctx: ExprContext, flags: StatusFlags): boolean {
  return !flags.failure && !flags.cancelled;
}
export function interpolateText(text: string, _ctx: ExprContext): string {
  return text;
}
