import { mkdirSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import {
  expectedDispatches, fleetArgs, FleetEnv, fleetPlan, generatedUpgradeWorkflow, LATEST, ORG, PACKAGE, seedFleet, seedRepo, startFleet,
} from './helpers';
import { UPGRADE_BRANCH, UPGRADE_WORKFLOW_FILE } from '../../src/fleet/github';
import { FILES } from '../../src/topology/naming';
import { exampleSettings } from '../settings/helpers';
import { primaryRateLimit, secondaryRateLimit } from '../support/fake-github';

/**
 * `stage-project fleet status|upgrade` as a child process against the loopback GitHub
 * API and a loopback npm registry, over an organization of 200 consuming repositories
 * at mixed versions (see fleetPlan). Every test also checks that the tool sent only
 * schema-valid bodies and that the fake answered with schema-valid responses.
 */

const DISPATCH = 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches';

let env: FleetEnv;

/** A fresh fake GitHub and registry for each test of the describe block. */
function useFleet(seed?: Parameters<typeof startFleet>[0]): void {
  beforeEach(async () => {
    env = await startFleet(seed);
  });
  afterEach(async () => {
    expect(env.fake.invalidRequests).toEqual([]);
    expect(env.fake.invalidResponses).toEqual([]);
    await env.stop();
  });
}

/** Repositories that received an answered dispatch, sorted, with repeats. */
function dispatched(fake: FleetEnv['fake']): string[] {
  return fake.requests
    .filter(r => r.route === DISPATCH && r.status === 200)
    .map(r => r.path.split('/').slice(2, 4).join('/'))
    .sort();
}

test('the upgrade workflow and branch the fleet drives are the ones a StageProject generates', () => {
  const { workflow, upgradeBranch } = generatedUpgradeWorkflow();
  expect(upgradeBranch).toBe(UPGRADE_BRANCH);
  expect(workflow).toMatch(/^on:\n\s+workflow_dispatch: \{\}/m);
  expect(UPGRADE_WORKFLOW_FILE).toBe('upgrade.yml');
});

describe('fleet status over 200 repositories', () => {
  useFleet();

  test('the table lists every consumer with its version, the latest, how far behind and its last upgrade', async () => {
    const result = await env.run(fleetArgs(env, 'status'));
    expect(result.code).toBe(2);
    // Progress only: the 404s of absent files are answers, not errors worth a line.
    expect(result.stderr).not.toMatch(/error|404/i);

    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['repository', 'version', 'contract', 'latest', 'behind', 'last upgrade']);
    const rows = lines.slice(2, 202).map(l => l.split(/\s{2,}/));
    const plan = fleetPlan();
    expect(rows).toEqual(plan.map(s => {
      const floor = s.range?.replace(/^[\^~]/, '');
      const activity = s.activity === 'open-pr' ? 'PR #1 open' : s.activity === 'running' ? 'run in_progress' : '-';
      return s.state === 'unknown'
        ? [`${ORG}/${s.name}`, '-', '-', LATEST, '?', `neither package.json nor .projen/deps.json names ${PACKAGE}`]
        : [`${ORG}/${s.name}`, floor, floor, LATEST, s.behind, activity];
    }));
    // Neither the repositories without the topic nor the archived consumer are in the fleet.
    expect(result.stdout).not.toMatch(/other-|retired/);
    expect(lines.slice(202)).toEqual([
      '',
      `200 repositories in ${ORG}: 60 up to date, 115 behind, 20 behind outside their range, 5 without a version; latest ${PACKAGE} ${LATEST}`,
    ]);

    // Progress for a long run goes to stderr, a tenth at a time.
    expect(result.stderr).toContain(`200 repositories in ${ORG} carry the topic stage-project (1 archived, left out); latest ${PACKAGE} is ${LATEST}`);
    expect(result.stderr.match(/^read \d+\/200$/mg)).toEqual(Array.from({ length: 10 }, (_, i) => `read ${(i + 1) * 20}/200`));

    // Status reads and never writes; the registry is asked once.
    expect(env.fake.writes()).toEqual([]);
    expect(env.registry.requests).toEqual([`/${PACKAGE}`]);
    // The listing spans three pages of 100; four reads per repository, a fifth where
    // package.json does not name the package (deps.json ranges and the unknown ones).
    expect(env.fake.count('GET /orgs/{org}/repos')).toBe(3);
    expect(env.fake.count('GET /repos/{owner}/{repo}/contents/{path}')).toBe(200 * 2 + 10);
    expect(env.fake.count('GET /repos/{owner}/{repo}/pulls')).toBe(200);
    expect(env.fake.count('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs')).toBe(200);
  });

  test('--json on stdout, progress on stderr', async () => {
    const result = await env.run(fleetArgs(env, 'status', '--json', '--concurrency', '3'));
    expect(result.code).toBe(2);
    const out = result.json();
    expect(out).toMatchObject({
      org: ORG,
      package: PACKAGE,
      latest: LATEST,
      summary: { 'up-to-date': 60, 'behind': 115, 'out-of-range': 20, 'unknown': 5, 'error': 0 },
      archived: [`${ORG}/retired`],
    });
    expect(out.repositories).toHaveLength(200);
    const byName = new Map<string, any>(out.repositories.map((r: any) => [r.repository, r]));
    expect(byName.get(`${ORG}/app-010`)).toEqual({
      repository: `${ORG}/app-010`,
      defaultBranch: 'main',
      state: 'behind',
      range: '^1.1.0',
      rangeFile: '.projen/deps.json',
      version: '1.1.0',
      contractVersion: '1.1.0',
      latest: LATEST,
      behind: { releases: 3, kind: 'minor', reachable: LATEST },
      upgrade: { workflow: true, pullRequest: null, run: null, summary: '-' },
      problem: null,
    });
    expect(byName.get(`${ORG}/app-008`)).toMatchObject({ state: 'behind', range: '~1.2.0', behind: { releases: 2, kind: 'minor', reachable: '1.2.1' } });
    expect(byName.get(`${ORG}/app-009`)).toMatchObject({ state: 'out-of-range', behind: { releases: 5, kind: 'major', reachable: '0.9.0' } });
    expect(byName.get(`${ORG}/app-030`).upgrade).toMatchObject({
      pullRequest: { number: 1, state: 'open', url: expect.stringMatching(/\/acme\/app-030\/pull\/1$/) },
      run: { status: 'completed', conclusion: 'success' },
      summary: 'PR #1 open',
    });
    expect(result.stderr).toContain('read 200/200');
  });
});

