/**
 * The fake GitHub's in-memory data, with GitHub's rules where the tool depends on
 * them: case-insensitive logins, repositories and environment names, upper-cased
 * variable names, policies that exist only under `custom_branch_policies: true`,
 * and OIDC templates inherited from the organization.
 */

export class NotFound extends Error {}

export class Unprocessable extends Error {
  constructor(message: string, public readonly errors: unknown[] = [], public readonly status = 422) {
    super(message);
  }
}

export interface FakeUser { readonly login: string; readonly id: number }
export interface FakeTeam { readonly org: string; readonly slug: string; readonly id: number; readonly name: string }
export interface FakeOrg {
  readonly login: string;
  readonly id: number;
  /** The organization's OIDC template, which repositories opt into with `use_default: false`. */
  oidcClaimKeys: string[];
  /** The organization-level immutable-subject setting repositories inherit. */
  useImmutableSubject: boolean;
}
export interface FakeBranchPolicy { readonly id: number; name: string; readonly type: 'branch' | 'tag' }
export interface FakeVariable { name: string; value: string; readonly created_at: string; updated_at: string }
export interface FakeEnvironment {
  readonly id: number;
  readonly name: string;
  readonly created_at: string;
  updated_at: string;
  wait_timer: number;
  prevent_self_review: boolean;
  reviewers: Array<{ type: 'User' | 'Team'; id: number }>;
  deployment_branch_policy: { protected_branches: boolean; custom_branch_policies: boolean } | null;
  policies: FakeBranchPolicy[];
  variables: FakeVariable[];
}
export interface FakePull {
  readonly id: number;
  readonly number: number;
  readonly title: string;
  /** Branch names in this repository (forks are not modelled). */
  readonly head: string;
  readonly base: string;
  state: 'open' | 'closed';
  merged_at: string | null;
  readonly created_at: string;
  updated_at: string;
}
export interface FakeRun {
  readonly id: number;
  readonly run_number: number;
  /** The workflow's file name under `.github/workflows/`. */
  readonly workflow: string;
  readonly event: string;
  readonly head_branch: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | null;
  readonly created_at: string;
  updated_at: string;
}
export interface FakeRepo {
  readonly owner: string;
  readonly ownerId: number;
  readonly name: string;
  readonly id: number;
  topics: string[];
  /** The repository's own settings; unset fields fall back to the organization. */
  oidc: { use_default: boolean; include_claim_keys?: string[]; use_immutable_subject?: boolean };
  environments: FakeEnvironment[];
  default_branch: string;
  archived: boolean;
  /** The default branch's files by path; workflows are the files under `.github/workflows/`. */
  files: Map<string, string>;
  pulls: FakePull[];
  runs: FakeRun[];
}

const NOW = '2026-01-01T00:00:00Z';

export class FakeState {
  public readonly users: FakeUser[] = [];
  public readonly teams: FakeTeam[] = [];
  public readonly orgs: FakeOrg[] = [];
  public readonly repos: FakeRepo[] = [];
  private nextId = 1000;
  private clock = 0;

  constructor(public readonly maxPerPage: number) {}

  id(): number {
    return this.nextId++;
  }

  addUser(login: string): FakeUser {
    const user = { login, id: this.id() };
    this.users.push(user);
    return user;
  }

  addOrg(login: string, oidc: { claimKeys?: string[]; useImmutableSubject?: boolean } = {}): FakeOrg {
    const org = { login, id: this.id(), oidcClaimKeys: oidc.claimKeys ?? ['repo', 'context'], useImmutableSubject: oidc.useImmutableSubject ?? false };
    this.orgs.push(org);
    return org;
  }

  addTeam(org: string, slug: string): FakeTeam {
    const team = { org, slug, id: this.id(), name: slug };
    this.teams.push(team);
    return team;
  }

  /** A repository as GitHub creates it: default OIDC template, no environments. */
  addRepo(owner: string, name: string): FakeRepo {
    const ownerId = this.org(owner)?.id ?? this.user(owner)?.id ?? this.addUser(owner).id;
    const repo: FakeRepo = {
      owner,
      ownerId,
      name,
      id: this.id(),
      topics: [],
      oidc: { use_default: true },
      environments: [],
      default_branch: 'main',
      archived: false,
      files: new Map(),
      pulls: [],
      runs: [],
    };
    this.repos.push(repo);
    return repo;
  }

