import type { FakeGitHub, RouteRequest } from './server';
import { FakeEnvironment, FakeRepo, FakeState, FakeTeam, FakeUser, NotFound, Unprocessable } from './state';

/**
 * The endpoints `stage-project github plan|apply` call. Behaviour follows GitHub's
 * documentation where the tool relies on it; each rule the tool must respect (policies
 * need `custom_branch_policies: true`, variables are upper-cased and conflict on
 * create, reviewer ids must exist) answers as GitHub does, so the tool cannot pass
 * here while failing there.
 */

const MAX_WAIT_TIMER = 43_200;
const MAX_REVIEWERS = 6;
const TOPIC = /^[a-z0-9][a-z0-9-]{0,49}$/;
const CLAIM_KEY = /^\w+$/;
const VARIABLE = /^[A-Z_][A-Z0-9_]*$/;

/** The `simple-user` shape, for users, organizations (as owners) and bots. */
export function accountJson(base: string, account: { readonly login: string; readonly id: number }, type = 'User') {
  const url = `${base}/users/${encodeURIComponent(account.login)}`;
  return {
    login: account.login,
    id: account.id,
    node_id: `${type[0]}_${account.id}`,
    avatar_url: `${base}/avatars/${account.id}`,
    gravatar_id: '',
    url,
    html_url: `${base}/${account.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type,
    site_admin: false,
  };
}

function publicUserJson(base: string, user: FakeUser) {
  return {
    ...accountJson(base, user),
    name: null,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: '2020-01-01T00:00:00Z',
    updated_at: '2020-01-01T00:00:00Z',
  };
}

function teamJson(base: string, team: FakeTeam) {
  const url = `${base}/orgs/${team.org}/teams/${team.slug}`;
  return {
    id: team.id,
    node_id: `T_${team.id}`,
    url,
    html_url: `${base}/orgs/${team.org}/teams/${team.slug}`,
    name: team.name,
    slug: team.slug,
    description: null,
    privacy: 'closed',
    notification_setting: 'notifications_enabled',
    permission: 'pull',
    members_url: `${url}/members{/member}`,
    repositories_url: `${url}/repos`,
    parent: null,
    type: 'organization',
  };
}

function fullTeamJson(base: string, state: FakeState, team: FakeTeam) {
  const org = state.org(team.org);
  const orgId = org?.id ?? 0;
  const orgUrl = `${base}/orgs/${team.org}`;
  return {
    ...teamJson(base, team),
    created_at: '2020-01-01T00:00:00Z',
    updated_at: '2020-01-01T00:00:00Z',
    members_count: 1,
    repos_count: 1,
    organization: {
      login: team.org,
      id: orgId,
      node_id: `O_${orgId}`,
      url: orgUrl,
      repos_url: `${orgUrl}/repos`,
      events_url: `${orgUrl}/events`,
      hooks_url: `${orgUrl}/hooks`,
      issues_url: `${orgUrl}/issues`,
      members_url: `${orgUrl}/members{/member}`,
      public_members_url: `${orgUrl}/public_members{/member}`,
      avatar_url: `${base}/avatars/${orgId}`,
      description: null,
      html_url: `${base}/${team.org}`,
      has_organization_projects: true,
      has_repository_projects: true,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      type: 'Organization',
      created_at: '2020-01-01T00:00:00Z',
      updated_at: '2020-01-01T00:00:00Z',
      archived_at: null,
    },
  };
}

function environmentJson(base: string, state: FakeState, repo: FakeRepo, env: FakeEnvironment) {
  const rules: unknown[] = [];
  if (env.wait_timer > 0) {
    rules.push({ id: env.id * 10 + 1, node_id: `GA_${env.id}_1`, type: 'wait_timer', wait_timer: env.wait_timer });
  }
  if (env.reviewers.length > 0) {
    rules.push({
      id: env.id * 10 + 2,
      node_id: `GA_${env.id}_2`,
      type: 'required_reviewers',
      prevent_self_review: env.prevent_self_review,
      reviewers: env.reviewers.map(r => {
        if (r.type === 'User') {
          const user = state.users.find(u => u.id === r.id)!;
          return { type: 'User', reviewer: accountJson(base, user) };
        }
        const team = state.teams.find(t => t.id === r.id)!;
        return { type: 'Team', reviewer: teamJson(base, team) };
      }),
    });
  }
  if (env.deployment_branch_policy) {
    rules.push({ id: env.id * 10 + 3, node_id: `GA_${env.id}_3`, type: 'branch_policy' });
  }
  const url = `${base}/repos/${repo.owner}/${repo.name}/environments/${encodeURIComponent(env.name)}`;
  return {
    id: env.id,
    node_id: `EN_${env.id}`,
    name: env.name,
    url,
    html_url: `${base}/${repo.owner}/${repo.name}/deployments/activity_log?environments_filter=${encodeURIComponent(env.name)}`,
    created_at: env.created_at,
    updated_at: env.updated_at,
    protection_rules: rules,
    deployment_branch_policy: env.deployment_branch_policy,
  };
}

function listUrl(req: RouteRequest, path: string): string {
  return `${req.base}${path}`;
}

export function registerSettingsRoutes(fake: FakeGitHub): void {
  const repoOf = (req: RouteRequest, state: FakeState) => state.repo(req.params.owner, req.params.repo);
  const envOf = (req: RouteRequest, state: FakeState) => state.environment(req.params.owner, req.params.repo, req.params.environment_name);

  fake.route('GET', '/repos/{owner}/{repo}/actions/oidc/customization/sub', (req, state) =>
    ({ status: 200, body: state.oidcView(repoOf(req, state)) }));

  fake.route('PUT', '/repos/{owner}/{repo}/actions/oidc/customization/sub', (req, state) => {
    const repo = repoOf(req, state);
    const keys: string[] | undefined = req.body.include_claim_keys;
    const bad = (keys ?? []).filter(k => !CLAIM_KEY.test(k));
    if (bad.length > 0) {
      throw new Unprocessable(`Invalid claim keys: ${bad.join(', ')}`);
    }
    repo.oidc = {
      use_default: req.body.use_default,
      include_claim_keys: req.body.use_default ? undefined : keys,
      use_immutable_subject: req.body.use_immutable_subject ?? repo.oidc.use_immutable_subject,
    };
    return { status: 201, body: {} };
  });

  fake.route('GET', '/repos/{owner}/{repo}/topics', (req, state) => ({ status: 200, body: { names: repoOf(req, state).topics } }));

  fake.route('PUT', '/repos/{owner}/{repo}/topics', (req, state) => {
    const repo = repoOf(req, state);
    const names: string[] = req.body.names.map((n: string) => n.toLowerCase());
    const bad = names.filter(n => !TOPIC.test(n));
    if (bad.length > 0 || names.length > 20) {
      throw new Unprocessable('Validation Failed', bad.map(n => ({ resource: 'Repository', field: 'topics', code: 'invalid', value: n })));
    }
    repo.topics = [...new Set(names)];
    return { status: 200, body: { names: repo.topics } };
  });

  fake.route('GET', '/repos/{owner}/{repo}/environments', (req, state) => {
    const repo = repoOf(req, state);
    const { items, headers } = state.page(repo.environments, req.query, listUrl(req, `/repos/${repo.owner}/${repo.name}/environments`));
    const environments = items.map(e => environmentJson(req.base, state, repo, e));
    return { status: 200, headers, body: { total_count: repo.environments.length, environments } };
  });

  fake.route('GET', '/repos/{owner}/{repo}/environments/{environment_name}', (req, state) =>
    ({ status: 200, body: environmentJson(req.base, state, repoOf(req, state), envOf(req, state)) }));

  fake.route('PUT', '/repos/{owner}/{repo}/environments/{environment_name}', (req, state) => {
    const repo = repoOf(req, state);
    const body = req.body ?? {};
    const errors: string[] = [];
    if (body.wait_timer !== undefined && (body.wait_timer < 0 || body.wait_timer > MAX_WAIT_TIMER)) {
      errors.push(`wait_timer must be between 0 and ${MAX_WAIT_TIMER}`);
    }
    const reviewers: Array<{ type: 'User' | 'Team'; id: number }> | null | undefined = body.reviewers;
    if (reviewers && reviewers.length > MAX_REVIEWERS) {
      errors.push(`at most ${MAX_REVIEWERS} reviewers`);
    }
    for (const r of reviewers ?? []) {
      const exists = r.type === 'User' ? state.users.some(u => u.id === r.id) : state.teams.some(t => t.id === r.id);
      if (!exists) {
        errors.push(`reviewer ${r.type} ${r.id} does not exist`);
      }
    }
    const policy = body.deployment_branch_policy;
    if (policy && policy.protected_branches === policy.custom_branch_policies && policy.protected_branches) {
      errors.push('protected_branches and custom_branch_policies cannot both be true');
    }
    if (errors.length > 0) {
      throw new Unprocessable(`Validation Failed: ${errors.join('; ')}`);
    }
    const env = state.findEnvironment(repo, req.params.environment_name) ?? state.createEnvironment(repo, req.params.environment_name);
    if (body.wait_timer !== undefined) env.wait_timer = body.wait_timer;
    if (body.prevent_self_review !== undefined) env.prevent_self_review = body.prevent_self_review;
    if (reviewers !== undefined) env.reviewers = reviewers ?? [];
    if (policy !== undefined) {
      env.deployment_branch_policy = policy;
      if (!policy?.custom_branch_policies) {
        env.policies = [];
      }
    }
    env.updated_at = new Date().toISOString();
    return { status: 200, body: environmentJson(req.base, state, repo, env) };
  });

  const policiesPath = '/repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies';
  const policyJson = (p: { id: number; name: string; type: string }) => ({ id: p.id, node_id: `DBP_${p.id}`, name: p.name, type: p.type });

  fake.route('GET', policiesPath, (req, state) => {
    const env = envOf(req, state);
    const { items, headers } = state.page(env.policies, req.query, listUrl(req, `/repos/${req.params.owner}/${req.params.repo}/environments/${encodeURIComponent(env.name)}/deployment-branch-policies`));
    return { status: 200, headers, body: { total_count: env.policies.length, branch_policies: items.map(policyJson) } };
  });

  fake.route('POST', policiesPath, (req, state) => {
    const env = envOf(req, state);
    if (!env.deployment_branch_policy?.custom_branch_policies) {
      // GitHub only has policies for environments set to custom branch policies.
      throw new NotFound(`Not Found: environment ${env.name} does not use custom deployment branch policies (set deployment_branch_policy.custom_branch_policies to true first)`);
    }
    const type = req.body.type ?? 'branch';
    const existing = env.policies.find(p => p.name === req.body.name && p.type === type);
    if (existing) {
      return { status: 303, headers: { location: `${req.base}/repos/${req.params.owner}/${req.params.repo}/environments/${encodeURIComponent(env.name)}/deployment-branch-policies/${existing.id}` }, body: policyJson(existing) };
    }
    const policy = { id: state.id(), name: req.body.name, type };
    env.policies.push(policy);
    return { status: 200, body: policyJson(policy) };
  });

  const policyOf = (req: RouteRequest, state: FakeState) => {
    const env = envOf(req, state);
    const policy = env.policies.find(p => p.id === Number(req.params.branch_policy_id));
    if (!policy) throw new NotFound('Not Found');
    return { env, policy };
  };

  fake.route('GET', `${policiesPath}/{branch_policy_id}`, (req, state) => ({ status: 200, body: policyJson(policyOf(req, state).policy) }));

  fake.route('PUT', `${policiesPath}/{branch_policy_id}`, (req, state) => {
    const { policy } = policyOf(req, state);
    policy.name = req.body.name;
    return { status: 200, body: policyJson(policy) };
  });

  fake.route('DELETE', `${policiesPath}/{branch_policy_id}`, (req, state) => {
    const { env, policy } = policyOf(req, state);
    env.policies.splice(env.policies.indexOf(policy), 1);
    return { status: 204 };
  });

  const variablesPath = '/repos/{owner}/{repo}/environments/{environment_name}/variables';

  fake.route('GET', variablesPath, (req, state) => {
    const env = envOf(req, state);
    // GitHub caps variable pages at 30.
    const { items, headers } = state.page(env.variables, req.query, listUrl(req, `/repos/${req.params.owner}/${req.params.repo}/environments/${encodeURIComponent(env.name)}/variables`), Math.min(30, state.maxPerPage));
    return { status: 200, headers, body: { total_count: env.variables.length, variables: items } };
  });

  fake.route('POST', variablesPath, (req, state) => {
    const env = envOf(req, state);
    const name = String(req.body.name).toUpperCase();
    if (!VARIABLE.test(name) || name.startsWith('GITHUB_')) {
      throw new Unprocessable(`Invalid variable name ${req.body.name}`);
    }
    if (env.variables.some(v => v.name === name)) {
      throw new Unprocessable('Already exists - Variable already exists', [], 409);
    }
    const now = new Date().toISOString();
    env.variables.push({ name, value: req.body.value, created_at: now, updated_at: now });
    return { status: 201, body: {} };
  });

  fake.route('PATCH', `${variablesPath}/{name}`, (req, state) => {
    const env = envOf(req, state);
    const variable = env.variables.find(v => v.name === req.params.name.toUpperCase());
    if (!variable) throw new NotFound('Not Found');
    if (req.body.name !== undefined) variable.name = String(req.body.name).toUpperCase();
    if (req.body.value !== undefined) variable.value = req.body.value;
    variable.updated_at = new Date().toISOString();
    return { status: 204 };
  });

  fake.route('GET', '/users/{username}', (req, state) => {
    const user = state.user(req.params.username);
    if (!user) throw new NotFound('Not Found');
    return { status: 200, body: publicUserJson(req.base, user) };
  });

  fake.route('GET', '/orgs/{org}/teams/{team_slug}', (req, state) => {
    const team = state.team(req.params.org, req.params.team_slug);
    if (!team) throw new NotFound('Not Found');
    return { status: 200, body: fullTeamJson(req.base, state, team) };
  });
}
