import { EXAMPLE_TOPOLOGY } from '../../src/example';
import { normaliseTopology, TopologyProblem } from '../../src/topology/normalise';
import { GitHubRepositoryOptions, TopologyOptions } from '../../src/topology/options';

const REPO: GitHubRepositoryOptions = { owner: 'widgetfactory', repository: 'weebler' };

/** The example topology with a change applied; a deep copy, so cases never leak into each other. */
function variant(change: (t: any) => void, base: TopologyOptions = EXAMPLE_TOPOLOGY): TopologyOptions {
  const copy = JSON.parse(JSON.stringify(base));
  change(copy);
  return copy;
}

function problems(topology: TopologyOptions, repo: GitHubRepositoryOptions = REPO): TopologyProblem[] {
  const result = normaliseTopology(repo, topology);
  if (result.problems.length > 0) {
    expect(result.topology).toBeUndefined();
  }
  return result.problems;
}

function expectOnly(found: TopologyProblem[], path: string, message: RegExp) {
  expect(found.map(p => `${p.path}: ${p.message}`)).toEqual([expect.stringMatching(new RegExp(`^${escape(path)}: ${message.source}`))]);
}

function escape(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('the example topology is valid', () => {
  expect(problems(EXAMPLE_TOPOLOGY)).toEqual([]);
});

describe('accounts', () => {
  test.each([
    ['12345', /AWS account id must be exactly 12 digits, got "12345"/],
    ['1234567890123', /AWS account id must be exactly 12 digits, got "1234567890123"/],
    ['12345678901a', /AWS account id must be exactly 12 digits/],
  ])('id %s is rejected', (id, message) => {
    expectOnly(problems(variant(t => { t.accounts.dev.id = id; })), 'topology.accounts.dev.id', message);
  });

  test('a numeric id says to quote it', () => {
    expectOnly(problems(variant(t => { t.accounts.dev.id = 222222222222; })), 'topology.accounts.dev.id', /.*write it as a quoted string/);
  });

  test('the same id under two names', () => {
    expectOnly(problems(variant(t => { t.accounts.prod.id = t.accounts.dev.id; })), 'topology.accounts.prod.id',
      /account id 222222222222 is already used by account "dev"/);
  });

  test('an account name that is not a DNS label', () => {
    const found = problems(variant(t => {
      t.accounts.Dev_1 = t.accounts.dev;
      delete t.accounts.dev;
      t.stages.e2e.accounts = ['Dev_1'];
      t.stages.deploy.accounts = ['Dev_1', 'prod'];
      t.pipeline = undefined;
    }));
    expectOnly(found, 'topology.accounts.Dev_1', /account name "Dev_1" must be a lowercase DNS-style label/);
  });

  test('a production account without branches', () => {
    expectOnly(problems(variant(t => { delete t.accounts.prod.branches; })), 'topology.accounts.prod.branches',
      /production account "prod" must list the branches allowed to reach it/);
  });

  test('an unknown region string', () => {
    expectOnly(problems(variant(t => { t.accounts.dev.region = 'us-east-7'; })), 'topology.accounts.dev.region',
      /unknown region "us-east-7" .*did you mean "us-east-1"\?/);
    expectOnly(problems(variant(t => { t.defaultRegion = 'mars-1'; })), 'topology.defaultRegion', /unknown region "mars-1"/);
  });

  test('regions from two partitions', () => {
    expectOnly(problems(variant(t => { t.accounts.dev.region = 'cn-north-1'; })), 'topology.accounts.dev.region',
      /region "cn-north-1" is in partition aws-cn but the topology is in aws/);
  });

  test('a typo in a field name is not silently ignored', () => {
    expectOnly(problems(variant(t => { t.accounts.prod.prodution = true; })), 'topology.accounts.prod.prodution',
      /unknown field; did you mean "production"\?/);
  });
});

describe('registry and repositories', () => {
  test('an unknown registry account', () => {
    expectOnly(problems(variant(t => { t.registry.account = 'tool'; })), 'topology.registry.account',
      /unknown account "tool" \(known: tools, dev, prod\); did you mean "tools"\?/);
  });

  test.each([
    ['Widget/API'],
    ['a'],
    ['-leading'],
    ['double//slash'],
    ['trailing/'],
  ])('invalid ECR repository name %s', name => {
    expectOnly(problems(variant(t => { t.repositories = [name]; })), 'topology.repositories[0]', /invalid ECR repository name/);
  });

  test('a repository listed twice', () => {
    expectOnly(problems(variant(t => { t.repositories = ['example/app', 'example/app']; })), 'topology.repositories[1]', /repository "example\/app" is listed twice/);
  });
});

describe('stages', () => {
  test('an unknown account in a stage', () => {
    expectOnly(problems(variant(t => { t.stages.deploy.accounts = ['dev', 'prd']; t.pipeline = undefined; })),
      'topology.stages.deploy.accounts[1]', /unknown account "prd" \(known: tools, dev, prod\); did you mean "prod"\?/);
  });

  test('a stage name that is not a DNS label', () => {
    expectOnly(problems(variant(t => { t.stages.E2E = t.stages.e2e; delete t.stages.e2e; t.pipeline = undefined; })),
      'topology.stages.E2E', /stage name "E2E" must be a lowercase DNS-style label/);
  });

  test('push access in a stage that does not run in the registry account', () => {
    expectOnly(problems(variant(t => { t.stages.build.accounts = ['dev']; })), 'topology.stages.build.images',
      /"push" image access needs a role in the registry account "tools" \(add "tools" to topology.stages.build.accounts/);
  });

  test('an unknown image access', () => {
    expectOnly(problems(variant(t => { t.stages.e2e.images = 'read'; })), 'topology.stages.e2e.images',
      /image access must be one of "none", "pull", "push", got "read"/);
  });

  test('image access without repositories', () => {
    const found = problems(variant(t => { t.repositories = []; }));
    expect(found.map(p => p.path)).toEqual(['topology.stages.build.images', 'topology.stages.e2e.images', 'topology.stages.deploy.images']);
  });

  test('pullRequests on a stage that reaches a production account', () => {
    expectOnly(problems(variant(t => { t.stages.deploy.pullRequests = true; })), 'topology.stages.deploy.pullRequests',
      /pull requests may not assume roles in production account "prod"/);
  });

  test('a stage reaching production without reviewers', () => {
    expectOnly(problems(variant(t => { delete t.stages.deploy.approval; })), 'topology.stages.deploy.approval.reviewers',
      /stage reaches production account "prod", which require at least one reviewer/);
  });

  test('a derived role name over 64 characters', () => {
    const repo = { owner: 'widgetfactory', repository: 'a-repository-name-that-is-quite-long-already' };
    const found = problems(variant(t => {
      t.stages['deploy-to-the-production-fleet'] = t.stages.deploy;
      delete t.stages.deploy;
      t.pipeline = undefined;
    }), repo);
    expectOnly(found, 'topology.stages.deploy-to-the-production-fleet',
      /derived role name "a-repository-name-that-is-quite-long-already-deploy-to-the-production-fleet" is 75 characters; IAM allows 64/);
  });

  test('invalid policy statements name the statement and the field', () => {
    const found = problems(variant(t => {
      t.stages.e2e.policyStatements = [{ effect: 'allow', actions: ['s3 GetObject'] }, { resources: ['*'] }];
    }));
    expect(found.map(p => p.path)).toEqual([
      'topology.stages.e2e.policyStatements[0].effect',
      'topology.stages.e2e.policyStatements[0].actions[0]',
      'topology.stages.e2e.policyStatements[1]',
    ]);
  });

  test('an invalid managed policy ARN', () => {
    expectOnly(problems(variant(t => { t.stages.e2e.managedPolicyArns = ['ReadOnlyAccess']; })),
      'topology.stages.e2e.managedPolicyArns[0]', /invalid managed policy ARN "ReadOnlyAccess"/);
  });

  test('approval limits', () => {
    const found = problems(variant(t => {
      t.stages.deploy.approval = { reviewers: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], waitTimerMinutes: -1 };
    }));
    expect(found.map(p => p.path)).toEqual(['topology.stages.deploy.approval.reviewers', 'topology.stages.deploy.approval.waitTimerMinutes']);
  });
});

describe('pipeline', () => {
  test('an unknown stage in the pipeline', () => {
    expectOnly(problems(variant(t => { t.pipeline[3].stage = 'e2w'; })), 'topology.pipeline[3].stage',
      /unknown stage "e2w" \(known: unit, build, e2e, deploy\); did you mean "e2e"\?/);
  });

  test('an unknown account in a pipeline step', () => {
    expectOnly(problems(variant(t => { t.pipeline[4].accounts = ['tools']; })), 'topology.pipeline[4].accounts[0]',
      /unknown account "tools" for this step \(stage "deploy" has roles in dev, prod/);
  });

  test('an empty pipeline', () => {
    expectOnly(problems(variant(t => { t.pipeline = []; })), 'topology.pipeline', /empty pipeline/);
  });

  test('a duplicate pipeline step', () => {
    expectOnly(problems(variant(t => { t.pipeline.push({ stage: 'deploy', accounts: ['dev'] }); })), 'topology.pipeline[5]',
      /duplicate step: stage "deploy" already runs in account "dev" at topology.pipeline\[2\]/);
    expectOnly(problems(variant(t => { t.pipeline.push({ stage: 'unit' }); })), 'topology.pipeline[5]',
      /duplicate step: stage "unit" already runs at topology.pipeline\[0\]/);
  });
});

describe('repository coordinates', () => {
  test.each([
    [{ owner: '-bad', repository: 'weebler' }, 'githubRepository.owner', /invalid GitHub owner "-bad"/],
    [{ owner: 'a'.repeat(40), repository: 'weebler' }, 'githubRepository.owner', /invalid GitHub owner/],
    [{ owner: 'widgetfactory', repository: 'has space' }, 'githubRepository.repository', /invalid GitHub repository name "has space"/],
    [{ owner: 'widgetfactory', repository: '..' }, 'githubRepository.repository', /invalid GitHub repository name/],
    [{ owner: 'widgetfactory', repository: 'weebler', ownerId: 12 }, 'githubRepository.repositoryId', /immutable OIDC subjects need both/],
  ])('%j', (repo, path, message) => {
    expectOnly(problems(EXAMPLE_TOPOLOGY, repo as GitHubRepositoryOptions), path, message);
  });
});

test('several mistakes are all reported in one run', () => {
  const found = problems(variant(t => {
    t.accounts.dev.id = '22';
    t.registry.account = 'tool';
    t.stages.deploy.accounts = ['dev', 'prd'];
    t.pipeline[0].stage = 'unti';
  }), { owner: 'widgetfactory', repository: 'bad name' });
  expect(found.map(p => p.path)).toEqual([
    'githubRepository.repository',
    'topology.accounts.dev.id',
    'topology.registry.account',
    'topology.stages.deploy.accounts[1]',
    'topology.pipeline[0].stage',
    'topology.pipeline[4].accounts[0]',
  ]);
});
