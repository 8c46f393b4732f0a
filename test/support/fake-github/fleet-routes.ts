import { createHash } from 'crypto';
import { parse } from 'yaml';
import { accountJson } from './routes';
import type { FakeGitHub, RouteRequest } from './server';
import { FakePull, FakeRepo, FakeRun, FakeState, NotFound, Unprocessable } from './state';

/**
 * The endpoints `stage-project fleet status|upgrade` call: the organization's
 * repositories with their topics, file contents of the default branch, pull requests,
 * workflow runs and `workflow_dispatch`. Where the tool depends on GitHub's behaviour
 * the fake answers as GitHub does: archived repositories are listed (with
 * `archived: true`), unknown organizations and workflows are 404, a dispatch needs a
 * `workflow_dispatch` trigger and an existing ref, and with `return_run_details` the
 * answer names the run the dispatch created.
 */

const WORKFLOWS_DIR = '.github/workflows/';
const ACTIONS_BOT = { login: 'github-actions[bot]', id: 41898282 };

/** The `repository` shape; a superset of `minimal-repository`, so one builder serves listings, runs and pulls. */
function repoJson(base: string, state: FakeState, repo: FakeRepo) {
  const url = `${base}/repos/${repo.owner}/${repo.name}`;
  const html = `${base}/${repo.owner}/${repo.name}`;
  const ownerType = state.org(repo.owner) ? 'Organization' : 'User';
  return {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    owner: accountJson(base, { login: repo.owner, id: repo.ownerId }, ownerType),
    private: false,
    html_url: html,
    description: null,
    fork: false,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_url: `git:${html.replace(/^https?:/, '')}.git`,
    hooks_url: `${url}/hooks`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    ssh_url: `git@127.0.0.1:${repo.owner}/${repo.name}.git`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    svn_url: html,
    homepage: null,
    language: 'TypeScript',
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 100,
    default_branch: repo.default_branch,
    open_issues: repo.pulls.filter(p => p.state === 'open').length,
    open_issues_count: repo.pulls.filter(p => p.state === 'open').length,
    is_template: false,
    topics: repo.topics,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    archived: repo.archived,
    disabled: false,
    visibility: 'public',
    license: null,
    pushed_at: '2026-01-01T00:00:00Z',
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  };
}

/** Git's blob id of a file, as GitHub reports it in `sha`. */
function blobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf-8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function contentJson(base: string, repo: FakeRepo, path: string, type: 'file' | 'dir', content?: string) {
  const url = `${base}/repos/${repo.owner}/${repo.name}/contents/${path}?ref=${repo.default_branch}`;
  const sha = blobSha(content ?? path);
  const html = `${base}/${repo.owner}/${repo.name}/${type === 'file' ? 'blob' : 'tree'}/${repo.default_branch}/${path}`;
  const git = `${base}/repos/${repo.owner}/${repo.name}/git/${type === 'file' ? 'blobs' : 'trees'}/${sha}`;
  return {
    type,
    name: path.split('/').pop()!,
    path,
    sha,
    size: content === undefined ? 0 : Buffer.byteLength(content),
    url,
    html_url: html,
    git_url: git,
    download_url: type === 'file' ? `${base}/raw/${repo.owner}/${repo.name}/${repo.default_branch}/${path}` : null,
    _links: { self: url, git, html },
  };
}

/** GitHub wraps the base64 of a file at 60 characters. */
function base64Lines(content: string): string {
  return (Buffer.from(content, 'utf-8').toString('base64').match(/.{1,60}/g) ?? []).join('\n') + '\n';
}

/** Workflows are the files under `.github/workflows/`; their ids are stable per repository. */
function workflowFiles(repo: FakeRepo): string[] {
  return [...repo.files.keys()].filter(p => p.startsWith(WORKFLOWS_DIR) && /\.ya?ml$/.test(p)).map(p => p.slice(WORKFLOWS_DIR.length)).sort();
}

function workflowId(repo: FakeRepo, file: string): number {
  return repo.id * 100 + workflowFiles(repo).indexOf(file) + 1;
}

/** `workflow_id` is the file name or the numeric id. */
function workflowOf(repo: FakeRepo, param: string): string {
  const file = workflowFiles(repo).find(f => f === param || String(workflowId(repo, f)) === param);
  if (!file) {
    throw new NotFound('Not Found');
  }
  return file;
}

function fakeSha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

