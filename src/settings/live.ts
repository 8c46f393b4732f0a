import type { GitHubClient } from './client';
import { StageSettingsDocument } from './document';

/** The repository's OIDC template as read, with inheritance resolved by GitHub. */
export interface LiveOidc {
  readonly use_default: boolean;
  /** With `use_default: false` and no repository keys, GitHub reports the organization's keys. */
  readonly include_claim_keys: string[];
  /** The effective value: the repository's own, else the organization's. */
  readonly use_immutable_subject: boolean;
  readonly sub_claim_prefix?: string;
}

export interface LiveReviewer {
  readonly type: 'User' | 'Team';
  readonly id: number;
  /** Login or `org/slug`, for messages. */
  readonly label: string;
}

export interface LiveBranchPolicy {
  readonly id: number;
  readonly name: string;
  readonly type: string;
}

export interface LiveEnvironment {
  /** As GitHub spells it, which may differ in case from the desired name. */
  readonly name: string;
  readonly waitTimer: number;
  /** Only meaningful with reviewers: GitHub keeps it on the required-reviewers rule. */
  readonly preventSelfReview: boolean;
  readonly reviewers: LiveReviewer[];
  readonly branchPolicy: 'any' | 'protected' | 'custom';
  /** Read only for desired environments with custom policies. */
  readonly branchPolicies: LiveBranchPolicy[];
  /** Read only for desired environments; names as GitHub returns them (upper case). */
  readonly variables: { readonly [name: string]: string };
}

export interface LiveState {
  readonly oidc: LiveOidc;
  readonly topics: string[];
  /** Keyed by lower-cased name: GitHub environment names are case-insensitive. */
  readonly environments: ReadonlyMap<string, LiveEnvironment>;
}

/** A reviewer of the settings file resolved to the id GitHub's environment API takes. */
export interface ResolvedReviewer {
  readonly type: 'User' | 'Team';
  readonly id: number;
}

/** One reviewer that does not exist (or that the token cannot see). */
export interface UnknownReviewer {
  readonly reviewer: string;
  readonly environments: string[];
  readonly reason: string;
}

export class UnknownReviewersError extends Error {
  constructor(public readonly unknown: UnknownReviewer[]) {
    super([
      `${unknown.length} reviewer${unknown.length === 1 ? '' : 's'} could not be resolved; nothing was changed:`,
      ...unknown.map(u => `  "${u.reviewer}" (environments: ${u.environments.join(', ')}): ${u.reason}`),
    ].join('\n'));
    this.name = 'UnknownReviewersError';
  }
}

const PER_PAGE = 100;

interface RawEnvironment {
  readonly name: string;
  readonly protection_rules?: Array<{
    readonly type: string;
    readonly wait_timer?: number;
    readonly prevent_self_review?: boolean;
    readonly reviewers?: Array<{
      readonly type?: string;
      readonly reviewer?: { readonly id: number; readonly login?: string; readonly slug?: string };
    }>;
  }>;
  readonly deployment_branch_policy?: { readonly protected_branches: boolean; readonly custom_branch_policies: boolean } | null;
}

/** The HTTP status of an Octokit request error; undefined for other errors (a dropped connection). */
export function status(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'status' in error ? (error as { status: number }).status : undefined;
}

