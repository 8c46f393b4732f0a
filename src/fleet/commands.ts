import { FleetStatus, readFleet, upgradeFleet } from './fleet';
import { formatStatus, formatUpgrade, statusJson, upgradeJson } from './format';
import { publishedVersions } from './registry';
import type { Command, CommandGroup, CommandIo } from '../cli';
import type { GitHubClient } from '../settings/client';
import { clientFromEnv, failAsJson } from '../settings/commands';
import { CONSUMER_TOPIC } from '../topology/naming';
import { packageIdentity } from '../version';

/**
 * Repositories worked on at once. Octokit's throttling plugin lets at most 10 reads
 * run concurrently (and spaces writes by a second), so more buys nothing on GitHub.com.
 */
export const DEFAULT_CONCURRENCY = 8;

const FLAGS = {
  org: { type: 'string' },
  json: { type: 'boolean' },
  concurrency: { type: 'string' },
  registry: { type: 'string' },
} as const;

const TOKEN_NEEDS = 'can read the organization\'s repositories (contents, pull requests, actions) and, for upgrade, run their workflows (actions: write)';

interface FleetRun {
  readonly client: GitHubClient;
  readonly status: FleetStatus;
  readonly concurrency: number;
}

function concurrencyOf(flag: string | boolean | undefined): number {
  if (flag === undefined) {
    return DEFAULT_CONCURRENCY;
  }
  const value = Number(flag);
  if (!Number.isInteger(value) || value < 1 || value > 100) {
    throw new Error(`--concurrency ${JSON.stringify(flag)}: must be a whole number from 1 to 100`);
  }
  return value;
}

async function readStatus(io: CommandIo, flags: { [name: string]: string | boolean | undefined }): Promise<FleetRun> {
  const org = flags.org;
  if (typeof org !== 'string' || org === '') {
    throw new Error('--org <org> is required: the GitHub organization whose repositories to read');
  }
  const concurrency = concurrencyOf(flags.concurrency);
  const client = await clientFromEnv(io, TOKEN_NEEDS);
  const packageName = packageIdentity().name;
  const status = await readFleet(client, {
    org,
    packageName,
    concurrency,
    published: () => publishedVersions(packageName, { cwd: io.cwd, env: io.env, registry: flags.registry as string | undefined }),
    log: io.err,
  });
  return { client, status, concurrency };
}

const status: Command = {
  summary: `each repository with the topic ${CONSUMER_TOPIC}: its version, the latest, how far behind, its last upgrade PR or run (exit 0 all up to date, 2 some behind, 1 error)`,
  usage: '--org <org> [--json] [--concurrency N] [--registry <url>]',
  options: FLAGS,
  run: (io, flags) => failAsJson(io, flags.json === true, async () => {
    const { status: fleet } = await readStatus(io, flags);
    io.out(flags.json ? JSON.stringify(statusJson(fleet), null, 2) : formatStatus(fleet));
    const states = new Set(fleet.entries.map(e => e.state));
    return states.has('error') ? 1 : states.has('behind') || states.has('out-of-range') ? 2 : 0;
  }),
};

const upgrade: Command = {
  summary: 'dispatch the upgrade workflow of each repository that is behind, unless its upgrade PR is open or a run is under way (exit 0, or 1 when any failed)',
  usage: '--org <org> [--dry-run] [--concurrency N] [--json] [--registry <url>]',
  options: { ...FLAGS, 'dry-run': { type: 'boolean' } },
  run: (io, flags) => failAsJson(io, flags.json === true, async () => {
    const dryRun = flags['dry-run'] === true;
    const { client, status: fleet, concurrency } = await readStatus(io, flags);
    const outcomes = await upgradeFleet(client, fleet, { dryRun, concurrency, log: io.err });
    io.out(flags.json ? JSON.stringify(upgradeJson(fleet, outcomes, dryRun), null, 2) : formatUpgrade(outcomes, dryRun));
    return outcomes.some(o => o.result === 'failed') ? 1 : 0;
  }),
};

export const fleetCommands: CommandGroup = {
  summary: `org-wide upgrades: read and drive every repository with the topic ${CONSUMER_TOPIC} through its own upgrade workflow`,
  commands: { status, upgrade },
};