function runJson(base: string, state: FakeState, repo: FakeRepo, run: FakeRun) {
  const url = `${base}/repos/${repo.owner}/${repo.name}/actions/runs/${run.id}`;
  const headSha = fakeSha(`${repo.id}:${run.head_branch}`);
  const repository = repoJson(base, state, repo);
  return {
    id: run.id,
    node_id: `WFR_${run.id}`,
    name: run.workflow.replace(/\.ya?ml$/, ''),
    head_branch: run.head_branch,
    head_sha: headSha,
    path: `${WORKFLOWS_DIR}${run.workflow}`,
    display_title: run.workflow.replace(/\.ya?ml$/, ''),
    run_number: run.run_number,
    run_attempt: 1,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: workflowId(repo, run.workflow),
    url,
    html_url: `${base}/${repo.owner}/${repo.name}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: run.created_at,
    updated_at: run.updated_at,
    run_started_at: run.created_at,
    jobs_url: `${url}/jobs`,
    logs_url: `${url}/logs`,
    check_suite_url: `${base}/repos/${repo.owner}/${repo.name}/check-suites/${run.id}`,
    artifacts_url: `${url}/artifacts`,
    cancel_url: `${url}/cancel`,
    rerun_url: `${url}/rerun`,
    workflow_url: `${base}/repos/${repo.owner}/${repo.name}/actions/workflows/${workflowId(repo, run.workflow)}`,
    head_commit: {
      id: headSha,
      tree_id: fakeSha(`tree:${headSha}`),
      message: 'chore: a commit',
      timestamp: run.created_at,
      author: { name: 'octocat', email: 'octocat@users.noreply.github.com' },
      committer: { name: 'GitHub', email: 'noreply@github.com' },
    },
    repository,
    head_repository: repository,
  };
}

function pullJson(base: string, state: FakeState, repo: FakeRepo, pull: FakePull) {
  const url = `${base}/repos/${repo.owner}/${repo.name}/pulls/${pull.number}`;
  const html = `${base}/${repo.owner}/${repo.name}/pull/${pull.number}`;
  const issue = `${base}/repos/${repo.owner}/${repo.name}/issues/${pull.number}`;
  const owner = accountJson(base, { login: repo.owner, id: repo.ownerId }, state.org(repo.owner) ? 'Organization' : 'User');
  const repository = repoJson(base, state, repo);
  const side = (ref: string) => ({ label: `${repo.owner}:${ref}`, ref, sha: fakeSha(`${repo.id}:${ref}`), user: owner, repo: repository });
  const statuses = `${base}/repos/${repo.owner}/${repo.name}/statuses/${fakeSha(`${repo.id}:${pull.head}`)}`;
  return {
    url,
    id: pull.id,
    node_id: `PR_${pull.id}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${base}/repos/${repo.owner}/${repo.name}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: statuses,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: accountJson(base, ACTIONS_BOT, 'Bot'),
    body: null,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pull.created_at,
    updated_at: pull.updated_at,
    closed_at: pull.state === 'closed' ? pull.updated_at : null,
    merged_at: pull.merged_at,
    merge_commit_sha: pull.merged_at ? fakeSha(`merge:${pull.id}`) : null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pull.head),
    base: side(pull.base),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${base}/repos/${repo.owner}/${repo.name}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: statuses },
    },
    author_association: 'CONTRIBUTOR',
    auto_merge: null,
    draft: false,
  };
}

/** GitHub's default is `desc` for the default sort, `asc` otherwise. */
function direction(req: RouteRequest, defaultSort: string): 1 | -1 {
  const dir = req.query.get('direction') ?? ((req.query.get('sort') ?? defaultSort) === defaultSort ? 'desc' : 'asc');
  return dir === 'asc' ? 1 : -1;
}

function checkRef(repo: FakeRepo, ref: string | null): void {
  if (ref !== null && ref !== repo.default_branch && ref !== `refs/heads/${repo.default_branch}`) {
    throw new NotFound(`No commit found for the ref ${ref}`);
  }
}

/** The events of a workflow's `on:`, in any of its three forms. */
function triggers(workflow: string): string[] {
  const on = (parse(workflow) as { on?: unknown } | null)?.on;
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  return on && typeof on === 'object' ? Object.keys(on) : [];
}

