import { GitHubRepositoryOptions, PipelineStepOptions, StageOptions, TopologyOptions } from '../../src/topology/options';

/**
 * Topologies of a given size, for the scale tests and the benchmarks: `accounts` accounts
 * (a tools account hosting the registry, then about 60% development accounts reached from
 * `develop` and `main` and 40% production accounts reached from `main`), `stages` stages
 * (`unit` without AWS access, `build` pushing images in the tools account, the others in
 * every development and production account) and `repositories` image repositories. The
 * pipeline promotes each stage through the development accounts, then the production ones,
 * one matrix job per (stage, tier). The registry trusts the organization by id.
 */
export interface ScaleTopology {
  readonly name: string;
  readonly githubRepository: GitHubRepositoryOptions;
  readonly topology: TopologyOptions;
}

export const SCALE_STAGE_NAMES = ['unit', 'build', 'deploy', 'e2e', 'smoke', 'perf', 'audit', 'migrate', 'canary', 'rollout', 'report', 'cleanup'];
const PULLING = new Set(['deploy', 'e2e', 'smoke', 'canary']);
const WRITING = new Set(['deploy', 'migrate']);
export const SCALE_ORGANIZATION_ID = 'o-a1b2c3d4e5';

function stagePolicy(stage: string): StageOptions['policyStatements'] {
  if (stage === 'deploy' || stage === 'migrate') {
    return [{ sid: 'CdkBootstrapRoles', actions: ['sts:AssumeRole'], resources: ['arn:aws:iam::*:role/cdk-hnb659fds-*'] }];
  }
  return [{ sid: `${stage[0].toUpperCase()}${stage.slice(1)}Reads`, actions: ['cloudwatch:GetMetricData', 'logs:FilterLogEvents'], resources: ['*'] }];
}

export function scaleTopology(accountCount: number, stageCount: number, repositoryCount: number): ScaleTopology {
  if (accountCount < 3 || stageCount < 3 || stageCount > SCALE_STAGE_NAMES.length) {
    throw new Error(`scaleTopology: needs at least 3 accounts and 3 to ${SCALE_STAGE_NAMES.length} stages, got ${accountCount} x ${stageCount}`);
  }
  const width = String(accountCount).length;
  const id = (i: number) => String(100000000000 + i);
  const developmentCount = Math.min(accountCount - 2, Math.max(1, Math.round((accountCount - 1) * 0.6)));
  const development = Array.from({ length: developmentCount }, (_, i) => `dev-${String(i + 1).padStart(width, '0')}`);
  const production = Array.from({ length: accountCount - 1 - developmentCount }, (_, i) => `prod-${String(i + 1).padStart(width, '0')}`);

  const accounts: TopologyOptions['accounts'] = { tools: { id: id(0) } };
  development.forEach((name, i) => { accounts[name] = { id: id(1 + i), branches: ['develop', 'main'] }; });
  production.forEach((name, i) => { accounts[name] = { id: id(1 + development.length + i), production: true, branches: ['main'] }; });

  const names = SCALE_STAGE_NAMES.slice(0, stageCount);
  const stages: { [name: string]: StageOptions } = {};
  for (const stage of names) {
    if (stage === 'unit') {
      stages[stage] = {};
    } else if (stage === 'build') {
      stages[stage] = { accounts: ['tools'], images: repositoryCount > 0 ? 'push' : 'none' };
    } else {
      stages[stage] = {
        accounts: [...development, ...production],
        images: PULLING.has(stage) && repositoryCount > 0 ? 'pull' : 'none',
        writes: WRITING.has(stage),
        policyStatements: stagePolicy(stage),
        approval: { reviewers: ['widgetfactory/platform'] },
      };
    }
  }
  const pipeline: PipelineStepOptions[] = [{ stage: 'unit' }, { stage: 'build' }];
  for (const tier of [development, production]) {
    for (const stage of names.slice(2)) {
      pipeline.push({ stage, accounts: tier });
    }
  }
  const repositories = Array.from({ length: repositoryCount }, (_, i) => `widgetfactory/fleet/service-${String(i + 1).padStart(3, '0')}`);
  return {
    name: `${accountCount}x${stageCount}x${repositoryCount}`,
    githubRepository: { owner: 'widgetfactory', repository: 'fleet' },
    topology: {
      defaultRegion: 'us-east-1',
      organizationId: SCALE_ORGANIZATION_ID,
      accounts,
      registry: { account: 'tools' },
      repositories,
      stages,
      pipeline,
    },
  };
}
