import { GitHubRepositoryOptions, TopologyOptions } from './topology/options';

/**
 * The topology `projen new --from @org/stage-project` writes into `.projenrc.ts`:
 * three accounts with obviously fake ids, the four classic stages and one image
 * repository. Edit it there; this copy only seeds new repositories.
 */
export const EXAMPLE_TOPOLOGY: TopologyOptions = {
  defaultRegion: 'us-east-1',
  accounts: {
    tools: { id: '111111111111' },
    dev: { id: '222222222222', branches: ['develop', 'main'] },
    prod: { id: '333333333333', production: true, branches: ['main'] },
  },
  registry: { account: 'tools' },
  repositories: ['example/app'],
  stages: {
    unit: {},
    build: { accounts: ['tools'], images: 'push' },
    e2e: { accounts: ['dev'], images: 'pull' },
    deploy: {
      accounts: ['dev', 'prod'],
      images: 'pull',
      policyStatements: [
        { actions: ['sts:AssumeRole'], resources: ['arn:aws:iam::*:role/cdk-hnb659fds-*'] },
      ],
      approval: { reviewers: ['example-org/platform-team'] },
    },
  },
  pipeline: [
    { stage: 'unit' },
    { stage: 'build' },
    { stage: 'deploy', accounts: ['dev'] },
    { stage: 'e2e', accounts: ['dev'] },
    { stage: 'deploy', accounts: ['prod'] },
  ],
};

/** Placeholder coordinates for a new repository; the owner is meant to be replaced. */
export function exampleRepository(packageName: string): GitHubRepositoryOptions {
  const repository = packageName.replace(/^@[^/]+\//, '').replace(/[^A-Za-z0-9._-]/g, '-') || 'my-repo';
  return { owner: 'example-org', repository };
}

/** With org defaults, a new repository's `.projenrc.ts` says only what is its own: its image repository. */
export function exampleOwnTopology(repo: GitHubRepositoryOptions): TopologyOptions {
  const name = repo.repository.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'app';
  return { repositories: [`${name}/app`] };
}
