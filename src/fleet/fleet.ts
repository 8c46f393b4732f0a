import { ConsumerRepo, dispatchUpgrade, listConsumers, readRepo, RepoReading, UPGRADE_WORKFLOW_FILE } from './github';
import { mapPool, progress } from './pool';
import { Published } from './registry';
import { Lag, lagBehind, parseRange, parseVersion } from './versions';
import { describeError } from '../settings/apply';
import type { GitHubClient } from '../settings/client';
import { fullName } from '../topology/naming';

/**
 * - `up-to-date`: pinned at (or past) the latest release
 * - `behind`: the repository's upgrade workflow can move it to a newer release
 * - `out-of-range`: newer releases exist, but none inside its range (a new major under `^`)
 * - `unknown`: no version of the package found in the repository
 * - `error`: the repository could not be read
 */
export type RepoState = 'up-to-date' | 'behind' | 'out-of-range' | 'unknown' | 'error';

export interface FleetEntry {
  readonly repo: ConsumerRepo;
  readonly state: RepoState;
  readonly reading?: RepoReading;
  /** The version the range pins (its floor). */
  readonly version?: string;
  readonly lag?: Lag;
  /** Why the state is `unknown` or `error`. */
  readonly problem?: string;
}

export interface FleetStatus {
  readonly org: string;
  readonly packageName: string;
  readonly published: Published;
  /** Sorted by repository name. */
  readonly entries: FleetEntry[];
  readonly archived: string[];
}

export interface FleetOptions {
  readonly org: string;
  readonly packageName: string;
  readonly concurrency: number;
  /** Asked while the repositories are listed. */
  readonly published: () => Promise<Published>;
  readonly log: (message: string) => void;
}

/** Pure: one repository's reading against what is published. */
export function classify(repo: ConsumerRepo, reading: RepoReading, packageName: string, published: Published): FleetEntry {
  if (!reading.spec) {
    return { repo, reading, state: 'unknown', problem: `neither package.json nor .projen/deps.json names ${packageName}` };
  }
  const range = parseRange(reading.spec.range);
  if (!range) {
    return { repo, reading, state: 'unknown', problem: `${reading.spec.file} pins ${packageName} to "${reading.spec.range}", which names no version` };
  }
  const latest = parseVersion(published.latest)!;
  const lag = lagBehind(range, published.versions, latest);
  const version = range.floor.text;
  const state: RepoState = lag.kind === 'none' || lag.kind === 'ahead' ? 'up-to-date' : lag.reachable !== version ? 'behind' : 'out-of-range';
  return { repo, reading, state, version, lag };
}

export async function readFleet(client: GitHubClient, options: FleetOptions): Promise<FleetStatus> {
  const { org, packageName, log } = options;
  const [consumers, published] = await Promise.all([listConsumers(client, org), options.published()]);
  if (!parseVersion(published.latest)) {
    throw new Error(`the latest version of ${packageName} is "${published.latest}", which is not a semantic version`);
  }
  const { repos, archived } = consumers;
  log(`${repos.length} repositor${repos.length === 1 ? 'y' : 'ies'} in ${org} carry the topic stage-project${archived.length > 0 ? ` (${archived.length} archived, left out)` : ''}; latest ${packageName} is ${published.latest}`);
  const entries = await mapPool(repos, options.concurrency, async repo => {
    try {
      return classify(repo, await readRepo(client, repo, packageName), packageName, published);
    } catch (error) {
      return { repo, state: 'error' as const, problem: describeError(error) };
    }
  }, progress(repos.length, 'read', log));
  return { org, packageName, published, entries, archived };
}

/** An upgrade run that has not finished; GitHub's statuses before `completed`. */
export function runActive(entry: FleetEntry): boolean {
  const run = entry.reading?.run;
  return run !== undefined && run.status !== 'completed';
}

export type Decision =
  | { readonly action: 'dispatch' }
  | { readonly action: 'skip'; readonly reason: string }
  | { readonly action: 'fail'; readonly reason: string };

/**
 * Pure. Dispatches only what the upgrade workflow can move and nothing is already
 * moving: an open upgrade pull request or a run not yet finished means the upgrade is
 * under way, so a re-run dispatches nothing twice.
 */
export function decide(entry: FleetEntry, latest: string): Decision {
  const { reading, lag } = entry;
  switch (entry.state) {
    case 'error':
      return { action: 'fail', reason: entry.problem! };
    case 'unknown':
      return { action: 'skip', reason: entry.problem! };
    case 'up-to-date':
      return { action: 'skip', reason: lag?.kind === 'ahead' ? `ahead of latest (${entry.version})` : 'up to date' };
    case 'out-of-range':
      return { action: 'skip', reason: `no release after ${entry.version} is inside its range "${reading!.spec!.range}" (latest ${latest}): raise the range in .projenrc.ts` };
    case 'behind':
      break;
  }
  if (!reading!.hasUpgradeWorkflow) {
    return { action: 'fail', reason: `no .github/workflows/${UPGRADE_WORKFLOW_FILE} to dispatch (is projen's dependency upgrade turned off?)` };
  }
  if (reading!.pr?.state === 'open') {
    return { action: 'skip', reason: `upgrade pull request #${reading!.pr.number} is open` };
  }
  if (runActive(entry)) {
    return { action: 'skip', reason: `upgrade run ${reading!.run!.status}` };
  }
  return { action: 'dispatch' };
}

export interface UpgradeOutcome {
  readonly entry: FleetEntry;
  readonly result: 'dispatched' | 'would-dispatch' | 'skipped' | 'failed';
  /** For skipped and failed. */
  readonly reason?: string;
  readonly runUrl?: string;
}

export async function upgradeFleet(
  client: GitHubClient,
  status: FleetStatus,
  options: { readonly dryRun: boolean; readonly concurrency: number; readonly log: (message: string) => void },
): Promise<UpgradeOutcome[]> {
  const decisions = status.entries.map(entry => ({ entry, decision: decide(entry, status.published.latest) }));
  const toDispatch = decisions.filter(d => d.decision.action === 'dispatch');
  options.log(`${toDispatch.length} repositor${toDispatch.length === 1 ? 'y' : 'ies'} to ${options.dryRun ? 'dispatch (dry run: nothing is sent)' : 'dispatch'}`);
  const report = progress(toDispatch.length, 'dispatches sent', options.log);
  let sent = 0;
  return mapPool(decisions, options.concurrency, async ({ entry, decision }): Promise<UpgradeOutcome> => {
    if (decision.action !== 'dispatch') {
      return { entry, result: decision.action === 'skip' ? 'skipped' : 'failed', reason: decision.reason };
    }
    if (options.dryRun) {
      return { entry, result: 'would-dispatch' };
    }
    try {
      const { runUrl } = await dispatchUpgrade(client, entry.repo);
      return { entry, result: 'dispatched', runUrl };
    } catch (error) {
      return { entry, result: 'failed', reason: `dispatch of ${fullName(entry.repo)}'s ${UPGRADE_WORKFLOW_FILE} failed: ${describeError(error)}` };
    } finally {
      report(++sent);
    }
  });
}
