import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Project } from 'projen';
import { PROMOTION, SEVEN_ACCOUNTS, synthesize } from './support';
import { StagesAction } from '../../src/github';
import { renderStagesAction } from '../../src/github/render-action';
import { digestsScript } from '../../src/github/render-workflow';
import { resolveTopology } from '../../src/topology/normalise';
import { generatedBy } from '../../src/version';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly outputs: Record<string, string>;
}

/** Runs a generated script as the runner would: env only, and a fresh $GITHUB_OUTPUT file. */
function runScript(command: string, args: string[], script: string, env: Record<string, string>): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stages-action-'));
  try {
    const output = path.join(dir, 'output');
    fs.writeFileSync(output, '');
    const scriptFile = path.join(dir, 'script');
    fs.writeFileSync(scriptFile, script);
    const result = spawnSync(command, [...args, scriptFile], {
      env: { PATH: process.env.PATH!, HOME: dir, GITHUB_OUTPUT: output, ...env },
      encoding: 'utf-8',
    });
    const outputs = Object.fromEntries(fs.readFileSync(output, 'utf-8').split('\n').filter(Boolean).map(line => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)];
    }));
    return { status: result.status, stdout: result.stdout + result.stderr, outputs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const stepsOf = (action: any): any[] => action.runs.steps;

describe('the stages composite action', () => {
  const { action, topology } = synthesize(PROMOTION);
  const resolve = stepsOf(action).find(s => s.id === 'resolve');
  const noCredentials = stepsOf(action).find(s => s.name === 'Check that the stage has no AWS credentials');
  const resolveRole = (inputs: { STAGE: string; ACCOUNT?: string; REGION?: string }, runId = '4242424242') =>
    runScript('bash', [], resolve.run, { ACCOUNT: '', REGION: '', ...inputs, GITHUB_RUN_ID: runId });

  test('inputs reach scripts only through env', () => {
    expect(resolve.env).toEqual({ STAGE: '${{ inputs.stage }}', ACCOUNT: '${{ inputs.account }}', REGION: '${{ inputs.region }}' });
    for (const step of stepsOf(action).filter(s => s.run !== undefined)) {
      expect(step.run).not.toContain('${{');
    }
  });

  test('resolves the role, the region and an audit session name', () => {
    const run = resolveRole({ STAGE: 'deploy', ACCOUNT: 'prod' });
    expect(run.status).toBe(0);
    expect(run.outputs).toEqual({
      'access': 'role',
      'images': 'pull',
      'role-arn': 'arn:aws:iam::333333333333:role/stage-project/weebler/weebler-deploy',
      'region': 'us-east-1',
      'session-name': 'weebler-4242424242-deploy',
      'registry': '111111111111.dkr.ecr.us-east-1.amazonaws.com',
    });
    expect(run.stdout).not.toContain('333333333333');
  });

  test('the region input overrides the account region', () => {
    expect(resolveRole({ STAGE: 'e2e', ACCOUNT: 'dev', REGION: 'eu-west-1' }).outputs.region).toBe('eu-west-1');
  });

  test('a stage without AWS access resolves to no credentials', () => {
    const run = resolveRole({ STAGE: 'unit' });
    expect(run.status).toBe(0);
    expect(run.outputs).toEqual({ 'access': 'none', 'images': 'none', 'role-arn': '', 'registry': '' });
  });

  test.each([
    [{ STAGE: 'stagin', ACCOUNT: 'dev' }, 'unknown stage "stagin" (known: unit, build, e2e, deploy)'],
    [{ STAGE: 'deploy', ACCOUNT: 'prd' }, 'unknown account "prd" (known: tools, dev, prod)'],
    [{ STAGE: 'deploy', ACCOUNT: 'tools' }, 'stage "deploy" has no role in account "tools" (it has roles in: dev, prod)'],
    [{ STAGE: 'deploy' }, 'stage "deploy" needs input account (it has roles in: dev, prod)'],
    [{ STAGE: 'unit', ACCOUNT: 'dev' }, 'stage "unit" has no AWS access, so it has no role in account "dev"'],
    [{ STAGE: 'deploy', ACCOUNT: 'dev', REGION: 'us-east-1; id' }, 'input region must be an AWS region code'],
  ])('fails clearly for %j', (inputs, message) => {
    const run = resolveRole(inputs);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`::error title=stages action::${message}`);
    expect(run.outputs).toEqual({});
  });

  test('an input cannot inject a workflow command or shell code', () => {
    const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stages-marker-')), 'pwned');
    const run = resolveRole({ STAGE: `unit\n::add-mask::x $(touch ${marker})`, ACCOUNT: `$(touch ${marker})` });
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('add-mask');
    expect(run.stdout).toContain('input stage must be a stage name (known: unit, build, e2e, deploy)');
    expect(fs.existsSync(marker)).toBe(false);
    fs.rmSync(path.dirname(marker), { recursive: true, force: true });
  });

  test('every role of a seven-account topology is in the table', () => {
    const seven = synthesize(SEVEN_ACCOUNTS);
    const script = stepsOf(seven.action).find(s => s.id === 'resolve').run;
    for (const role of seven.topology.roles) {
      const run = runScript('bash', [], script, { STAGE: role.stage, ACCOUNT: role.account, REGION: '', GITHUB_RUN_ID: '1' });
      expect(run.outputs['role-arn']).toBe(role.roleArn);
      expect(run.outputs.region).toBe(role.region);
    }
  });

  test('the session name keeps the run id and stage within 64 valid characters for a long repository name', () => {
    const repository = 'w'.repeat(57);
    const long = resolveTopology({ owner: 'widgetfactory', repository }, PROMOTION);
    const script = stepsOf(renderStagesAction(long, 'test')).find(s => s.id === 'resolve').run;
    const run = runScript('bash', [], script, { STAGE: 'deploy', ACCOUNT: 'dev', REGION: '', GITHUB_RUN_ID: '98765432101' });
    const session = run.outputs['session-name'];
    expect(session).toHaveLength(64);
    expect(session).toMatch(/^[\w+=,.@-]+$/);
    expect(session.endsWith('-98765432101-deploy')).toBe(true);
    expect(session.startsWith('wwww')).toBe(true);
  });

  describe('a stage without a role proves that no credentials are in reach', () => {
    const check = (env: Record<string, string>, home?: (dir: string) => void) => {
      if (home) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stages-home-'));
        try {
          home(dir);
          return runScript('bash', [], noCredentials.run, { STAGE: 'unit', ...env, HOME: dir });
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }
      return runScript('bash', [], noCredentials.run, { STAGE: 'unit', ...env });
    };

    test('only for stages without access', () => {
      expect(noCredentials.if).toBe("steps.resolve.outputs.access == 'none'");
    });

    test('passes in a clean environment', () => {
      expect(check({}).status).toBe(0);
    });

    test.each(['AWS_ACCESS_KEY_ID', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'ACTIONS_ID_TOKEN_REQUEST_URL'])('fails with %s set', name => {
      const run = check({ [name]: 'x' });
      expect(run.status).toBe(1);
      expect(run.stdout).toContain(name);
    });

    test('fails with a shared credentials file', () => {
      const run = check({}, dir => {
        fs.mkdirSync(path.join(dir, '.aws'));
        fs.writeFileSync(path.join(dir, '.aws', 'credentials'), '[default]\n');
      });
      expect(run.status).toBe(1);
      expect(run.stdout).toContain('.aws/credentials');
    });
  });

  test('assumes the role through OIDC with a pinned action, an audit session name and a masked account id', () => {
    const assume = stepsOf(action).find(s => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(assume.uses).toMatch(/@[0-9a-f]{40}$/);
    expect(assume.if).toBe("steps.resolve.outputs.access == 'role'");
    expect(assume.with).toEqual({
      'role-to-assume': '${{ steps.resolve.outputs.role-arn }}',
      'aws-region': '${{ steps.resolve.outputs.region }}',
      'role-session-name': '${{ steps.resolve.outputs.session-name }}',
      'audience': 'sts.amazonaws.com',
      'mask-aws-account-id': true,
    });
  });

  test('logs in to the registry account for stages with image access', () => {
    const login = stepsOf(action).find(s => s.uses?.startsWith('aws-actions/amazon-ecr-login@'));
    expect(login.uses).toMatch(/@[0-9a-f]{40}$/);
    expect(login.if).toBe("steps.resolve.outputs.access == 'role' && steps.resolve.outputs.images != 'none'");
    expect(login.with.registries).toBe(topology.registry.accountId);
    expect(login.env.AWS_REGION).toBe(topology.registry.region);
    expect(action.outputs.registry.value).toBe('${{ steps.resolve.outputs.registry }}');
    expect(action.outputs['role-arn'].value).toBe('${{ steps.resolve.outputs.role-arn }}');
  });

  test('is read-only, marked as generated and names the package version that wrote it', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stages-readonly-'));
    try {
      const component = new StagesAction(new Project({ name: 'weebler', outdir }), topology);
      expect(component.file.readonly).toBe(true);
      expect(component.file.path).toBe('.github/actions/stages/action.yaml');
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
    const { actionText } = synthesize(PROMOTION);
    expect(actionText.split('\n')[0]).toMatch(/^# ~~ Generated by projen/);
    expect(action.description).toContain(`Generated by ${generatedBy()}`);
  });
});

describe('the digest check of the push job', () => {
  const digest = (c: string) => `sha256:${c.repeat(64)}`;
  const check = (digests: string) => runScript(process.execPath, [], digestsScript(), {
    TASK: 'stage:build',
    DIGESTS: digests,
    REPOSITORIES: JSON.stringify(['team/api', 'team/worker']),
  });

  test('republishes the digests of every repository, in topology order', () => {
    const run = check(JSON.stringify({ 'team/worker': digest('b'), 'team/api': digest('a') }));
    expect(run.status).toBe(0);
    expect(JSON.parse(run.outputs['image-digests'])).toEqual({ 'team/api': digest('a'), 'team/worker': digest('b') });
    expect(Object.keys(JSON.parse(run.outputs['image-digests']))).toEqual(['team/api', 'team/worker']);
  });

  test('fails when the task wrote nothing', () => {
    const run = check('');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('stage:build must write image-digests=');
    expect(run.outputs).toEqual({});
  });

  test('fails on a tag instead of a digest, and on an unknown repository', () => {
    const run = check(JSON.stringify({ 'team/api': 'latest', 'team/worker': digest('b'), 'team/other': digest('c') }));
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('team/api: expected a sha256 digest, got "latest"');
    expect(run.stdout).toContain('"team/other" is not an image repository of the topology');
  });
});
