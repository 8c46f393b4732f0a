import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { RepositoryCopy, SETTINGS, synthesizeRepository, verifyCopy, WORKFLOW } from './support';
import { ECR_PUSH_ACTIONS } from '../../src/cdk/policies';
import * as naming from '../../src/topology/naming';
import { resolveTopology } from '../../src/topology/normalise';
import { exampleTopology, manyAccounts } from '../cdk/fixtures';
import { REPOSITORY, SEVEN_ACCOUNTS } from '../github/support';
import { builtCli, CliResult, runCli } from '../settings/helpers';

/**
 * `stage-project verify` as a child process, on the outputs of the example topology (the one
 * `projen new` writes) and on copies of them with one thing tampered with each.
 */

const topology = exampleTopology();
const source = synthesizeRepository(topology);
afterAll(() => rmSync(source, { recursive: true, force: true }));

const ROOT = join(__dirname, '..', '..');
const STACK = (account: string) => topology.accounts.find(a => a.name === account)!.stackId!;
const ROLE = (stage: string, account: string) => topology.roles.find(r => r.stage === stage && r.account === account)!;

/** The role resource named `roleName` and its logical id. */
function role(template: any, roleName: string): [string, any] {
  const entry = Object.entries<any>(template.Resources).find(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === roleName);
  if (!entry) {
    throw new Error(`no role ${roleName}`);
  }
  return entry;
}


/** The findings of a failed run, as `where: problem`, after checking each says what to change. */
function findings(result: CliResult): string[] {
  expect(result.code).toBe(1);
  const report = result.json();
  expect(report.ok).toBe(false);
  for (const f of report.findings) {
    expect(f.fix).toMatch(/\.projenrc\.ts|npx projen/);
  }
  return report.findings.map((f: any) => `${f.where}: ${f.problem}`);
}

describe('the example topology', () => {
  let result: CliResult;
  beforeAll(async () => {
    result = await runCli(['verify', '--json'], { cwd: source });
  });

  test('exits 0 with no findings; JSON on stdout, progress on stderr', () => {
    expect(result.stderr).toMatch(/verify: 4 stage roles of example-org\/weebler in 3 accounts/);
    expect(result.code).toBe(0);
    const report = result.json();
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([]);
  });

  test('the matrix, cell by cell', () => {
    const report = result.json();
    expect(report.columns.map((c: any) => c.key)).toEqual(['build/tools', 'e2e/dev', 'deploy/dev', 'deploy/prod']);
    const matrix = Object.fromEntries(report.rows.map((r: any) => [r.capability, report.columns.map((c: any) => (r.cells[c.key] ? '✔' : '✘')).join(' ')]));
    //                                                                  build  e2e  deploy deploy
    //                                                                  tools  dev  dev    prod
    expect(matrix).toEqual({
      'assume from its environment': /*                              */ '✔ ✔ ✔ ✔',
      'assume from another stage\'s or account\'s environment': /*    */ '✘ ✘ ✘ ✘',
      'assume from a branch, no environment': /*                      */ '✘ ✘ ✘ ✘',
      'assume from a pull request': /*                                */ '✘ ✘ ✘ ✘',
      'assume from another repository': /*                            */ '✘ ✘ ✘ ✘',
      'assume from a prefix-alike repository': /*                     */ '✘ ✘ ✘ ✘',
      'assume with a wrong audience or provider': /*                  */ '✘ ✘ ✘ ✘',
      'ECR pull example/app': /*                                      */ '✔ ✔ ✔ ✔',
      'ECR push example/app': /*                                      */ '✔ ✘ ✘ ✘',
      'assume the CDK deploy role': /*                                */ '✘ ✘ ✔ ✔',
      'CloudFormation deploy (CreateChangeSet)': /*                   */ '✘ ✘ ✘ ✘',
      'IAM escalation (12 actions)': /*                               */ '✘ ✘ ✘ ✘',
    });
    // No cell is left unsimulated.
    expect(report.rows.flatMap((r: any) => Object.values(r.cells)).filter((v: unknown) => typeof v !== 'boolean')).toEqual([]);
  });

  test('reports the subjects each role accepts: exactly its environment', () => {
    const report = result.json();
    for (const column of report.columns) {
      expect(column.acceptedSubjects).toEqual([`repo:example-org/weebler:environment:${column.stage}-${column.account}`]);
    }
  });

  test('prints the matrix for humans and writes docs/ACCESS.md with the pipeline diagram', async () => {
    const copy = new RepositoryCopy(source);
    try {
      const human = await runCli(['verify', '--markdown', naming.FILES.access], { cwd: copy.dir });
      expect(human.code).toBe(0);
      const lines = human.stdout.split('\n');
      expect(lines.find(l => l.startsWith('ECR push example/app'))?.split(/\s{2,}/)).toEqual(['ECR push example/app', '✔', '✘', '✘', '✘']);
      expect(lines[1].trim().split(/\s+/)).toEqual(['build', 'e2e', 'deploy', 'deploy']);
      expect(lines[2].trim().split(/\s+/)).toEqual(['tools', 'dev', 'dev', 'prod*']);
      expect(human.stdout).toMatch(/✔ no findings/);
      const markdown = readFileSync(join(copy.dir, naming.FILES.access), 'utf-8');
      expect(markdown).toContain('```mermaid\nflowchart LR\n');
      expect(markdown).toContain('deploy_prod__prod{{"deploy → prod (production)<br/>environment deploy-prod<br/>branches: main<br/>approval: example-org/platform-team"}}');
      expect(markdown).toContain('  build__tools --> deploy_dev__dev\n  deploy_dev__dev --> e2e__dev\n  e2e__dev --> deploy_prod__prod\n');
      expect(markdown).toContain('| ECR push example/app | ✔ | ✘ | ✘ | ✘ |');
      expect(markdown).toContain('## Findings\n\nNone.\n');
    } finally {
      copy.remove();
    }
  });
});

