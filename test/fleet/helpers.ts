import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'projen';
import { EXAMPLE_TOPOLOGY } from '../../src/example';
import { StageProject } from '../../src/project';
import { FILES } from '../../src/topology/naming';
import { CliResult, runCli } from '../settings/helpers';
import { FakeGitHub, FakeRepo } from '../support/fake-github';
import { FakeRegistry } from '../support/fake-registry';

export const PACKAGE = '@org/stage-project';
export const ORG = 'acme';
/** Published, oldest first; a prerelease of the next major is not `latest`. */
export const PUBLISHED = ['0.9.0', '1.0.0', '1.1.0', '1.2.0', '1.2.1', '1.3.0', '2.0.0-rc.1'];
export const LATEST = '1.3.0';

let synthesized: { workflow: string; upgradeBranch: string } | undefined;

/**
 * The upgrade workflow exactly as a StageProject writes it into a consuming repository,
 * and the branch its pull request comes from: the fake dispatches what projen generates.
 */
export function generatedUpgradeWorkflow(): { workflow: string; upgradeBranch: string } {
  if (!synthesized) {
    const outdir = mkdtempSync(join(tmpdir(), 'fleet-synth-'));
    try {
      const project = new StageProject({
        name: 'widgets',
        defaultReleaseBranch: 'main',
        cdkVersion: '2.257.0',
        outdir,
        githubRepository: { owner: ORG, repository: 'widgets' },
        topology: EXAMPLE_TOPOLOGY,
      });
      const out = Testing.synth(project);
      const workflow: string = out['.github/workflows/upgrade.yml'];
      const branch = /^\s+branch: (\S+)$/m.exec(workflow)?.[1];
      if (!workflow || !branch) {
        throw new Error('the synthesized StageProject has no .github/workflows/upgrade.yml with a pull-request branch');
      }
      synthesized = { workflow, upgradeBranch: branch };
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }
  return synthesized;
}

/** What a seeded repository is, and what the fleet must say about it (written out by hand, not computed). */
export interface Seeded {
  readonly name: string;
  /** The range in package.json or .projen/deps.json; undefined: the package is not a dependency. */
  readonly range?: string;
  readonly rangeFile?: 'package.json' | '.projen/deps.json';
  readonly state: 'up-to-date' | 'behind' | 'out-of-range' | 'unknown';
  /** The table's "behind" column. */
  readonly behind: string;
  /** Upgrade under way when seeded. */
  readonly activity?: 'open-pr' | 'running';
}

/**
 * The 200 repositories, by index. Up to date: ^1.3.0. Behind, and movable by their
 * upgrade workflow: ^1.2.1 (1 release), ^1.2.0 (2), ^1.0.0 (4), ~1.2.0 (reaches only
 * 1.2.1), a range in .projen/deps.json only, and two with an upgrade already under way.
 * Out of range: ^0.9.0 (1.x is a new major). Unknown: no dependency on the package.
 */
export function fleetPlan(count = 200): Seeded[] {
  return Array.from({ length: count }, (_, i): Seeded => {
    const name = `app-${String(i + 1).padStart(3, '0')}`;
    switch (i % 10) {
      case 0: case 1: case 2:
        return { name, range: '^1.3.0', state: 'up-to-date', behind: '-' };
      case 3: case 4:
        return { name, range: '^1.2.1', state: 'behind', behind: '1 release (minor)' };
      case 5:
        return { name, range: '^1.2.0', state: 'behind', behind: '2 releases (minor)' };
      case 6:
        return { name, range: '^1.0.0', state: 'behind', behind: '4 releases (minor)' };
      case 7:
        return { name, range: '~1.2.0', state: 'behind', behind: '2 releases (minor)' };
      case 8:
        return { name, range: '^0.9.0', state: 'out-of-range', behind: '5 releases (major), outside ^0.9.0' };
      default:
        switch (Math.floor(i / 10) % 4) {
          case 0: return { name, range: '^1.1.0', rangeFile: '.projen/deps.json', state: 'behind', behind: '3 releases (minor)' };
          case 1: return { name, state: 'unknown', behind: '?' };
          case 2: return { name, range: '^1.1.0', state: 'behind', behind: '3 releases (minor)', activity: 'open-pr' };
          default: return { name, range: '^1.1.0', state: 'behind', behind: '3 releases (minor)', activity: 'running' };
        }
    }
  });
}

/** Repositories `fleet upgrade` must dispatch: behind, movable, nothing under way. */
export function expectedDispatches(plan: Seeded[]): string[] {
  return plan.filter(s => s.state === 'behind' && !s.activity).map(s => `${ORG}/${s.name}`);
}

function floorOf(range: string): string {
  return range.replace(/^[\^~]/, '');
}

/** One consuming repository as `projen new` and `github apply` leave it. */
export function seedRepo(fake: FakeGitHub, seed: Seeded, options: { workflow?: boolean } = {}): FakeRepo {
  const { workflow, upgradeBranch } = generatedUpgradeWorkflow();
  const repo = fake.state.addRepo(ORG, seed.name);
  repo.topics = ['stage-project', 'typescript'];
  const devDependencies: Record<string, string> = { 'projen': '^0.103.25', 'aws-cdk-lib': '2.257.0' };
  if (seed.range && seed.rangeFile !== '.projen/deps.json') {
    devDependencies[PACKAGE] = seed.range;
  }
  repo.files.set('package.json', `${JSON.stringify({ name: seed.name, devDependencies }, null, 2)}\n`);
  if (seed.range && seed.rangeFile === '.projen/deps.json') {
    repo.files.set('.projen/deps.json', `${JSON.stringify({ dependencies: [{ name: PACKAGE, version: seed.range, type: 'build' }] }, null, 2)}\n`);
  }
  if (seed.range) {
    repo.files.set(FILES.contract, `${JSON.stringify({ generatedBy: `${PACKAGE}@${floorOf(seed.range)}`, packageName: PACKAGE, version: floorOf(seed.range), stackIds: [], environments: [], roles: [] }, null, 2)}\n`);
  }
  if (options.workflow !== false) {
    repo.files.set('.github/workflows/upgrade.yml', workflow);
    repo.files.set('.github/workflows/stages.yml', 'name: stages\non:\n  push: {}\njobs: {}\n');
  }
  if (seed.activity === 'open-pr') {
    const run = fake.state.startRun(repo, 'upgrade.yml', 'schedule', repo.default_branch);
    fake.state.finishRun(run, 'success');
    fake.state.openPull(repo, upgradeBranch, 'chore(deps): upgrade dependencies');
  } else if (seed.activity === 'running') {
    fake.state.startRun(repo, 'upgrade.yml', 'schedule', repo.default_branch).status = 'in_progress';
  }
  return repo;
}

/**
 * The organization: the 200 consumers, 15 repositories without the topic, and an
 * archived consumer, so the listing spans three pages of 100.
 */
export function seedFleet(fake: FakeGitHub, plan: Seeded[] = fleetPlan()): void {
  fake.state.addOrg(ORG);
  for (const seed of plan) {
    seedRepo(fake, seed);
  }
  for (let i = 1; i <= 15; i++) {
    fake.state.addRepo(ORG, `other-${i}`).topics = i % 2 === 0 ? ['payments'] : [];
  }
  const archived = seedRepo(fake, { name: 'retired', range: '^1.0.0', state: 'behind', behind: '4 releases (minor)' });
  archived.archived = true;
}

export interface FleetEnv {
  readonly fake: FakeGitHub;
  readonly registry: FakeRegistry;
  readonly dir: string;
  run(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  stop(): Promise<void>;
}

/** A fake GitHub and registry, and the CLI run as a child process against both. */
export async function startFleet(seed: (fake: FakeGitHub) => void = seedFleet): Promise<FleetEnv> {
  const fake = await FakeGitHub.start();
  const registry = await FakeRegistry.start(PACKAGE, PUBLISHED, LATEST);
  seed(fake);
  const dir = mkdtempSync(join(tmpdir(), 'fleet-cli-'));
  return {
    fake,
    registry,
    dir,
    run: (args, env = {}) => runCli(args, {
      cwd: dir,
      fake,
      env: {
        // npm's cache in a throwaway directory; its user config stays the machine's own.
        npm_config_cache: join(dir, '.npm-cache'),
        npm_config_update_notifier: 'false',
        ...env,
      },
    }),
    stop: async () => {
      await Promise.all([fake.stop(), registry.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `fleet <command> --org acme --registry <fake>` plus `args`. */
export function fleetArgs(env: FleetEnv, command: 'status' | 'upgrade', ...args: string[]): string[] {
  return ['fleet', command, '--org', ORG, '--registry', env.registry.url, ...args];
}
