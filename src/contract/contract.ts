import { StageTopology } from '../topology/model';

/**
 * The names live infrastructure depends on, as written to `.github/stage-contract.json`.
 * Renaming any of them replaces live resources (CDK replaces a role whose name or path
 * changes) or strands jobs (a job whose environment disappears no longer gets credentials).
 */
export interface StageContract {
  readonly packageName: string;
  readonly version: string;
  readonly stackIds: string[];
  readonly environments: string[];
  readonly roles: ContractRole[];
  /**
   * The registry stack of each image repository. Moving a repository to another stack makes
   * CloudFormation drop it from one stack (it is retained) and fail to create it in the other.
   * Absent in contracts written before registries were split (all were in the one registry stack).
   */
  readonly repositoryStacks?: { [repository: string]: string };
}

export interface ContractRole {
  readonly stage: string;
  readonly account: string;
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly environment: string;
  readonly subjects: string[];
}

export function buildContract(topology: StageTopology, packageName: string, version: string): StageContract {
  return {
    packageName,
    version,
    // Registry stacks only exist when there are image repositories (StageApp skips them otherwise).
    stackIds: [
      ...topology.registry.stacks.map(s => s.stackId),
      ...topology.accounts.flatMap(a => (a.stackId ? [a.stackId] : [])),
    ],
    environments: topology.roles.map(r => r.environment),
    repositoryStacks: Object.fromEntries(topology.registry.stacks.flatMap(s => s.repositories.map(r => [r, s.stackId]))),
    roles: topology.roles.map(r => ({
      stage: r.stage,
      account: r.account,
      name: r.roleName,
      path: r.rolePath,
      arn: r.roleArn,
      environment: r.environment,
      subjects: r.subjects,
    })),
  };
}

/** One difference between two contracts, with what it would break. */
export interface ContractChange {
  readonly kind: 'removed' | 'renamed' | 'added' | 'changed';
  readonly what: string;
  readonly before?: string;
  readonly after?: string;
  /** What a breaking change does to live infrastructure; undefined for additions. */
  readonly impact?: string;
}

export interface ContractDiff {
  readonly breaking: ContractChange[];
  readonly additions: ContractChange[];
}

export function diffContracts(before: StageContract, after: StageContract): ContractDiff {
  const breaking: ContractChange[] = [];
  const additions: ContractChange[] = [];
  const key = (r: ContractRole) => `${r.stage}@${r.account}`;
  const afterRoles = new Map(after.roles.map(r => [key(r), r]));
  const beforeRoles = new Map(before.roles.map(r => [key(r), r]));

  for (const old of before.roles) {
    const now = afterRoles.get(key(old));
    const what = `role of stage "${old.stage}" in account "${old.account}"`;
    if (!now) {
      breaking.push({ kind: 'removed', what, before: old.arn, impact: `CDK deletes the live role ${old.arn}; jobs in environment "${old.environment}" lose their credentials` });
      continue;
    }
    if (now.arn !== old.arn) {
      breaking.push({ kind: 'renamed', what, before: old.arn, after: now.arn, impact: 'CDK replaces the live role (a new name or path is a new role); anything that references the old ARN breaks' });
    }
    if (now.environment !== old.environment) {
      breaking.push({ kind: 'renamed', what: `environment of ${what}`, before: old.environment, after: now.environment, impact: `jobs running in "${old.environment}" no longer match the role's trust, and the environment's reviewers and branch policy must be recreated` });
    }
    const dropped = old.subjects.filter(s => !now.subjects.includes(s));
    if (dropped.length > 0) {
      breaking.push({ kind: 'changed', what: `accepted subjects of ${what}`, before: dropped.join(', '), after: now.subjects.join(', '), impact: 'tokens with the dropped subjects are no longer accepted: jobs that send them fail to assume the role' });
    }
    const gained = now.subjects.filter(s => !old.subjects.includes(s));
    if (gained.length > 0) {
      additions.push({ kind: 'added', what: `accepted subjects of ${what}`, after: gained.join(', ') });
    }
  }
  for (const role of after.roles) {
    if (!beforeRoles.has(key(role))) {
      additions.push({ kind: 'added', what: `role of stage "${role.stage}" in account "${role.account}"`, after: role.arn });
    }
  }
  const repositoryStacks = Object.entries(after.repositoryStacks ?? {});
  // Before registries were split, every repository lived in the first registry stack.
  const single = repositoryStacks[0]?.[1];
  for (const [repository, stack] of repositoryStacks) {
    const was = before.repositoryStacks !== undefined
      ? before.repositoryStacks[repository]
      : (single !== undefined && before.stackIds.includes(single) ? single : undefined);
    if (was !== undefined && was !== stack) {
      breaking.push({
        kind: 'changed',
        what: `registry stack of image repository "${repository}"`,
        before: was,
        after: stack,
        impact: `CloudFormation removes the repository from ${was} (it is retained, with its images) and fails to create it in ${stack}, where the name is taken: deploy ${was} first, then bring the repository into ${stack} with \`cdk import\``,
      });
    }
  }
  for (const id of before.stackIds) {
    if (!after.stackIds.includes(id)) {
      breaking.push({ kind: 'removed', what: `stack "${id}"`, before: id, impact: 'CDK no longer manages the stack: its roles stay deployed but unmanaged, or are deleted if you destroy it' });
    }
  }
  for (const id of after.stackIds) {
    if (!before.stackIds.includes(id)) {
      additions.push({ kind: 'added', what: `stack "${id}"`, after: id });
    }
  }
  return { breaking, additions };
}

export function formatChange(change: ContractChange): string {
  const arrow = change.before && change.after ? `${change.before} -> ${change.after}` : change.after ?? change.before ?? '';
  return `${change.kind} ${change.what}: ${arrow}${change.impact ? `\n      breaks: ${change.impact}` : ''}`;
}
