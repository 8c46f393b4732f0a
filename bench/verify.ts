/**
 * How long `stage-project verify` takes: the CLI as a child process (the published lib's
 * shape, transpiled from src/ once) on the synthesized outputs of a 10-account x 6-stage
 * topology, against the 3-account example measured in the same run, alternating the two so
 * that a busy machine slows both alike. Budget (issue #6): under 10 s for the large topology.
 *
 *   npx ts-node --transpile-only bench/verify.ts [--runs N]
 *
 * Prints a table, writes bench/results/verify.md, and exits 1 when the large topology's
 * median is not under the budget.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { performance } from 'perf_hooks';
import { StageTopology } from '../src/topology/model';
import { resolveTopology } from '../src/topology/normalise';
import { TopologyOptions } from '../src/topology/options';
import { exampleTopology } from '../test/cdk/fixtures';
import { builtCli } from '../test/settings/helpers';
import { synthesizeRepository } from '../test/verify/support';

const BUDGET_MS = 10_000;
const RESULTS = join(__dirname, 'results', 'verify.md');

/**
 * Ten accounts (two production, reached from main only) and six stages: `unit` without AWS
 * access, five with a role in every account (`build` pushes in the registry account only).
 */
function largeTopology(): TopologyOptions {
  const accounts: TopologyOptions['accounts'] = {};
  for (let i = 0; i < 10; i++) {
    const production = i >= 8;
    accounts[`acct${i}`] = { id: String(200000000000 + i), production, branches: production ? ['main'] : ['develop', 'main'] };
  }
  const all = Object.keys(accounts);
  const approval = { reviewers: ['fleet-org/platform'] };
  return {
    accounts,
    registry: { account: 'acct0' },
    organizationId: 'o-abcdef1234',
    repositories: ['fleet/api', 'fleet/worker'],
    stages: {
      unit: {},
      build: { accounts: all, images: 'push', approval },
      e2e: { accounts: all, images: 'pull', approval },
      deploy: {
        accounts: all,
        images: 'pull',
        policyStatements: [{ actions: ['sts:AssumeRole'], resources: ['arn:aws:iam::*:role/cdk-hnb659fds-*'] }],
        approval,
      },
      smoke: { accounts: all, approval },
      audit: { accounts: all, policyStatements: [{ actions: ['cloudtrail:LookupEvents'], resources: ['*'] }], approval },
    },
  };
}

interface Series {
  readonly label: string;
  readonly topology: StageTopology;
  readonly dir: string;
  readonly ms: number[];
  decisions: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const spread = (ms: number[]) => `${seconds(median(ms))} (${seconds(Math.min(...ms))}–${seconds(Math.max(...ms))})`;

function runOnce(cli: string, series: Series): void {
  const started = performance.now();
  const result = spawnSync(process.execPath, [cli, 'verify', '--json'], { cwd: series.dir, encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
  series.ms.push(performance.now() - started);
  if (result.status !== 0) {
    throw new Error(`verify exited ${result.status} on ${series.label}:\n${result.stderr}\n${result.stdout.slice(0, 4000)}`);
  }
  series.decisions = JSON.parse(result.stdout).simulations;
}

function main(): number {
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag >= 0 ? Number(process.argv[runsFlag + 1]) : 5;
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`--runs: expected a whole number of runs, got ${process.argv[runsFlag + 1]}`);
  }
  process.stderr.write('synthesizing both repositories (not timed)\n');
  const example = exampleTopology();
  const large = resolveTopology({ owner: 'fleet-org', repository: 'fleet' }, largeTopology());
  const series: Series[] = [
    { label: 'example: 3 accounts x 4 stages', topology: example, dir: synthesizeRepository(example), ms: [], decisions: 0 },
    { label: '10 accounts x 6 stages', topology: large, dir: synthesizeRepository(large), ms: [], decisions: 0 },
  ];
  try {
    const cli = builtCli();
    process.stderr.write(`running verify ${runs} times on each, alternating\n`);
    for (let i = 0; i < runs; i++) {
      for (const s of series) {
        runOnce(cli, s);
      }
    }
  } finally {
    for (const s of series) {
      rmSync(s.dir, { recursive: true, force: true });
    }
  }

  const [baseline, big] = series;
  const header = ['topology', 'stage roles', 'IAM decisions', 'wall time', 'vs example'];
  const rows = series.map(s => [
    s.label, String(s.topology.roles.length), String(s.decisions), spread(s.ms), `${(median(s.ms) / median(baseline.ms)).toFixed(2)}x`,
  ]);
  const met = median(big.ms) < BUDGET_MS;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  console.log([header, ...rows].map(r => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n'));
  console.log(`\nbudget: 10 x 6 under ${seconds(BUDGET_MS)}: ${met ? 'met' : 'NOT met'}`);

  const md = [
    '## verify: the access matrix by IAM simulation',
    '',
    '`stage-project verify --json` as a child process (node startup and module loading included) on the synthesized outputs of each'
    + ` topology, ${runs} runs each, alternating. Synthesis (\`cdk synth\`, \`npx projen\`) is not timed.`,
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map(r => `| ${r.join(' | ')} |`),
    '',
    `Budget (issue #6): the 10 x 6 topology under ${seconds(BUDGET_MS)}: ${met ? 'met' : '**not met**'}.`,
    '',
  ].join('\n');
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, md);
  process.stderr.write(`wrote ${RESULTS}\n`);
  return met ? 0 : 1;
}

process.exitCode = main();