describe('tampered artifacts fail verify, naming the problem', () => {
  test('a trust widened to repo:<owner>/<repository>:*', async () => {
    const result = await verifyCopy(source, copy => copy.template(STACK('dev'), t => {
      const condition = role(t, ROLE('deploy', 'dev').roleName)[1].Properties.AssumeRolePolicyDocument.Statement[0].Condition;
      delete condition.StringEquals[naming.CLAIM_SUB];
      condition.StringLike = { [naming.CLAIM_SUB]: 'repo:example-org/weebler:*' };
    }));
    const found = findings(result);
    expect(found).toEqual(expect.arrayContaining([
      'trust of weebler-deploy in dev: accepts the subject pattern repo:example-org/weebler:* (StringLike) instead of exact environment subjects',
      expect.stringMatching(/^trust of weebler-deploy in dev: accepts a branch with no environment \(develop\) \[sub repo:example-org\/weebler:ref:refs\/heads\/develop\]/),
      expect.stringMatching(/^trust of weebler-deploy in dev: accepts another stage's environment \(build-tools\)/),
      expect.stringMatching(/^trust of weebler-deploy in dev: accepts a pull request/),
    ]));
    expect(found.every(f => f.includes('weebler-deploy in dev'))).toBe(true);
    const cells = result.json().rows.find((r: any) => r.id === 'trust:branch').cells;
    expect(cells).toEqual({ 'build/tools': false, 'e2e/dev': false, 'deploy/dev': true, 'deploy/prod': false });
  });

  test('aud removed', async () => {
    const found = findings(await verifyCopy(source, copy => copy.template(STACK('prod'), t => {
      delete role(t, ROLE('deploy', 'prod').roleName)[1].Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals[naming.CLAIM_AUD];
    })));
    expect(found).toEqual([
      'trust of weebler-deploy in prod: does not pin token.actions.githubusercontent.com:aud (StringEquals "sts.amazonaws.com"): a token minted for any audience is accepted',
      'trust of weebler-deploy in prod: accepts a wrong audience [sub repo:example-org/weebler:environment:deploy-prod, aud https://github.com/example-org]',
    ]);
  });

  test('a boundary removed', async () => {
    const found = findings(await verifyCopy(source, copy => copy.template(STACK('dev'), t => {
      delete role(t, ROLE('e2e', 'dev').roleName)[1].Properties.PermissionsBoundary;
    })));
    expect(found).toEqual([
      'weebler-e2e in dev: has no permissions boundary: nothing stops it from escalating through IAM once its policy allows IAM actions',
    ]);
  });

  const pushStatement = { Sid: 'E2ePush', Effect: 'Allow', Action: ECR_PUSH_ACTIONS, Resource: topology.repositories[0].arn };

  /** Adds the push actions to the e2e role's own policy. */
  function grantPushInRolePolicy(t: any): void {
    const [logicalId] = role(t, ROLE('e2e', 'dev').roleName);
    const policy = Object.values<any>(t.Resources).find(r => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === logicalId));
    policy.Properties.PolicyDocument.Statement.push(pushStatement);
  }

  test('an ECR push grant added to the e2e role\'s policy (the registry still refuses it)', async () => {
    const result = await verifyCopy(source, copy => copy.template(STACK('dev'), grantPushInRolePolicy));
    expect(findings(result)).toEqual([
      `weebler-e2e in dev: its policies allow ${ECR_PUSH_ACTIONS.map(a => `${a} (ImageAccess)`).join(', ')}, but stage e2e declares images: 'pull'`,
    ]);
    expect(result.json().rows.find((r: any) => r.id === 'ecr-push:example/app').cells['e2e/dev']).toBe(false);
  });

  test('an ECR push grant for the e2e role in its policy, its boundary and the registry', async () => {
    const e2e = ROLE('e2e', 'dev');
    const result = await verifyCopy(source, copy => {
      copy.template(STACK('dev'), t => {
        grantPushInRolePolicy(t);
        const boundary = Object.values<any>(t.Resources).find(r => r.Type === 'AWS::IAM::ManagedPolicy');
        boundary.Properties.PolicyDocument.Statement.unshift(pushStatement);
      });
      copy.template(topology.registry.stackId, t => {
        const repository = Object.values<any>(t.Resources).find(r => r.Type === 'AWS::ECR::Repository');
        repository.Properties.RepositoryPolicyText.Statement.push({
          Sid: 'E2ePush',
          Effect: 'Allow',
          Principal: { AWS: naming.accountRootArn('aws', e2e.accountId) },
          Action: ECR_PUSH_ACTIONS,
          Condition: { StringEquals: { 'aws:PrincipalArn': e2e.roleArn } },
        });
      });
    });
    expect(findings(result)).toEqual([
      'weebler-e2e in dev: can push images to example/app, but stage e2e declares images: \'pull\'',
      expect.stringMatching(/^weebler-e2e in dev: its policies allow ecr:CompleteLayerUpload \(ImageAccess\), /),
    ]);
    expect(result.json().rows.find((r: any) => r.id === 'ecr-push:example/app').cells).toEqual({
      'build/tools': true, 'e2e/dev': true, 'deploy/dev': false, 'deploy/prod': false,
    });
  });

  test('a job\'s environment renamed', async () => {
    const found = findings(await verifyCopy(source, copy => copy.yaml(WORKFLOW, w => {
      const job = Object.values<any>(w.jobs).find(j => j.environment === 'deploy-prod');
      job.environment = 'deploy-production';
    })));
    expect(found).toEqual([
      'job deploy-prod (prod): runs in environment "deploy-production", but role weebler-deploy in prod is for environment "deploy-prod"',
      'job deploy-prod (prod): runs in environment "deploy-production", which .github/stage-settings.json does not declare (GitHub would create it unprotected)',
      'job deploy-prod (prod): runs in environment "deploy-production": GitHub sends sub repo:example-org/weebler:environment:deploy-production, which the trust of weebler-deploy in prod does not accept',
    ]);
  });

  test('a settings file missing a production reviewer', async () => {
    const found = findings(await verifyCopy(source, copy => copy.json(SETTINGS, s => {
      s.environments.find((e: any) => e.name === 'deploy-prod').reviewers = [];
    })));
    expect(found).toEqual(['environment deploy-prod: is in production account prod but has no reviewers in .github/stage-settings.json']);
  });

  test('for humans: the matrix, then each finding with its fix', async () => {
    const copy = new RepositoryCopy(source);
    try {
      copy.json(SETTINGS, s => {
        s.environments.find((e: any) => e.name === 'deploy-prod').reviewers = [];
      });
      const result = await runCli(['verify'], { cwd: copy.dir });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^ECR push example\/app {2,}✔/m);
      expect(result.stdout).toContain([
        '✘ 1 finding:',
        '  environment deploy-prod: is in production account prod but has no reviewers in .github/stage-settings.json',
        '    fix: Add approval: { reviewers: [\'<org>/<team>\'] } to topology.stages.deploy in .projenrc.ts, then `npx projen` and `npx projen github:apply`.',
      ].join('\n'));
    } finally {
      copy.remove();
    }
  });

  test('id-token: write on a job without a role', async () => {
    const found = findings(await verifyCopy(source, copy => copy.yaml(WORKFLOW, w => {
      w.jobs.unit.permissions['id-token'] = 'write';
    })));
    expect(found).toEqual(['job unit: has id-token: write but assumes no role']);
  });
});

