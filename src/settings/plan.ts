import { EnvironmentSettings, OidcSettings, StageSettingsDocument } from './document';
import { LiveEnvironment, LiveOidc, LiveState, ResolvedReviewer } from './live';

/** One REST write; `apply` maps each to a typed Octokit method. */
export type Write =
  | { readonly op: 'setOidc'; readonly body: { use_default: boolean; include_claim_keys?: string[]; use_immutable_subject: boolean } }
  | { readonly op: 'setTopics'; readonly names: string[] }
  | { readonly op: 'putEnvironment'; readonly environment: string; readonly body: EnvironmentBody }
  | { readonly op: 'createBranchPolicy'; readonly environment: string; readonly name: string }
  | { readonly op: 'renameBranchPolicy'; readonly environment: string; readonly id: number; readonly name: string }
  | { readonly op: 'deleteBranchPolicy'; readonly environment: string; readonly id: number }
  | { readonly op: 'createVariable'; readonly environment: string; readonly name: string; readonly value: string }
  | { readonly op: 'updateVariable'; readonly environment: string; readonly name: string; readonly value: string };

export interface EnvironmentBody {
  readonly wait_timer: number;
  readonly prevent_self_review: boolean;
  readonly reviewers: Array<{ type: 'User' | 'Team'; id: number }> | null;
  readonly deployment_branch_policy: { protected_branches: false; custom_branch_policies: true } | null;
}

export interface Change {
  /** `+` create, `~` update, `-` delete. */
  readonly action: 'create' | 'update' | 'delete';
  /** What the change is about: `oidc`, `topics`, `environment deploy-prod`, ... */
  readonly target: string;
  /** One line: what changes, old -> new. */
  readonly detail: string;
  /** Changes the OIDC `sub` claim that every stage role's trust compares. */
  readonly subjectChange: boolean;
  readonly write: Write;
}

export interface Plan {
  readonly repository: string;
  /** In apply order: OIDC, topics, then each environment before its policies and variables. */
  readonly changes: Change[];
  readonly warnings: string[];
}

export function subjectChanges(plan: Plan): Change[] {
  return plan.changes.filter(c => c.subjectChange);
}

/**
 * The diff between desired and live state, in a safe order. Pure, so every rule
 * (case-insensitive names, org-inherited templates, reviewers-only fields) is
 * unit-testable without a server.
 */
export function computePlan(desired: StageSettingsDocument, live: LiveState, reviewers: ReadonlyMap<string, ResolvedReviewer>): Plan {
  const changes: Change[] = [];
  const warnings: string[] = [];

  const oidcChange = diffOidc(desired.oidc, live.oidc);
  if (oidcChange) {
    changes.push(oidcChange);
    warnings.push(
      `the OIDC subject format changes (${oidcChange.detail}). Every stage role's trust must accept the new format before this is applied, or all stage jobs lose AWS access: deploy the stage stacks first, then run apply with --allow-subject-change.`,
    );
  }

  const liveTopics = new Set(live.topics);
  const missingTopics = desired.repository.topics.filter(t => !liveTopics.has(t));
  if (missingTopics.length > 0) {
    changes.push({
      action: 'update',
      target: 'topics',
      detail: `add ${missingTopics.join(', ')}`,
      subjectChange: false,
      write: { op: 'setTopics', names: [...live.topics, ...missingTopics] },
    });
  }

  for (const env of desired.environments) {
    const current = live.environments.get(env.name.toLowerCase());
    if (current && current.name !== env.name) {
      warnings.push(`environment "${env.name}" exists as "${current.name}"; GitHub compares environment names case-insensitively, so it is updated in place, not duplicated`);
    }
    changes.push(...diffEnvironment(env, current, reviewers));
  }

  return { repository: `${desired.repository.owner}/${desired.repository.name}`, changes, warnings };
}

function describeOidc(oidc: { use_default: boolean; include_claim_keys: string[]; use_immutable_subject: boolean }): string {
  const template = oidc.use_default
    ? 'default template'
    : oidc.include_claim_keys.length === 0 ? 'organization template' : `claim keys ${oidc.include_claim_keys.join(',')}`;
  return `${template}, ${oidc.use_immutable_subject ? 'immutable' : 'name-based'} subjects`;
}

function diffOidc(desired: OidcSettings, live: LiveOidc): Change | undefined {
  // With `use_default: false` and no keys of its own a repository follows its
  // organization's template, and GitHub then reports the organization's keys: those
  // keys say nothing about what the repository itself sets, so they are not compared.
  const inheritsOrg = !desired.use_default && desired.include_claim_keys.length === 0;
  const templateDiffers = desired.use_default !== live.use_default
    || (!desired.use_default && !inheritsOrg && desired.include_claim_keys.join(',') !== live.include_claim_keys.join(','));
  if (!templateDiffers && desired.use_immutable_subject === live.use_immutable_subject) {
    return undefined;
  }
  return {
    action: 'update',
    target: 'oidc',
    detail: `${describeOidc(live)} -> ${describeOidc(desired)}`,
    subjectChange: true,
    write: {
      op: 'setOidc',
      body: {
        use_default: desired.use_default,
        ...(desired.use_default || inheritsOrg ? {} : { include_claim_keys: desired.include_claim_keys }),
        use_immutable_subject: desired.use_immutable_subject,
      },
    },
  };
}

function reviewerKey(r: { type: string; id: number }): string {
  return `${r.type}:${r.id}`;
}

