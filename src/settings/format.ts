import { FailedChange } from './apply';
import { Change, Plan } from './plan';
import { ApplyOutcome } from './reconcile';

const SIGN = { create: '+', update: '~', delete: '-' } as const;

export function formatChange(change: Change): string {
  return `${SIGN[change.action]} ${change.target}: ${change.detail}`;
}

function list(title: string, changes: Change[], failed?: FailedChange): string[] {
  const lines = failed ? [`  ! ${formatChange(failed.change)}  (failed: ${failed.error})`] : [];
  lines.push(...changes.map(c => `    ${formatChange(c)}`));
  const count = changes.length + (failed ? 1 : 0);
  return count === 0 ? [] : [`${title} (${count}):`, ...lines];
}

export function formatPlan(plan: Plan): string {
  const lines = plan.changes.length === 0
    ? [`${plan.repository}: in sync, no changes`]
    : [`${plan.repository}: ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'}`, ...plan.changes.map(c => `  ${formatChange(c)}`)];
  lines.push(...plan.warnings.map(w => `warning: ${w}`));
  return lines.join('\n');
}

export function formatApply(outcome: ApplyOutcome): string {
  const { plan, result, remaining, refused } = outcome;
  const lines = plan.warnings.map(w => `warning: ${w}`);
  if (refused) {
    lines.push(`error: ${refused}`, 'nothing was applied');
    return lines.join('\n');
  }
  if (!result) {
    return lines.join('\n');
  }
  if (result.failed) {
    lines.push(
      `error: apply stopped; ${result.applied.length} of ${plan.changes.length} changes applied. Run apply again to converge.`,
      ...list('applied', result.applied),
      ...list('not applied', result.notAttempted, result.failed),
    );
    return lines.join('\n');
  }
  if (plan.changes.length === 0) {
    lines.push(`${plan.repository}: in sync, nothing to apply`);
  } else if (remaining && remaining.changes.length > 0) {
    lines.push(
      `error: all ${plan.changes.length} changes were sent, but reading the repository back still shows ${remaining.changes.length}:`,
      ...remaining.changes.map(c => `    ${formatChange(c)}`),
    );
  } else {
    lines.push(`${plan.repository}: applied ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'}; read back in sync`);
  }
  return lines.join('\n');
}

function jsonChange(change: Change) {
  return { action: change.action, target: change.target, detail: change.detail, subjectChange: change.subjectChange, write: change.write };
}

export function planJson(plan: Plan) {
  return { repository: plan.repository, inSync: plan.changes.length === 0, changes: plan.changes.map(jsonChange), warnings: plan.warnings };
}

export function applyJson(outcome: ApplyOutcome) {
  const { plan, result, remaining, refused } = outcome;
  return {
    repository: plan.repository,
    planned: plan.changes.map(jsonChange),
    warnings: plan.warnings,
    refused: refused ?? null,
    applied: (result?.applied ?? []).map(jsonChange),
    failed: result?.failed ? { ...jsonChange(result.failed.change), error: result.failed.error } : null,
    notAttempted: (result?.notAttempted ?? (refused ? plan.changes : [])).map(jsonChange),
    remaining: remaining ? remaining.changes.map(jsonChange) : null,
    inSync: remaining !== undefined && remaining.changes.length === 0,
  };
}
