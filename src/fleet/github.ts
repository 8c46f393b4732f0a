import type { GitHubClient } from '../settings/client';
import { status } from '../settings/live';
import { CONSUMER_TOPIC, FILES, fullName, RepositoryRef } from '../topology/naming';

/**
 * Names projen gives the dependency upgrade in a consuming repository (its
 * `UpgradeDependencies` for the default branch): the workflow file, which has a
 * `workflow_dispatch` trigger, and the branch its pull request comes from. They are
 * projen's names, not stage-project's, so test/fleet checks them against a synthesized
 * StageProject rather than the naming module deriving them.
 */
export const UPGRADE_WORKFLOW_FILE = 'upgrade.yml';
export const UPGRADE_BRANCH = 'github-actions/upgrade';

export interface ConsumerRepo extends RepositoryRef {
  readonly defaultBranch: string;
}

export interface Consumers {
  readonly repos: ConsumerRepo[];
  /** Archived consumers: read-only on GitHub, so neither read nor dispatched. */
  readonly archived: string[];
}

/**
 * The organization's repositories that carry the consumer topic. Listing the
 * organization (`GET /orgs/{org}/repos`, topics included, 100 a page) rather than
 * searching `topic:stage-project org:<org>`: search has its own limit of 30 requests a
 * minute, stops at 1000 results, and its index lags, so a repository tagged a minute
 * ago by `github apply` would be missed. The listing costs one request per 100
 * repositories of the primary limit and is exact.
 */
export async function listConsumers(client: GitHubClient, org: string): Promise<Consumers> {
  let all;
  try {
    all = await client.paginate(client.rest.repos.listForOrg, { org, type: 'all', per_page: 100 });
  } catch (error) {
    if (status(error) === 404) {
      throw new Error(`no organization "${org}" visible to this token (GET /orgs/${org}/repos returned 404; check the name, and that the token is authorized for the organization)`);
    }
    throw error;
  }
  const tagged = all.filter(r => (r.topics ?? []).includes(CONSUMER_TOPIC));
  return {
    repos: tagged
      .filter(r => !r.archived && !r.disabled)
      .map(r => ({ owner: r.owner.login, repository: r.name, defaultBranch: r.default_branch ?? 'main' }))
      .sort((a, b) => fullName(a).localeCompare(fullName(b))),
    archived: tagged.filter(r => r.archived || r.disabled).map(r => r.full_name).sort(),
  };
}

export interface UpgradePr {
  readonly number: number;
  readonly state: 'open' | 'merged' | 'closed';
  readonly url: string;
  readonly createdAt: string;
}

export interface UpgradeRun {
  readonly id: number;
  /** `queued`, `in_progress`, ... `completed`. */
  readonly status: string;
  /** Set once completed: `success`, `failure`, `cancelled`, ... */
  readonly conclusion: string | null;
  readonly url: string;
  readonly createdAt: string;
}

/** What the fleet reads of one repository, all from its default branch. */
export interface RepoReading {
  /** The package's version range and the file it came from; undefined when neither file names the package. */
  readonly spec?: { readonly range: string; readonly file: string };
  /** The package version that wrote `.github/stage-contract.json`. */
  readonly contractVersion?: string;
  /** False when the repository has no upgrade workflow to dispatch. */
  readonly hasUpgradeWorkflow: boolean;
  /** The newest pull request from the upgrade branch. */
  readonly pr?: UpgradePr;
  /** The newest run of the upgrade workflow. */
  readonly run?: UpgradeRun;
}

async function readText(client: GitHubClient, repo: ConsumerRepo, path: string): Promise<string | undefined> {
  try {
    const { data } = await client.rest.repos.getContent({ owner: repo.owner, repo: repo.repository, path });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
      return undefined;
    }
    return Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf-8').toString('utf-8');
  } catch (error) {
    if (status(error) === 404) {
      return undefined;
    }
    throw error;
  }
}

