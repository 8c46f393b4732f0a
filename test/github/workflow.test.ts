import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { github, javascript, Project } from 'projen';
import {
  evaluateAll, Event, expressionOf, githubContext, ONE_ACCOUNT, PROMOTION, REPOSITORY, SEVEN_ACCOUNTS, synthesize, THREE_ACCOUNTS,
} from './support';
import { StagesWorkflow } from '../../src/github';
import { IMAGE_DIGESTS_OUTPUT, STAGE_TASK_ENV } from '../../src/topology/naming';
import { resolveTopology } from '../../src/topology/normalise';

const needsOf = (job: any): string[] => job.needs === undefined ? [] : [job.needs].flat();

/** The job's environment for one matrix account and event, evaluated the way the runner does. */
function environmentOf(job: any, event: Event, account?: string): string | undefined {
  if (job.environment === undefined || !String(job.environment).includes('${{')) {
    return job.environment;
  }
  const [result] = evaluateAll([{ expression: expressionOf(job.environment), context: { github: githubContext(event), matrix: { account } } }]);
  return result.value;
}

function concurrencyGroupOf(job: any, account?: string): string | undefined {
  const group = job.concurrency?.group;
  if (group === undefined || !group.includes('${{')) {
    return group;
  }
  return evaluateAll([{ expression: expressionOf(group), context: { matrix: { account } } }])[0].value;
}

