import type { GitHubClient } from './client';
import { Change, Plan, Write } from './plan';

export interface FailedChange {
  readonly change: Change;
  /** Status and GitHub's message. */
  readonly error: string;
}

export interface ApplyResult {
  readonly applied: Change[];
  /** The write that failed. Its effect is unknown (a dropped connection may have landed it). */
  readonly failed?: FailedChange;
  /** Changes after the failure, never sent. */
  readonly notAttempted: Change[];
}

/**
 * Sends the plan's writes one by one, in plan order, and stops at the first failure:
 * later writes may depend on it (policies need their environment), and a partial
 * state is repaired by running apply again, which re-reads everything.
 */
export async function applyPlan(
  client: GitHubClient,
  owner: string,
  repo: string,
  plan: Plan,
  onApplied: (change: Change, index: number) => void,
): Promise<ApplyResult> {
  const applied: Change[] = [];
  for (const [i, change] of plan.changes.entries()) {
    try {
      await send(client, owner, repo, change.write);
    } catch (error) {
      return { applied, failed: { change, error: describeError(error) }, notAttempted: plan.changes.slice(i + 1) };
    }
    applied.push(change);
    onApplied(change, i);
  }
  return { applied, notAttempted: [] };
}

export function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'status' in error) {
    const e = error as { status: number; message: string; request?: { method?: string; url?: string } };
    const where = e.request?.method && e.request.url ? `${e.request.method} ${new URL(e.request.url).pathname}: ` : '';
    return `${where}${e.status} ${e.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function send(client: GitHubClient, owner: string, repo: string, write: Write): Promise<void> {
  switch (write.op) {
    case 'setOidc':
      // The body carries `use_immutable_subject`, newer than the installed Octokit types.
      await client.rest.actions.setCustomOidcSubClaimForRepo({ owner, repo, ...write.body } as Parameters<GitHubClient['rest']['actions']['setCustomOidcSubClaimForRepo']>[0]);
      return;
    case 'setTopics':
      await client.rest.repos.replaceAllTopics({ owner, repo, names: write.names });
      return;
    case 'putEnvironment':
      await client.rest.repos.createOrUpdateEnvironment({ owner, repo, environment_name: write.environment, ...write.body });
      return;
    case 'createBranchPolicy':
      await client.rest.repos.createDeploymentBranchPolicy({ owner, repo, environment_name: write.environment, name: write.name, type: 'branch' });
      return;
    case 'renameBranchPolicy':
      await client.rest.repos.updateDeploymentBranchPolicy({
        owner, repo, environment_name: write.environment, branch_policy_id: write.id, name: write.name,
      });
      return;
    case 'deleteBranchPolicy':
      await client.rest.repos.deleteDeploymentBranchPolicy({ owner, repo, environment_name: write.environment, branch_policy_id: write.id });
      return;
    case 'createVariable':
      await client.rest.actions.createEnvironmentVariable({ owner, repo, environment_name: write.environment, name: write.name, value: write.value });
      return;
    case 'updateVariable':
      await client.rest.actions.updateEnvironmentVariable({ owner, repo, environment_name: write.environment, name: write.name, value: write.value });
      return;
  }
}