test('a registry that trusts the organization (25 accounts): every stage role pulls, only build pushes', async () => {
  const { repo, options } = manyAccounts(25, 'o-abcdef1234');
  const many = resolveTopology(repo, options);
  const dir = synthesizeRepository(many);
  try {
    const result = await runCli(['verify', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const rows = result.json().rows;
    const pull = rows.find((r: any) => r.id === 'ecr-pull:fleet/app').cells;
    const push = rows.find((r: any) => r.id === 'ecr-push:fleet/app').cells;
    expect(Object.keys(pull)).toHaveLength(26);
    expect(Object.values(pull).every(v => v === true)).toBe(true);
    expect(Object.entries(push).filter(([, v]) => v).map(([k]) => k)).toEqual(['build/acct0']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('seven accounts: matrix jobs, and pull requests without an environment', () => {
  const seven = resolveTopology(REPOSITORY, SEVEN_ACCOUNTS);
  const dir = synthesizeRepository(seven);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('exits 0; exactly the e2e roles accept pull requests', async () => {
    const result = await runCli(['verify', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const cells = result.json().rows.find((r: any) => r.id === 'trust:pull-request').cells;
    expect(Object.entries(cells).filter(([, v]) => v).map(([k]) => k)).toEqual(['e2e/sandbox', 'e2e/scratch', 'e2e/qa']);
  });

  test('an environment renamed inside a matrix job\'s lookup', async () => {
    const copy = new RepositoryCopy(dir);
    try {
      copy.yaml(WORKFLOW, w => {
        const job = Object.values<any>(w.jobs).find(j => String(j.environment ?? '').includes('"prod-eu":"deploy-prod-eu"'));
        job.environment = job.environment.replace('"prod-eu":"deploy-prod-eu"', '"prod-eu":"deploy-prod-us"');
      });
      const found = findings(await runCli(['verify', '--json'], { cwd: copy.dir }));
      expect(found).toEqual([
        expect.stringMatching(/^job deploy-\S+ \(prod-eu\): runs in environment "deploy-prod-us", but role weebler-deploy in prod-eu is for environment "deploy-prod-eu"$/),
        expect.stringMatching(/^job deploy-\S+ \(prod-eu\): runs in environment "deploy-prod-us": GitHub sends sub repo:widgetfactory\/weebler:environment:deploy-prod-us, which the trust of weebler-deploy in prod-eu does not accept$/),
      ]);
    } finally {
      copy.remove();
    }
  });
});

describe('inputs', () => {
  test('without cdk.out it says to synthesize first', async () => {
    const result = await verifyCopy(source, copy => rmSync(join(copy.dir, 'cdk.out'), { recursive: true }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: cdk.out not found: synthesize first (`npx cdk synth`; `npx projen stage:verify` does both)');
    expect(result.stdout).toBe('');
  });

  test('--cdk-out names another cloud assembly', async () => {
    const copy = new RepositoryCopy(source);
    try {
      cpSync(join(copy.dir, 'cdk.out'), join(copy.dir, 'elsewhere'), { recursive: true });
      rmSync(join(copy.dir, 'cdk.out'), { recursive: true });
      expect((await runCli(['verify', '--cdk-out', 'elsewhere'], { cwd: copy.dir })).code).toBe(0);
    } finally {
      copy.remove();
    }
  });

  test('without the simulator packages it exits 1 and says what to install and why they are not bundled', async () => {
    // The CLI as built, beside a node_modules that has everything but @cloud-copilot.
    const dir = mkdtempSync(join(tmpdir(), 'stage-verify-nosim-'));
    try {
      cpSync(dirname(builtCli()), join(dir, 'lib'), { recursive: true });
      cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
      mkdirSync(join(dir, 'node_modules'));
      for (const entry of readdirSync(join(ROOT, 'node_modules')).filter(e => e !== '@cloud-copilot')) {
        symlinkSync(join(ROOT, 'node_modules', entry), join(dir, 'node_modules', entry));
      }
      expect(existsSync(join(dir, 'node_modules', '@cloud-copilot'))).toBe(false);
      const result = await runCli(['verify'], { cwd: source, cli: join(dir, 'lib', 'cli.js') });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('verify simulates IAM with @cloud-copilot/iam-simulate and @cloud-copilot/iam-policy, which are not installed in');
      expect(result.stderr).toContain('npm install --save-dev @cloud-copilot/iam-simulate@^0.1.173 @cloud-copilot/iam-policy@^0.1.109');
      expect(result.stderr).toContain('They are AGPL-3.0; @org/stage-project is Apache-2.0, so it neither bundles them nor depends on them.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the compiled CLI does not load the simulator packages until verify runs', () => {
    const lib = dirname(builtCli());
    const files = readdirSync(lib, { recursive: true }).map(String).filter(f => f.endsWith('.js'));
    const importing = files.filter(f => /require\(["']@cloud-copilot|from ["']@cloud-copilot/.test(readFileSync(join(lib, f), 'utf-8')));
    expect(importing).toEqual([]);
  });
});
