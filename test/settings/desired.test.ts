import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Project, Testing } from 'projen';
import { EXAMPLE_TOPOLOGY } from '../../src/example';
import { desiredSettings, subjectUnder } from '../../src/settings/desired';
import { parseSettingsDocument, SettingsFileError } from '../../src/settings/document';
import { StageSettingsFile } from '../../src/settings/stage-settings-file';
import { FILES } from '../../src/topology/naming';
import { resolveTopology } from '../../src/topology/normalise';

const REPO = { owner: 'widgetfactory', repository: 'weebler' };
const WITH_IDS = { ...REPO, ownerId: 4242, repositoryId: 8484 };

describe('desiredSettings', () => {
  const topology = resolveTopology(REPO, EXAMPLE_TOPOLOGY);
  const doc = desiredSettings(topology);
  const env = (name: string) => doc.environments.find(e => e.name === name)!;

  test('has one environment per stage role, named by the naming module', () => {
    expect(doc.environments.map(e => e.name)).toEqual(topology.roles.map(r => r.environment));
    expect(doc.environments.map(e => e.name)).toEqual(['build-tools', 'e2e-dev', 'deploy-dev', 'deploy-prod']);
  });

  test('branch policies are exactly the account branches; an account without branches allows any', () => {
    expect(env('deploy-prod').deployment_branch_policy).toEqual({ custom_branch_policies: ['main'] });
    expect(env('deploy-dev').deployment_branch_policy).toEqual({ custom_branch_policies: ['develop', 'main'] });
    expect(env('build-tools').deployment_branch_policy).toBeNull();
  });

  test('reviewers, wait timer and self review come from the stage approval', () => {
    expect(env('deploy-prod')).toMatchObject({ reviewers: ['example-org/platform-team'], prevent_self_review: true, wait_timer: 0 });
    const strict = desiredSettings(resolveTopology(REPO, {
      ...EXAMPLE_TOPOLOGY,
      stages: { ...EXAMPLE_TOPOLOGY.stages, deploy: { ...EXAMPLE_TOPOLOGY.stages!.deploy, approval: { reviewers: ['octocat', 'example-org/sre'], waitTimerMinutes: 15, preventSelfReview: false } } },
    }));
    const prod = strict.environments.find(e => e.name === 'deploy-prod')!;
    expect(prod).toMatchObject({ reviewers: ['octocat', 'example-org/sre'], wait_timer: 15, prevent_self_review: false });
  });

  test('variables carry the role ARN, region and account id of the environment', () => {
    const role = topology.roles.find(r => r.environment === 'deploy-prod')!;
    expect(env('deploy-prod').variables).toEqual({ AWS_ROLE_ARN: role.roleArn, AWS_REGION: role.region, AWS_ACCOUNT_ID: '333333333333' });
    expect(role.roleArn).toBe('arn:aws:iam::333333333333:role/stage-project/weebler/weebler-deploy');
  });

  test('marks the repository with the consumer topic', () => {
    expect(doc.repository).toEqual({ owner: 'widgetfactory', name: 'weebler', topics: ['stage-project'] });
  });

  test.each([
    ['without repository ids', REPO, false],
    ['with repository ids', WITH_IDS, true],
  ])('%s the OIDC settings make GitHub send a subject every stage trust accepts', (_name, github, immutable) => {
    const t = resolveTopology(github, EXAMPLE_TOPOLOGY);
    const settings = desiredSettings(t);
    expect(settings.oidc).toEqual({ use_default: true, include_claim_keys: [], use_immutable_subject: immutable });
    for (const role of t.roles) {
      const subject = subjectUnder(settings.oidc, t, role.environment);
      expect(subject).toBeDefined();
      expect(role.subjects).toContain(subject);
    }
  });

  test('is the input the CLI accepts', () => {
    expect(parseSettingsDocument(JSON.parse(JSON.stringify(doc)), 'x.json')).toEqual(doc);
  });
});

describe('parseSettingsDocument', () => {
  const doc = desiredSettings(resolveTopology(REPO, EXAMPLE_TOPOLOGY));

  test('refuses an unknown schema version', () => {
    expect(() => parseSettingsDocument({ ...doc, schemaVersion: 99 }, 'f.json')).toThrow(/schemaVersion 99 is not supported/);
  });

  test('names every broken field at once, including case-insensitive duplicates', () => {
    const broken = {
      ...doc,
      environments: [
        { ...doc.environments[0], wait_timer: -1 },
        { ...doc.environments[1], name: 'BUILD-TOOLS', deployment_branch_policy: { custom_branch_policies: [] } },
      ],
    };
    try {
      parseSettingsDocument(broken, 'f.json');
      throw new Error('expected a SettingsFileError');
    } catch (error) {
      expect(error).toBeInstanceOf(SettingsFileError);
      expect((error as SettingsFileError).problems).toEqual([
        'environments[0].wait_timer: must be a whole number of minutes',
        'environments[1].name: "BUILD-TOOLS" repeats environments[0] (GitHub environment names are case-insensitive)',
        'environments[1].deployment_branch_policy: must be null (any branch) or { custom_branch_policies: ["main"] }',
      ]);
    }
  });
});

describe('StageSettingsFile', () => {
  function project() {
    return new Project({ name: 'consumer', outdir: mkdtempSync(join(tmpdir(), 'stage-settings-file-')) });
  }

  test('writes the desired settings as a read-only generated file', () => {
    const p = project();
    const file = new StageSettingsFile(p, resolveTopology(REPO, EXAMPLE_TOPOLOGY));
    const out = Testing.synth(p)[FILES.settings];
    expect(file.path).toBe('.github/stage-settings.json');
    expect(file.readonly).toBe(true);
    expect(out['//']).toMatch(/Generated by projen/);
    expect(out.generatedBy).toMatch(/^@org\/stage-project@/);
    expect(out.environments.map((e: any) => e.name)).toEqual(file.environments);
    expect(parseSettingsDocument(out, FILES.settings).oidc.use_default).toBe(true);
  });

  test('addVariable and addTopic extend what apply keeps set', () => {
    const p = project();
    const file = new StageSettingsFile(p, resolveTopology(REPO, EXAMPLE_TOPOLOGY));
    file.addVariable('deploy-prod', 'BUCKET', 'weebler-prod');
    file.addTopic('payments');
    const out = Testing.synth(p)[FILES.settings];
    expect(out.environments.find((e: any) => e.name === 'deploy-prod').variables.BUCKET).toBe('weebler-prod');
    expect(out.environments.find((e: any) => e.name === 'deploy-dev').variables.BUCKET).toBeUndefined();
    expect(out.repository.topics).toEqual(['stage-project', 'payments']);
  });

  test('addVariable rejects unknown environments and names GitHub would merge or refuse', () => {
    const file = new StageSettingsFile(project(), resolveTopology(REPO, EXAMPLE_TOPOLOGY));
    expect(() => file.addVariable('deploy-staging', 'X', '1')).toThrow(/unknown environment "deploy-staging" \(known: build-tools, e2e-dev, deploy-dev, deploy-prod\)/);
    expect(() => file.addVariable('deploy-prod', 'aws_region', 'x')).toThrow(/already has variable AWS_REGION/);
    expect(() => file.addVariable('deploy-prod', 'GITHUB_X', 'x')).toThrow(/invalid variable name/);
  });
});