function diffEnvironment(env: EnvironmentSettings, live: LiveEnvironment | undefined, reviewers: ReadonlyMap<string, ResolvedReviewer>): Change[] {
  const changes: Change[] = [];
  // Writes to an existing environment address it as GitHub spells it.
  const name = live?.name ?? env.name;
  const desiredReviewers = env.reviewers.map(r => {
    const resolved = reviewers.get(r);
    if (!resolved) {
      throw new Error(`internal: reviewer "${r}" was not resolved`);
    }
    return resolved;
  });
  const branches = env.deployment_branch_policy?.custom_branch_policies ?? [];
  const body: EnvironmentBody = {
    wait_timer: env.wait_timer,
    prevent_self_review: env.prevent_self_review,
    reviewers: desiredReviewers.length > 0 ? desiredReviewers.map(r => ({ type: r.type, id: r.id })) : null,
    deployment_branch_policy: branches.length > 0 ? { protected_branches: false, custom_branch_policies: true } : null,
  };

  if (!live) {
    const parts = [
      `wait_timer ${env.wait_timer}`,
      env.reviewers.length > 0 ? `reviewers ${env.reviewers.join(', ')}${env.prevent_self_review ? ' (no self review)' : ''}` : 'no reviewers',
      branches.length > 0 ? `branches ${branches.join(', ')}` : 'any branch',
    ];
    changes.push({ action: 'create', target: `environment ${name}`, detail: parts.join('; '), subjectChange: false, write: { op: 'putEnvironment', environment: name, body } });
  } else {
    const diffs: string[] = [];
    if (live.waitTimer !== env.wait_timer) {
      diffs.push(`wait_timer ${live.waitTimer} -> ${env.wait_timer}`);
    }
    const liveKeys = new Set(live.reviewers.map(reviewerKey));
    const wantKeys = new Set(desiredReviewers.map(reviewerKey));
    const added = env.reviewers.filter((_, i) => !liveKeys.has(reviewerKey(desiredReviewers[i])));
    const removed = live.reviewers.filter(r => !wantKeys.has(reviewerKey(r))).map(r => r.label);
    if (added.length > 0 || removed.length > 0) {
      diffs.push(`reviewers ${[...added.map(a => `+${a}`), ...removed.map(r => `-${r}`)].join(' ')}`);
    }
    // GitHub keeps prevent_self_review on the reviewers rule: without reviewers there is
    // nothing to compare, and comparing anyway would be a diff that never goes away.
    if (desiredReviewers.length > 0 && live.preventSelfReview !== env.prevent_self_review) {
      diffs.push(`prevent_self_review ${live.preventSelfReview} -> ${env.prevent_self_review}`);
    }
    const wantPolicy = branches.length > 0 ? 'custom' : 'any';
    if (live.branchPolicy !== wantPolicy) {
      diffs.push(`branch policy ${live.branchPolicy} -> ${wantPolicy === 'custom' ? 'custom branches' : 'any'}`);
    }
    if (diffs.length > 0) {
      changes.push({ action: 'update', target: `environment ${name}`, detail: diffs.join('; '), subjectChange: false, write: { op: 'putEnvironment', environment: name, body } });
    }
  }

  if (branches.length > 0) {
    // Policies only exist under `custom_branch_policies: true`; when the environment is
    // created or switched above, GitHub starts it with none.
    const existing = live?.branchPolicy === 'custom' ? live.branchPolicies : [];
    const missing = branches.filter(b => !existing.some(p => p.type === 'branch' && p.name === b));
    const extra = existing.filter(p => !(p.type === 'branch' && branches.includes(p.name)));
    // An unwanted branch policy is renamed into a missing one: one write instead of two.
    const renamable = extra.filter(p => p.type === 'branch');
    for (const branch of missing) {
      const reuse = renamable.shift();
      if (reuse) {
        changes.push({ action: 'update', target: `environment ${name} branch policy`, detail: `"${reuse.name}" -> "${branch}"`, subjectChange: false, write: { op: 'renameBranchPolicy', environment: name, id: reuse.id, name: branch } });
        extra.splice(extra.indexOf(reuse), 1);
      } else {
        changes.push({ action: 'create', target: `environment ${name} branch policy`, detail: `"${branch}"`, subjectChange: false, write: { op: 'createBranchPolicy', environment: name, name: branch } });
      }
    }
    for (const policy of extra) {
      changes.push({ action: 'delete', target: `environment ${name} ${policy.type} policy`, detail: `"${policy.name}"`, subjectChange: false, write: { op: 'deleteBranchPolicy', environment: name, id: policy.id } });
    }
  }

  // GitHub stores variable names upper-cased and compares them case-insensitively.
  const liveVars = new Map(Object.entries(live?.variables ?? {}).map(([k, v]) => [k.toUpperCase(), v]));
  for (const [variable, value] of Object.entries(env.variables)) {
    const current = liveVars.get(variable.toUpperCase());
    if (current === undefined) {
      changes.push({ action: 'create', target: `environment ${name} variable`, detail: `${variable} = "${value}"`, subjectChange: false, write: { op: 'createVariable', environment: name, name: variable, value } });
    } else if (current !== value) {
      changes.push({ action: 'update', target: `environment ${name} variable`, detail: `${variable} "${current}" -> "${value}"`, subjectChange: false, write: { op: 'updateVariable', environment: name, name: variable, value } });
    }
  }
  return changes;
}