export function registerFleetRoutes(fake: FakeGitHub): void {
  const repoOf = (req: RouteRequest, state: FakeState) => state.repo(req.params.owner, req.params.repo);

  fake.route('GET', '/orgs/{org}/repos', (req, state) => {
    const org = state.org(req.params.org);
    if (!org) throw new NotFound('Not Found');
    const type = req.query.get('type') ?? 'all';
    if (!['all', 'public', 'private', 'forks', 'sources', 'member'].includes(type)) {
      throw new Unprocessable(`Validation Failed: type "${type}" is not one of all, public, private, forks, sources, member`);
    }
    const sort = req.query.get('sort') ?? 'created';
    // Forks are not modelled and every repository is public: all types but `private` and `forks` list them all.
    const repos = state.repos.filter(r => r.owner.toLowerCase() === org.login.toLowerCase() && type !== 'private' && type !== 'forks');
    const key = (r: FakeRepo) => (sort === 'full_name' ? r.name.toLowerCase() : String(r.id).padStart(12, '0'));
    const sign = req.query.get('direction') === 'asc' || (!req.query.get('direction') && sort === 'full_name') ? 1 : -1;
    const sorted = [...repos].sort((a, b) => sign * key(a).localeCompare(key(b)));
    const { items, headers } = state.page(sorted, req.query, `${req.base}/orgs/${org.login}/repos`);
    return { status: 200, headers, body: items.map(r => repoJson(req.base, state, r)) };
  });

  fake.route('GET', '/repos/{owner}/{repo}/contents/{path}', (req, state) => {
    const repo = repoOf(req, state);
    checkRef(repo, req.query.get('ref'));
    const path = req.params.path.replace(/^\/+|\/+$/g, '');
    const content = repo.files.get(path);
    if (content !== undefined) {
      return { status: 200, body: { ...contentJson(req.base, repo, path, 'file', content), content: base64Lines(content), encoding: 'base64' } };
    }
    const prefix = `${path}/`;
    const children = new Map<string, 'file' | 'dir'>();
    for (const file of repo.files.keys()) {
      if (file.startsWith(prefix)) {
        const [name, ...rest] = file.slice(prefix.length).split('/');
        children.set(`${prefix}${name}`, rest.length > 0 ? 'dir' : 'file');
      }
    }
    if (children.size === 0) throw new NotFound('Not Found');
    return {
      status: 200,
      body: [...children].sort().map(([p, type]) => contentJson(req.base, repo, p, type, type === 'file' ? repo.files.get(p) : undefined)),
    };
  });

  fake.route('GET', '/repos/{owner}/{repo}/pulls', (req, state) => {
    const repo = repoOf(req, state);
    const wanted = req.query.get('state') ?? 'open';
    if (!['open', 'closed', 'all'].includes(wanted)) {
      throw new Unprocessable(`Validation Failed: state "${wanted}" is not one of open, closed, all`);
    }
    const head = req.query.get('head');
    const base = req.query.get('base');
    const [headOwner, headRef] = head?.includes(':') ? head.split(':', 2) : [head ?? undefined, undefined];
    const sort = req.query.get('sort') ?? 'created';
    const sign = direction(req, 'created');
    const key = (p: FakePull) => (sort === 'updated' ? p.updated_at : p.created_at);
    const pulls = repo.pulls
      .filter(p => wanted === 'all' || p.state === wanted)
      // Forks are not modelled: every head belongs to the repository's owner.
      .filter(p => !headOwner || (headOwner.toLowerCase() === repo.owner.toLowerCase() && (!headRef || p.head === headRef)))
      .filter(p => !base || p.base === base)
      .sort((a, b) => sign * (key(a).localeCompare(key(b)) || a.number - b.number));
    const { items, headers } = state.page(pulls, req.query, `${req.base}/repos/${repo.owner}/${repo.name}/pulls`);
    return { status: 200, headers, body: items.map(p => pullJson(req.base, state, repo, p)) };
  });

  fake.route('GET', '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', (req, state) => {
    const repo = repoOf(req, state);
    const workflow = workflowOf(repo, req.params.workflow_id);
    const status = req.query.get('status');
    const branch = req.query.get('branch');
    const event = req.query.get('event');
    const runs = repo.runs
      .filter(r => r.workflow === workflow)
      .filter(r => !status || r.status === status || r.conclusion === status)
      .filter(r => !branch || r.head_branch === branch)
      .filter(r => !event || r.event === event)
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
    const { items, headers } = state.page(runs, req.query, `${req.base}/repos/${repo.owner}/${repo.name}/actions/workflows/${req.params.workflow_id}/runs`);
    return { status: 200, headers, body: { total_count: runs.length, workflow_runs: items.map(r => runJson(req.base, state, repo, r)) } };
  });

  fake.route('POST', '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', (req, state) => {
    const repo = repoOf(req, state);
    if (repo.archived) {
      throw new Unprocessable('Repository was archived so is read-only.', [], 403);
    }
    const workflow = workflowOf(repo, req.params.workflow_id);
    if (!triggers(repo.files.get(`${WORKFLOWS_DIR}${workflow}`)!).includes('workflow_dispatch')) {
      throw new Unprocessable('Workflow does not have \'workflow_dispatch\' trigger');
    }
    const ref = String(req.body.ref).replace(/^refs\/heads\//, '');
    if (ref !== repo.default_branch) {
      throw new Unprocessable(`No ref found for: ${req.body.ref}`);
    }
    const run = state.startRun(repo, workflow, 'workflow_dispatch', ref);
    if (req.body.return_run_details !== true) {
      return { status: 204 };
    }
    return {
      status: 200,
      body: {
        workflow_run_id: run.id,
        run_url: `${req.base}/repos/${repo.owner}/${repo.name}/actions/runs/${run.id}`,
        html_url: `${req.base}/${repo.owner}/${repo.name}/actions/runs/${run.id}`,
      },
    };
  });
}