describe('fleet upgrade over 200 repositories', () => {
  useFleet();

  test('dispatches exactly the repositories that are behind, once each, on their default branch', async () => {
    const plan = fleetPlan();
    const result = await env.run(fleetArgs(env, 'upgrade', '--json'));
    expect(result.code).toBe(0);
    const out = result.json();
    const expected = expectedDispatches(plan);
    expect(expected).toHaveLength(105);
    expect(dispatched(env.fake)).toEqual(expected);
    expect(env.fake.writes().map(w => w.route)).toEqual(expected.map(() => DISPATCH));
    expect(env.fake.writes().map(w => w.body)).toEqual(expected.map(() => ({ ref: 'main', return_run_details: true })));
    expect(out.dispatched.map((d: any) => d.repository)).toEqual(expected);
    expect(out.dispatched[0]).toEqual({
      repository: `${ORG}/app-004`,
      version: '1.2.1',
      to: LATEST,
      runUrl: expect.stringMatching(/\/acme\/app-004\/actions\/runs\/\d+$/),
    });
    expect(out.failed).toEqual([]);
    const reasons = new Map<string, string>(out.skipped.map((s: any) => [s.repository, s.reason]));
    expect(reasons.size).toBe(95);
    expect(reasons.get(`${ORG}/app-001`)).toBe('up to date');
    expect(reasons.get(`${ORG}/app-009`)).toBe(`no release after 0.9.0 is inside its range "^0.9.0" (latest ${LATEST}): raise the range in .projenrc.ts`);
    expect(reasons.get(`${ORG}/app-020`)).toBe(`neither package.json nor .projen/deps.json names ${PACKAGE}`);
    expect(reasons.get(`${ORG}/app-030`)).toBe('upgrade pull request #1 is open');
    expect(reasons.get(`${ORG}/app-040`)).toBe('upgrade run in_progress');

    // Each dispatched repository now has one queued run of its upgrade workflow.
    for (const full of expected) {
      const repo = env.fake.state.repo(ORG, full.split('/')[1]);
      expect(repo.runs.map(r => `${r.workflow} ${r.event} ${r.head_branch} ${r.status}`)).toEqual(['upgrade.yml workflow_dispatch main queued']);
    }
  });

  test('a re-run dispatches nothing twice: not while the runs are under way, nor while their pull requests are open', async () => {
    const { upgradeBranch } = generatedUpgradeWorkflow();
    const expected = expectedDispatches(fleetPlan());
    expect((await env.run(fleetArgs(env, 'upgrade'))).code).toBe(0);
    expect(dispatched(env.fake)).toEqual(expected);

    // Immediately again: every dispatched run is still queued.
    env.fake.resetCounts();
    const again = await env.run(fleetArgs(env, 'upgrade'));
    expect(again.code).toBe(0);
    expect(env.fake.writes()).toEqual([]);
    expect(again.stdout).toContain(`${ORG}/app-004: upgrade run queued`);
    expect(again.stdout).toMatch(/^0 dispatched, 200 skipped, 0 failed$/m);

    // The runs finish and open their pull requests (GitHub Actions' part).
    for (const full of expected) {
      const repo = env.fake.state.repo(ORG, full.split('/')[1]);
      env.fake.state.finishRun(repo.runs[0], 'success');
      env.fake.state.openPull(repo, upgradeBranch, 'chore(deps): upgrade dependencies');
    }
    env.fake.resetCounts();
    const third = await env.run(fleetArgs(env, 'upgrade'));
    expect(third.code).toBe(0);
    expect(env.fake.writes()).toEqual([]);
    expect(third.stdout).toContain(`${ORG}/app-004: upgrade pull request #1 is open`);


    // Merging one (package.json now pins the latest) makes it up to date; closing another
    // unmerged makes it due again, and only that one is dispatched.
    const merged = env.fake.state.repo(ORG, 'app-004');
    env.fake.state.closePull(merged.pulls[0], true);
    merged.files.set('package.json', JSON.stringify({ devDependencies: { [PACKAGE]: `^${LATEST}` } }));
    const closed = env.fake.state.repo(ORG, 'app-005');
    env.fake.state.closePull(closed.pulls[0], false);
    env.fake.resetCounts();
    const fourth = await env.run(fleetArgs(env, 'upgrade', '--json'));
    expect(fourth.code).toBe(0);
    expect(dispatched(env.fake)).toEqual([`${ORG}/app-005`]);
    expect(fourth.json().skipped.find((s: any) => s.repository === `${ORG}/app-004`).reason).toBe('up to date');
  });

  test('a primary and a secondary rate limit in the middle of a run are waited out, and every repository is dispatched once', async () => {
    // The primary limit hits reads in the middle of the ~800; the secondary one the 21st dispatch.
    // Two answers each: even if both land on one request, its two retries (the default) get through.
    env.fake.inject({ match: 'GET /repos/{owner}/{repo}/contents/{path}', skip: 200, times: 2, action: primaryRateLimit(1) });
    env.fake.inject({ match: DISPATCH, skip: 20, times: 2, action: secondaryRateLimit(1) });
    const result = await env.run(fleetArgs(env, 'upgrade'));
    expect(result.code).toBe(0);
    expect(env.fake.pendingFaults()).toEqual([]);
    expect(result.stderr).toMatch(/primary rate limit on GET \/repos\/acme\/app-\d+\/contents\/[^;]+; retrying in \d+s/);
    expect(result.stderr).toMatch(/secondary rate limit on POST \/repos\/acme\/app-\d+\/actions\/workflows\/upgrade\.yml\/dispatches; retrying in 1s/);
    expect(env.fake.requests.filter(r => r.fault).length).toBe(4);
    expect(dispatched(env.fake)).toEqual(expectedDispatches(fleetPlan()));
    expect(result.stdout).toMatch(/^105 dispatched, 95 skipped, 0 failed$/m);
  });
});