  /** A clock that advances a second per call, so creation order is also time order. */
  now(): string {
    return new Date(Date.parse(NOW) + (this.clock++) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** The run a `workflow_dispatch` (or a schedule) starts. */
  startRun(repo: FakeRepo, workflow: string, event: string, branch: string): FakeRun {
    const now = this.now();
    const run: FakeRun = {
      id: this.id(),
      run_number: repo.runs.filter(r => r.workflow === workflow).length + 1,
      workflow,
      event,
      head_branch: branch,
      status: 'queued',
      conclusion: null,
      created_at: now,
      updated_at: now,
    };
    repo.runs.push(run);
    return run;
  }

  finishRun(run: FakeRun, conclusion: 'success' | 'failure' | 'cancelled'): void {
    run.status = 'completed';
    run.conclusion = conclusion;
    run.updated_at = this.now();
  }

  /** A pull request as an Actions workflow opens it, from a branch of the same repository. */
  openPull(repo: FakeRepo, head: string, title: string, base = repo.default_branch): FakePull {
    if (repo.pulls.some(p => p.state === 'open' && p.head === head && p.base === base)) {
      throw new Unprocessable(`A pull request already exists for ${repo.owner}:${head}.`);
    }
    const now = this.now();
    const pull: FakePull = {
      id: this.id(),
      number: repo.pulls.length + 1,
      title,
      head,
      base,
      state: 'open',
      merged_at: null,
      created_at: now,
      updated_at: now,
    };
    repo.pulls.push(pull);
    return pull;
  }

  closePull(pull: FakePull, merged: boolean): void {
    const now = this.now();
    pull.state = 'closed';
    pull.merged_at = merged ? now : null;
    pull.updated_at = now;
  }

  user(login: string): FakeUser | undefined {
    return this.users.find(u => u.login.toLowerCase() === login.toLowerCase());
  }

  org(login: string): FakeOrg | undefined {
    return this.orgs.find(o => o.login.toLowerCase() === login.toLowerCase());
  }

  team(org: string, slug: string): FakeTeam | undefined {
    return this.teams.find(t => t.org.toLowerCase() === org.toLowerCase() && t.slug.toLowerCase() === slug.toLowerCase());
  }

  repo(owner: string, name: string): FakeRepo {
    const repo = this.repos.find(r => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase());
    if (!repo) {
      throw new NotFound('Not Found');
    }
    return repo;
  }

  findEnvironment(repo: FakeRepo, name: string): FakeEnvironment | undefined {
    return repo.environments.find(e => e.name.toLowerCase() === name.toLowerCase());
  }

  environment(owner: string, repoName: string, name: string): FakeEnvironment {
    const env = this.findEnvironment(this.repo(owner, repoName), name);
    if (!env) {
      throw new NotFound('Not Found');
    }
    return env;
  }

  /** Creates an environment the way the UI would, bypassing the API (for drift and seeding). */
  createEnvironment(repo: FakeRepo, name: string, fields: Partial<Pick<FakeEnvironment, 'wait_timer' | 'prevent_self_review' | 'reviewers' | 'deployment_branch_policy'>> = {}): FakeEnvironment {
    const env: FakeEnvironment = {
      id: this.id(),
      name,
      created_at: NOW,
      updated_at: NOW,
      wait_timer: 0,
      prevent_self_review: false,
      reviewers: [],
      deployment_branch_policy: null,
      policies: [],
      variables: [],
      ...fields,
    };
    repo.environments.push(env);
    return env;
  }

  /** The OIDC template as GitHub reports it, inheritance resolved. */
  oidcView(repo: FakeRepo) {
    const org = this.org(repo.owner);
    const immutable = repo.oidc.use_immutable_subject ?? org?.useImmutableSubject ?? false;
    const prefix = immutable ? `repo:${repo.owner}@${repo.ownerId}/${repo.name}@${repo.id}` : `repo:${repo.owner}/${repo.name}`;
    return repo.oidc.use_default
      ? { use_default: true, use_immutable_subject: immutable, sub_claim_prefix: prefix }
      : {
        use_default: false,
        include_claim_keys: repo.oidc.include_claim_keys ?? org?.oidcClaimKeys ?? [],
        use_immutable_subject: immutable,
        sub_claim_prefix: prefix,
      };
  }

  /** One page of a list, with GitHub's `link` header. */
  page<T>(items: T[], query: URLSearchParams, url: string, cap = this.maxPerPage): { items: T[]; headers: Record<string, string> } {
    const perPage = Math.min(Math.max(Number(query.get('per_page') ?? 30), 1), cap);
    const page = Math.max(Number(query.get('page') ?? 1), 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (p: number, rel: string) => {
      const next = new URL(url);
      next.searchParams.set('per_page', String(perPage));
      next.searchParams.set('page', String(p));
      return `<${next}>; rel="${rel}"`;
    };
    const links = page < last ? [link(page + 1, 'next'), link(last, 'last')] : [];
    return { items: items.slice((page - 1) * perPage, page * perPage), headers: links.length > 0 ? { link: links.join(', ') } : {} };
  }
}