function parseJson(text: string | undefined, where: string): any {
  if (text === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not valid JSON (${(error as Error).message})`);
  }
}

/** The range of `packageName` in package.json, else in projen's `.projen/deps.json`. */
async function readSpec(client: GitHubClient, repo: ConsumerRepo, packageName: string): Promise<RepoReading['spec']> {
  const pkg = parseJson(await readText(client, repo, 'package.json'), `${fullName(repo)}: package.json`);
  for (const field of ['devDependencies', 'dependencies', 'peerDependencies']) {
    const range = pkg?.[field]?.[packageName];
    if (typeof range === 'string') {
      return { range, file: 'package.json' };
    }
  }
  const deps = parseJson(await readText(client, repo, '.projen/deps.json'), `${fullName(repo)}: .projen/deps.json`);
  const dep = Array.isArray(deps?.dependencies) ? deps.dependencies.find((d: any) => d?.name === packageName && typeof d.version === 'string') : undefined;
  return dep ? { range: dep.version, file: '.projen/deps.json' } : undefined;
}

async function readUpgradePr(client: GitHubClient, repo: ConsumerRepo): Promise<UpgradePr | undefined> {
  // Only one pull request per head branch can be open, so the newest one tells whether one is.
  const { data } = await client.rest.pulls.list({
    owner: repo.owner,
    repo: repo.repository,
    head: `${repo.owner}:${UPGRADE_BRANCH}`,
    state: 'all',
    sort: 'created',
    direction: 'desc',
    per_page: 1,
  });
  const pr = data[0];
  if (!pr) {
    return undefined;
  }
  return { number: pr.number, state: pr.state === 'open' ? 'open' : pr.merged_at ? 'merged' : 'closed', url: pr.html_url, createdAt: pr.created_at };
}

async function readUpgradeRun(client: GitHubClient, repo: ConsumerRepo): Promise<{ exists: boolean; run?: UpgradeRun }> {
  try {
    const { data } = await client.rest.actions.listWorkflowRuns({
      owner: repo.owner, repo: repo.repository, workflow_id: UPGRADE_WORKFLOW_FILE, per_page: 1,
    });
    const run = data.workflow_runs[0];
    return {
      exists: true,
      run: run && { id: run.id, status: run.status ?? 'unknown', conclusion: run.conclusion, url: run.html_url, createdAt: run.created_at },
    };
  } catch (error) {
    if (status(error) === 404) {
      return { exists: false };
    }
    throw error;
  }
}

/** Four reads, in parallel (a fifth for `.projen/deps.json` when package.json does not name the package). */
export async function readRepo(client: GitHubClient, repo: ConsumerRepo, packageName: string): Promise<RepoReading> {
  const [spec, contract, pr, runs] = await Promise.all([
    readSpec(client, repo, packageName),
    readText(client, repo, FILES.contract).then(text => parseJson(text, `${fullName(repo)}: ${FILES.contract}`)),
    readUpgradePr(client, repo),
    readUpgradeRun(client, repo),
  ]);
  return {
    spec,
    contractVersion: typeof contract?.version === 'string' ? contract.version : undefined,
    hasUpgradeWorkflow: runs.exists,
    pr,
    run: runs.run,
  };
}

/**
 * Starts the repository's upgrade workflow on its default branch. With
 * `return_run_details` the answer names the run the dispatch created: the run exists
 * when the fleet moves on, so a re-run finds it unfinished and does not dispatch again.
 */
export async function dispatchUpgrade(client: GitHubClient, repo: ConsumerRepo): Promise<{ runUrl?: string }> {
  const response = await client.rest.actions.createWorkflowDispatch({
    owner: repo.owner,
    repo: repo.repository,
    workflow_id: UPGRADE_WORKFLOW_FILE,
    ref: repo.defaultBranch,
    return_run_details: true,
  });
  // Typed as the 204 of servers that predate `return_run_details` (GitHub Enterprise Server
  // among them), which answer with no body; GitHub.com answers 200 with the run.
  const data = response.data as { html_url?: string } | undefined;
  return { runUrl: data?.html_url };
}