describe('fleet upgrade over 40 repositories', () => {
  const plan = fleetPlan(40);
  const expected = expectedDispatches(plan);
  useFleet(fake => seedFleet(fake, plan));

  test('a rate limit that resets too late fails only the repositories it hit, and a re-run completes the rest', async () => {
    expect(expected).toHaveLength(21);
    // Resets in an hour, longer than the tool waits (15 minutes): those dispatches fail at once.
    env.fake.inject({ match: DISPATCH, skip: 5, times: 2, action: primaryRateLimit(3600) });
    const first = await env.run(fleetArgs(env, 'upgrade', '--json'));
    expect(first.code).toBe(1);
    const out = first.json();
    expect(out.failed).toHaveLength(2);
    for (const failed of out.failed) {
      expect(failed.reason).toMatch(/^dispatch of acme\/app-\d+'s upgrade\.yml failed: POST \/repos\/acme\/app-\d+\/actions\/workflows\/upgrade\.yml\/dispatches: 403 API rate limit exceeded/);
    }
    expect(first.stderr).toMatch(/primary rate limit on POST \/repos\/acme\/app-\d+\/actions\/workflows\/upgrade\.yml\/dispatches; giving up \(would wait \d+s\)/);
    expect(out.dispatched).toHaveLength(19);

    env.fake.resetCounts();
    const second = await env.run(fleetArgs(env, 'upgrade', '--json'));
    expect(second.code).toBe(0);
    const failed = out.failed.map((f: any) => f.repository);
    expect(second.json().dispatched.map((d: any) => d.repository)).toEqual(failed);
    expect(dispatched(env.fake)).toEqual(failed);
  });

  test('--dry-run reads everything, lists what it would dispatch and writes nothing', async () => {
    const result = await env.run(fleetArgs(env, 'upgrade', '--dry-run'));
    expect(result.code).toBe(0);
    expect(env.fake.writes()).toEqual([]);
    expect(result.stdout).toContain('would dispatch (21):');
    expect(result.stdout).toContain(`  ${ORG}/app-008: 1.2.0 -> 1.2.1`);
    expect(result.stdout).toContain(`  ${ORG}/app-031: up to date`);
    expect(result.stdout).toMatch(/^21 would be dispatched \(dry run, nothing sent\), 19 skipped, 0 failed$/m);
    expect(result.stderr).toContain('21 repositories to dispatch (dry run: nothing is sent)');
    const json = await env.run(fleetArgs(env, 'upgrade', '--dry-run', '--json'));
    expect(json.json()).toMatchObject({ dryRun: true, failed: [] });
    expect(json.json().dispatched.map((d: any) => d.repository)).toEqual(expected);
    expect(env.fake.writes()).toEqual([]);
  });
});

describe('repositories that cannot be upgraded', () => {
  useFleet(fake => {
    fake.state.addOrg(ORG);
    seedRepo(fake, { name: 'no-workflow', range: '^1.0.0', state: 'behind', behind: '4 releases (minor)' }, { workflow: false });
    seedRepo(fake, { name: 'current', range: `^${LATEST}`, state: 'up-to-date', behind: '-' });
    const broken = seedRepo(fake, { name: 'broken', range: '^1.0.0', state: 'behind', behind: '4 releases (minor)' });
    broken.files.set('package.json', '{ "devDependencies": ');
  });

  test('a missing upgrade workflow and an unreadable package.json fail those repositories alone', async () => {
    const status = await env.run(fleetArgs(env, 'status'));
    expect(status.code).toBe(1);
    // An unreadable repository shows nothing of what was read, only why.
    expect(status.stdout).toMatch(/^acme\/broken\s+-\s+-\s+1\.3\.0\s+error\s+acme\/broken: package\.json: not valid JSON/m);
    expect(status.stdout).toMatch(/^acme\/no-workflow\s+1\.0\.0\s+1\.0\.0\s+1\.3\.0\s+4 releases \(minor\)\s+no upgrade workflow$/m);

    const upgrade = await env.run(fleetArgs(env, 'upgrade', '--json'));
    expect(upgrade.code).toBe(1);
    const out = upgrade.json();
    expect(out.dispatched).toEqual([]);
    expect(out.skipped).toEqual([{ repository: `${ORG}/current`, version: LATEST, to: LATEST, reason: 'up to date' }]);
    expect(out.failed.map((f: any) => [f.repository, f.reason])).toEqual([
      [`${ORG}/broken`, expect.stringMatching(/^acme\/broken: package\.json: not valid JSON/)],
      [`${ORG}/no-workflow`, 'no .github/workflows/upgrade.yml to dispatch (is projen\'s dependency upgrade turned off?)'],
    ]);
    expect(env.fake.writes()).toEqual([]);
  });
});

describe('the topic `github apply` sets', () => {
  useFleet(fake => {
    fake.state.addOrg(ORG);
    // The example topology's production reviewers.
    fake.state.addOrg('example-org');
    fake.state.addTeam('example-org', 'platform-team');
    const repo = seedRepo(fake, { name: 'widgets', range: '^1.2.0', state: 'behind', behind: '2 releases (minor)' });
    repo.topics = ['payments'];
  });

  test('is how the fleet finds a repository; others\' topics stay, and a second apply writes nothing', async () => {
    const settings = join(env.dir, FILES.settings);
    mkdirSync(dirname(settings), { recursive: true });
    writeFileSync(settings, JSON.stringify(exampleSettings({ owner: ORG, repository: 'widgets' })));

    const before = await env.run(fleetArgs(env, 'status'));
    expect(before.code).toBe(0);
    expect(before.stdout).toContain(`0 repositories in ${ORG}: 0 up to date, 0 behind;`);

    const plan = await env.run(['github', 'plan']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('~ topics: add stage-project');
    expect((await env.run(['github', 'apply'])).code).toBe(0);
    expect(env.fake.state.repo(ORG, 'widgets').topics).toEqual(['payments', 'stage-project']);

    const after = await env.run(fleetArgs(env, 'status'));
    expect(after.code).toBe(2);
    expect(after.stdout).toMatch(/^acme\/widgets\s+1\.2\.0\s+1\.2\.0\s+1\.3\.0\s+2 releases \(minor\)\s+-$/m);

    env.fake.resetCounts();
    const again = await env.run(['github', 'apply', '--json']);
    expect(again.json()).toMatchObject({ planned: [], inSync: true });
    expect(env.fake.writes()).toEqual([]);
  });
});

describe('clear errors', () => {
  useFleet(fake => seedFleet(fake, fleetPlan(3)));

  test('no token', async () => {
    const result = await env.run(fleetArgs(env, 'status'), { GITHUB_TOKEN: '', GH_TOKEN: '' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: no token: set GITHUB_TOKEN \(or GH_TOKEN\) to a token that can read the organization's repositories/m);
    expect(env.fake.requests).toEqual([]);
  });

  test('a token GitHub rejects', async () => {
    const result = await env.run(fleetArgs(env, 'status'), { GITHUB_TOKEN: 'wrong' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: Bad credentials/m);
  });

  test('an unknown organization, in text and in JSON', async () => {
    const text = await env.run(['fleet', 'upgrade', '--org', 'acne', '--registry', env.registry.url]);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('error: no organization "acne" visible to this token (GET /orgs/acne/repos returned 404');
    const json = await env.run(['fleet', 'status', '--org', 'acne', '--registry', env.registry.url, '--json']);
    expect(json.code).toBe(1);
    expect(json.json().error).toMatch(/^no organization "acne" visible to this token/);
    expect(env.fake.writes()).toEqual([]);
  });

  test('a package the registry does not have', async () => {
    env.registry.name = '@org/something-else';
    const result = await env.run(fleetArgs(env, 'status'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: cannot read the published versions of ${PACKAGE} from ${env.registry.url}: ${PACKAGE} is not published there`);
  });

  test('missing --org and a bad --concurrency', async () => {
    const noOrg = await env.run(['fleet', 'status']);
    expect(noOrg.code).toBe(1);
    expect(noOrg.stderr).toContain('error: --org <org> is required');
    const bad = await env.run(fleetArgs(env, 'upgrade', '--concurrency', '0'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: --concurrency "0": must be a whole number from 1 to 100');
    expect(env.fake.requests).toEqual([]);
  });

  test('a small fleet that is up to date exits 0', async () => {
    for (const repo of env.fake.state.repos) {
      repo.files.set('package.json', JSON.stringify({ devDependencies: { [PACKAGE]: `^${LATEST}` } }));
    }
    const result = await env.run(fleetArgs(env, 'status'));
    expect(result.stdout).toContain(`3 repositories in ${ORG}: 3 up to date, 0 behind; latest ${PACKAGE} ${LATEST}`);
    expect(result.code).toBe(0);
  });
});
