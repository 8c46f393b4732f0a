import { applyPlan, ApplyResult } from './apply';
import type { GitHubClient } from './client';
import { StageSettingsDocument } from './document';
import { readLiveState, resolveReviewers } from './live';
import { Change, computePlan, Plan, subjectChanges } from './plan';

export interface ReconcileContext {
  readonly client: GitHubClient;
  readonly desired: StageSettingsDocument;
  /** Progress, to stderr in the CLI. */
  readonly log: (message: string) => void;
}

/** Reads live state and diffs it. Writes nothing. */
export async function planSettings(ctx: ReconcileContext): Promise<Plan> {
  const [live, reviewers] = await Promise.all([
    readLiveState(ctx.client, ctx.desired, ctx.log),
    resolveReviewers(ctx.client, ctx.desired),
  ]);
  return computePlan(ctx.desired, live, reviewers);
}

export interface ApplyOutcome {
  readonly plan: Plan;
  /** Set when apply refused to start; nothing was written. */
  readonly refused?: string;
  readonly result?: ApplyResult;
  /** The plan after a complete apply: empty unless someone changed the repository meanwhile. */
  readonly remaining?: Plan;
}

export interface ApplyOptions {
  readonly allowSubjectChange: boolean;
  readonly onApplied?: (change: Change, index: number, total: number) => void;
}

/**
 * Plans, writes exactly the planned changes, and re-plans to check the result, so
 * success is only reported for state that was read back.
 */
export async function applySettings(ctx: ReconcileContext, options: ApplyOptions): Promise<ApplyOutcome> {
  const plan = await planSettings(ctx);
  const subject = subjectChanges(plan);
  if (subject.length > 0 && !options.allowSubjectChange) {
    return {
      plan,
      refused: `refusing to change the OIDC subject format (${subject.map(c => c.detail).join('; ')}) without --allow-subject-change: deploy stage roles whose trust accepts the new format first`,
    };
  }
  if (plan.changes.length === 0) {
    return { plan, result: { applied: [], notAttempted: [] }, remaining: plan };
  }
  const { owner, name } = ctx.desired.repository;
  const result = await applyPlan(ctx.client, owner, name, plan, (change, i) => options.onApplied?.(change, i, plan.changes.length));
  if (result.failed) {
    return { plan, result };
  }
  return { plan, result, remaining: await planSettings(ctx) };
}