describe('promotion pipeline (deploy dev -> e2e dev -> deploy prod)', () => {
  const { workflow, workflowText } = synthesize(PROMOTION);
  const jobs = workflow.jobs;

  test('triggers: pushes to the branches the accounts name, pull requests, manual runs', () => {
    expect(workflow.on).toEqual({ push: { branches: ['develop', 'main'] }, pull_request: {}, workflow_dispatch: {} });
  });

  test('the workflow grants nothing; each job declares its own permissions', () => {
    expect(workflow.permissions).toEqual({});
    expect(Object.keys(workflow).indexOf('permissions')).toBeLessThan(Object.keys(workflow).indexOf('jobs'));
  });

  test('jobs follow the pipeline, and every job after the push job needs it for the digests', () => {
    expect(Object.keys(jobs)).toEqual(['unit', 'build', 'deploy-dev', 'e2e', 'deploy-prod']);
    expect(Object.fromEntries(Object.entries(jobs).map(([id, job]) => [id, needsOf(job)]))).toEqual({
      'unit': [],
      'build': ['unit'],
      'deploy-dev': ['build'],
      'e2e': ['deploy-dev', 'build'],
      'deploy-prod': ['e2e', 'build'],
    });
  });

  test('id-token: write only where the stage has a role', () => {
    expect(Object.fromEntries(Object.entries(jobs).map(([id, job]: [string, any]) => [id, job.permissions]))).toEqual({
      'unit': { contents: 'read' },
      'build': { 'contents': 'read', 'id-token': 'write' },
      'deploy-dev': { 'contents': 'read', 'id-token': 'write' },
      'e2e': { 'contents': 'read', 'id-token': 'write' },
      'deploy-prod': { 'contents': 'read', 'id-token': 'write' },
    });
  });

  test('each job runs in exactly the environment its role trusts', () => {
    expect(Object.fromEntries(Object.entries(jobs).map(([id, job]: [string, any]) => [id, job.environment]))).toEqual({
      'unit': undefined,
      'build': 'build-tools',
      'deploy-dev': 'deploy-dev',
      'e2e': 'e2e-dev',
      'deploy-prod': 'deploy-prod',
    });
  });

  test('writing stages take a per-account lock and never cancel a run in progress', () => {
    expect(Object.fromEntries(Object.entries(jobs).map(([id, job]: [string, any]) => [id, job.concurrency]))).toEqual({
      'unit': undefined,
      'build': { 'group': 'weebler-build-tools', 'cancel-in-progress': false },
      'deploy-dev': { 'group': 'weebler-deploy-dev', 'cancel-in-progress': false },
      'e2e': undefined,
      'deploy-prod': { 'group': 'weebler-deploy-prod', 'cancel-in-progress': false },
    });
  });

  test('branch conditions per job', () => {
    expect(Object.fromEntries(Object.entries(jobs).map(([id, job]: [string, any]) => [id, job.if]))).toEqual({
      'unit': undefined,
      'build': "!failure() && !cancelled() && github.event_name != 'pull_request' && startsWith(github.ref, 'refs/heads/')",
      'deploy-dev': "!failure() && !cancelled() && (github.event_name != 'pull_request' && (github.ref == 'refs/heads/develop' || github.ref == 'refs/heads/main'))",
      'e2e': "!failure() && !cancelled() && (github.event_name != 'pull_request' && (github.ref == 'refs/heads/develop' || github.ref == 'refs/heads/main'))",
      'deploy-prod': "!failure() && !cancelled() && github.event_name != 'pull_request' && github.ref == 'refs/heads/main'",
    });
  });

  test('the push job publishes the checked digests and later jobs receive them from needs', () => {
    const build = jobs.build;
    expect(build.outputs).toEqual({ [IMAGE_DIGESTS_OUTPUT]: '${{ steps.digests.outputs.image-digests }}' });
    const check = build.steps.find((s: any) => s.id === 'digests');
    expect(check.env).toEqual({
      TASK: 'stage:build',
      DIGESTS: '${{ steps.stage.outputs.image-digests }}',
      REPOSITORIES: '["example/app"]',
    });
    for (const id of ['deploy-dev', 'e2e', 'deploy-prod']) {
      const task = jobs[id].steps.find((s: any) => s.id === 'stage');
      expect(task.env[STAGE_TASK_ENV.imageDigests]).toBe('${{ needs.build.outputs.image-digests }}');
    }
    for (const id of ['unit', 'build']) {
      const task = jobs[id].steps.find((s: any) => s.id === 'stage');
      expect(task.env[STAGE_TASK_ENV.imageDigests]).toBeUndefined();
    }
  });

  test('each job checks out, installs, gets its access from the composite action, then runs its task', () => {
    for (const [id, job] of Object.entries(jobs) as Array<[string, any]>) {
      const stage = id.replace(/-(dev|prod)$/, '');
      const names = job.steps.map((s: any) => s.uses?.replace(/@.*/, '') ?? s.run);
      expect(names.slice(0, 5)).toEqual(['actions/checkout', 'actions/setup-node', 'npm ci', './.github/actions/stages', `npx projen stage:${stage}`]);
      const access = job.steps[3];
      const account = id === 'unit' ? undefined : id === 'build' ? 'tools' : id.endsWith('prod') ? 'prod' : 'dev';
      expect(access.with).toEqual(account ? { stage, account } : { stage });
      expect(job.steps[1].with['node-version']).toBe('22.x');
      expect(job.steps[0].with['persist-credentials']).toBe(false);
    }
  });

  test('third-party actions are pinned by full commit SHA with the tag as a comment', () => {
    const pinned = workflowText.split('\n').filter(line => /uses: (?!\.\/)/.test(line));
    expect(pinned.length).toBeGreaterThan(0);
    for (const line of pinned) {
      expect(line).toMatch(/uses: [\w-]+\/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });
});

describe('three accounts, default pipeline', () => {
  const { workflow } = synthesize(THREE_ACCOUNTS);

  test('deploy splits per account because dev and prod have different branches; both follow e2e', () => {
    expect(Object.fromEntries(Object.entries(workflow.jobs).map(([id, job]) => [id, needsOf(job)]))).toEqual({
      'unit': [],
      'build': ['unit'],
      'e2e': ['build'],
      'deploy-dev': ['e2e', 'build'],
      'deploy-prod': ['e2e', 'build'],
    });
    expect(workflow.jobs['deploy-dev'].strategy).toBeUndefined();
  });
});

describe('one account that every branch may reach', () => {
  const { workflow } = synthesize(ONE_ACCOUNT);

  test('pushes to any branch but not tags', () => {
    expect(workflow.on.push).toEqual({ branches: ['**'] });
  });

  test('the pull-request stage leaves its environment on pull_request, whose subject its trust accepts', () => {
    const e2e = workflow.jobs.e2e;
    expect(environmentOf(e2e, 'push-main')).toBe('e2e-sandbox');
    expect(environmentOf(e2e, 'push-develop')).toBe('e2e-sandbox');
    expect(environmentOf(e2e, 'pull_request')).toBe('');
    expect(e2e.permissions).toEqual({ 'contents': 'read', 'id-token': 'write' });
  });

  test('stages without pull-request access keep a literal environment', () => {
    expect(workflow.jobs.deploy.environment).toBe('deploy-sandbox');
    expect(workflow.jobs.build.environment).toBe('build-sandbox');
  });
});

describe('seven accounts', () => {
  const { workflow, topology } = synthesize(SEVEN_ACCOUNTS);
  const jobs = workflow.jobs;

  test('accounts with the same branches share one matrix job that does not fail fast', () => {
    expect(Object.keys(jobs)).toEqual([
      'unit', 'build', 'deploy-sandbox-scratch', 'e2e-sandbox-scratch', 'deploy-qa', 'e2e-qa', 'deploy-staging-prod-us-prod-eu',
    ]);
    expect(jobs['deploy-sandbox-scratch'].strategy).toEqual({ 'fail-fast': false, 'matrix': { account: ['sandbox', 'scratch'] } });
    expect(jobs['deploy-staging-prod-us-prod-eu'].strategy).toEqual({ 'fail-fast': false, 'matrix': { account: ['staging', 'prod-us', 'prod-eu'] } });
    expect(jobs['deploy-qa'].strategy).toBeUndefined();
    expect(jobs['deploy-sandbox-scratch'].steps[3].with).toEqual({ stage: 'deploy', account: '${{ matrix.account }}' });
  });

  test('needs graph', () => {
    expect(Object.fromEntries(Object.entries(jobs).map(([id, job]) => [id, needsOf(job)]))).toEqual({
      'unit': [],
      'build': ['unit'],
      'deploy-sandbox-scratch': ['build'],
      'e2e-sandbox-scratch': ['deploy-sandbox-scratch', 'build'],
      'deploy-qa': ['e2e-sandbox-scratch', 'build'],
      'e2e-qa': ['deploy-qa', 'build'],
      'deploy-staging-prod-us-prod-eu': ['e2e-qa', 'build'],
    });
  });

  test("every matrix leg's environment is exactly its role's environment", () => {
    const cases: Array<[string, Event, string, string]> = [];
    for (const role of topology.roles) {
      const id = Object.keys(jobs).find(j => j.startsWith(`${role.stage}-`) && jobs[j].strategy?.matrix.account.includes(role.account));
      if (id) {
        cases.push([id, 'push-main', role.account, role.environment]);
      }
    }
    expect(cases.map(c => c[3]).sort()).toEqual([
      'deploy-prod-eu', 'deploy-prod-us', 'deploy-sandbox', 'deploy-scratch', 'deploy-staging', 'e2e-sandbox', 'e2e-scratch',
    ]);
    for (const [id, event, account, environment] of cases) {
      expect(environmentOf(jobs[id], event, account)).toBe(environment);
    }
    expect(environmentOf(jobs['e2e-sandbox-scratch'], 'pull_request', 'scratch')).toBe('');
    // Production legs never drop their environment: they do not run on pull requests at all.
    expect(jobs['deploy-staging-prod-us-prod-eu'].environment).not.toMatch(/pull_request/);
  });

  test('concurrency groups per matrix leg', () => {
    const deploy = jobs['deploy-staging-prod-us-prod-eu'];
    expect(deploy.concurrency['cancel-in-progress']).toBe(false);
    expect(['staging', 'prod-us', 'prod-eu'].map(a => concurrencyGroupOf(deploy, a)))
      .toEqual(['weebler-deploy-staging', 'weebler-deploy-prod-us', 'weebler-deploy-prod-eu']);
    expect(['sandbox', 'scratch'].map(a => concurrencyGroupOf(jobs['deploy-sandbox-scratch'], a)))
      .toEqual(['weebler-deploy-sandbox', 'weebler-deploy-scratch']);
    expect(jobs['e2e-sandbox-scratch'].concurrency).toBeUndefined();
  });

  test('permissions: contents read everywhere, id-token only on role jobs', () => {
    for (const [id, job] of Object.entries(jobs) as Array<[string, any]>) {
      expect(job.permissions).toEqual(id === 'unit' ? { contents: 'read' } : { 'contents': 'read', 'id-token': 'write' });
    }
  });

  test('the digest check lists every image repository', () => {
    const check = jobs.build.steps.find((s: any) => s.id === 'digests');
    expect(JSON.parse(check.env.REPOSITORIES)).toEqual(['widgetfactory/weebler/api', 'widgetfactory/weebler/worker']);
  });
});

describe('StagesWorkflow options and preconditions', () => {
  const topology = resolveTopology(REPOSITORY, PROMOTION);
  const withProject = <T>(body: (outdir: string) => T): T => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stages-options-'));
    try {
      return body(outdir);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  };

  test('a project without GitHub support gets an error that says how to enable it', () => {
    withProject(outdir => {
      expect(() => new StagesWorkflow(new Project({ name: 'weebler', outdir }), topology))
        .toThrow('StagesWorkflow: project "weebler" has no GitHub support; enable it (github: true) to generate .github/workflows/stages.yml');
    });
  });

  test('runner, Node.js version and install command default from the project and can be set', () => {
    withProject(outdir => {
      const project = new javascript.NodeProject({
        name: 'weebler',
        outdir,
        defaultReleaseBranch: 'main',
        packageManager: javascript.NodePackageManager.PNPM,
        buildWorkflow: false,
        release: false,
        depsUpgrade: false,
        pullRequestTemplate: false,
      });
      const defaults = new StagesWorkflow(project, topology).workflow.getJob('deploy-prod') as any;
      expect(defaults.runsOn).toEqual(['ubuntu-latest']);
      expect(defaults.steps[1].with['node-version']).toBe('22.x');
      expect(defaults.steps[2].run).toBe('pnpm i --frozen-lockfile');
    });
    withProject(outdir => {
      const project = new Project({ name: 'weebler', outdir });
      new github.GitHub(project, { mergify: false, pullRequestLint: false });
      const job = new StagesWorkflow(project, topology, { runsOn: ['self-hosted', 'linux'], nodeVersion: '24.x', installCommand: 'make deps' })
        .workflow.getJob('unit') as any;
      expect(job.runsOn).toEqual(['self-hosted', 'linux']);
      expect(job.steps[1].with['node-version']).toBe('24.x');
      expect(job.steps[2].run).toBe('make deps');
    });
  });
});

describe('a push stage that shares a matrix with other accounts', () => {
  const { workflow } = synthesize({
    accounts: { tools: { id: '111111111111' }, sandbox: { id: '222222222222' } },
    registry: { account: 'tools' },
    repositories: ['example/app'],
    stages: { build: { accounts: ['tools', 'sandbox'], images: 'push' }, deploy: { accounts: ['sandbox'], images: 'pull' } },
  });

  test('only the registry leg checks and publishes digests', () => {
    expect(workflow.jobs.build.strategy.matrix.account).toEqual(['tools', 'sandbox']);
    expect(workflow.jobs.build.steps.find((s: any) => s.id === 'digests').if).toBe("matrix.account == 'tools'");
    expect(workflow.jobs.deploy.steps.find((s: any) => s.id === 'stage').env[STAGE_TASK_ENV.imageDigests])
      .toBe('${{ needs.build.outputs.image-digests }}');
  });
});