/** Reads what the plan compares; reads nothing it would not compare. */
export async function readLiveState(client: GitHubClient, desired: StageSettingsDocument, log: (m: string) => void): Promise<LiveState> {
  const owner = desired.repository.owner;
  const repo = desired.repository.name;
  const [oidcResponse, topicsResponse, environmentList] = await Promise.all([
    client.rest.actions.getCustomOidcSubClaimForRepo({ owner, repo }),
    client.rest.repos.getAllTopics({ owner, repo }),
    // Typed by hand: the endpoint is missing from Octokit's list of paginated routes,
    // although its `{ total_count, environments }` pages paginate like the others.
    client.paginate<RawEnvironment>('GET /repos/{owner}/{repo}/environments', { owner, repo, per_page: PER_PAGE }),
  ]).catch(error => {
    if (status(error) === 404) {
      throw new Error(`repository ${owner}/${repo} not found, or the token cannot administer it (it needs repository administration read/write)`);
    }
    throw error;
  });
  // Fields newer than the installed Octokit types; the fixture schema has them.
  const o = oidcResponse.data as { use_default: boolean; include_claim_keys?: string[]; use_immutable_subject?: boolean; sub_claim_prefix?: string };
  const oidc: LiveOidc = {
    use_default: o.use_default,
    include_claim_keys: o.include_claim_keys ?? [],
    use_immutable_subject: o.use_immutable_subject ?? immutablePrefix(o.sub_claim_prefix),
    sub_claim_prefix: o.sub_claim_prefix,
  };

  const wanted = new Map(desired.environments.map(e => [e.name.toLowerCase(), e]));
  const environments = new Map<string, LiveEnvironment>();
  const relevant = environmentList.filter(e => wanted.has(e.name.toLowerCase()));
  if (relevant.length > 0) {
    log(`reading ${relevant.length} environment${relevant.length === 1 ? '' : 's'} of ${owner}/${repo}`);
  }
  await Promise.all(relevant.map(async env => {
    const rules = env.protection_rules ?? [];
    const reviewerRule = rules.find(r => r.type === 'required_reviewers');
    const waitRule = rules.find(r => r.type === 'wait_timer');
    const policy = env.deployment_branch_policy;
    const branchPolicy = !policy ? 'any' : policy.custom_branch_policies ? 'custom' : 'protected';
    const [branchPolicies, variables] = await Promise.all([
      branchPolicy === 'custom'
        ? client.paginate(client.rest.repos.listDeploymentBranchPolicies, { owner, repo, environment_name: env.name, per_page: PER_PAGE })
        : Promise.resolve([]),
      client.paginate(client.rest.actions.listEnvironmentVariables, { owner, repo, environment_name: env.name, per_page: 30 }),
    ]);
    environments.set(env.name.toLowerCase(), {
      name: env.name,
      waitTimer: waitRule?.wait_timer ?? 0,
      preventSelfReview: reviewerRule?.prevent_self_review ?? false,
      reviewers: (reviewerRule?.reviewers ?? []).map(r => ({
        type: r.type === 'Team' ? 'Team' : 'User',
        id: r.reviewer?.id ?? -1,
        label: r.type === 'Team' ? r.reviewer?.slug ?? String(r.reviewer?.id) : r.reviewer?.login ?? String(r.reviewer?.id),
      })),
      branchPolicy,
      branchPolicies: branchPolicies.map(p => ({ id: p.id!, name: p.name!, type: (p as { type?: string }).type ?? 'branch' })),
      variables: Object.fromEntries(variables.map(v => [v.name, v.value])),
    });
  }));

  return { oidc, topics: topicsResponse.data.names, environments };
}

function immutablePrefix(prefix: string | undefined): boolean {
  // `repo:owner@123/name@456`: ids follow the names only in the immutable form.
  return prefix !== undefined && /^repo:[^/]+@\d+\/[^/]+@\d+$/.test(prefix);
}

/**
 * Resolves every reviewer to its id, all at once, so one run names every unknown
 * reviewer instead of failing on the first.
 */
export async function resolveReviewers(client: GitHubClient, desired: StageSettingsDocument): Promise<Map<string, ResolvedReviewer>> {
  const users = new Map<string, string[]>();
  for (const env of desired.environments) {
    for (const reviewer of env.reviewers) {
      users.set(reviewer, [...users.get(reviewer) ?? [], env.name]);
    }
  }
  const resolved = new Map<string, ResolvedReviewer>();
  const unknown: UnknownReviewer[] = [];
  await Promise.all([...users.entries()].map(async ([reviewer, environments]) => {
    const [org, slug] = reviewer.includes('/') ? reviewer.split('/', 2) : [undefined, undefined];
    try {
      if (org !== undefined && slug !== undefined) {
        const { data } = await client.rest.teams.getByName({ org, team_slug: slug });
        resolved.set(reviewer, { type: 'Team', id: data.id });
      } else {
        const { data } = await client.rest.users.getByUsername({ username: reviewer });
        resolved.set(reviewer, { type: 'User', id: data.id });
      }
    } catch (error) {
      if (status(error) !== 404) {
        throw error;
      }
      unknown.push({
        reviewer,
        environments,
        reason: org !== undefined
          ? `no team "${slug}" in organization "${org}" visible to this token (GET /orgs/${org}/teams/${slug} returned 404; a fine-grained token needs organization members read)`
          : `no GitHub user "${reviewer}" (GET /users/${reviewer} returned 404)`,
      });
    }
  }));
  if (unknown.length > 0) {
    throw new UnknownReviewersError(unknown.sort((a, b) => a.reviewer.localeCompare(b.reviewer)));
  }
  return resolved;
}
