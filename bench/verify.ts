/**
 * How long `stage-project verify` takes: the CLI as a child process (the published lib's
 * shape, transpiled from src/ once) on the synthesized outputs of a 10-account x 6-stage
 * topology (60 stage roles), against the 3-account example (4 roles) measured in the same
 * run. Requirement (issue 6): under 10 s for the large topology.
 *
 *   npx ts-node --transpile-only bench/verify.ts [--runs 5]
 *
 * Prints a table and writes bench/results/verify.md (collected into bench/RESULTS.md).
 */
import { spawnSync } from 'child_process';
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { cpus } from 'os';
import { join } from 'path';
import { resolveTopology } from '../src/topology/normalise';
import { TopologyOptions } from '../src/topology/options';
import { exampleTopology } from '../test/cdk/fixtures';
import { builtCli } from '../test/settings/helpers';
import { synthesizeRepository } from '../test/verify/support';

const LIMIT_SECONDS = 10;
const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag > 0 ? Math.max(5, parseInt(process.argv[runsFlag + 1], 10)) : 5;

/** Ten accounts (two production, reached from main only) and six stages, five of them with a role in every account. */
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

interface Measured {
  readonly name: string;
  readonly roles: number;
  readonly decisions: number;
  readonly seconds: number[];
}

function measure(name: string, dir: string, roles: number): Measured {
  const cli = builtCli();
  const seconds: number[] = [];
  let decisions = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [cli, 'verify', '--json'], { cwd: dir, encoding: 'utf-8' });
    seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
    if (result.status !== 0) {
      throw new Error(`verify exited ${result.status} on ${name}:\n${result.stderr}\n${result.stdout.slice(0, 4000)}`);
    }
    decisions = JSON.parse(result.stdout).simulations;
  }
  return { name, roles, decisions, seconds };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main(): void {
  const example = exampleTopology();
  const large = resolveTopology({ owner: 'fleet-org', repository: 'fleet' }, largeTopology());
  process.stderr.write('synthesizing both repositories (not timed)\n');
  const dirs = [synthesizeRepository(example), synthesizeRepository(large)];
  try {
    builtCli();
    process.stderr.write(`running verify ${RUNS} times on each\n`);
    const results = [measure('example: 3 accounts x 4 stages', dirs[0], example.roles.length), measure('10 accounts x 6 stages', dirs[1], large.roles.length)];
    const [baseline, big] = results;
    const f = (s: number) => s.toFixed(2);
    const rows = results.map(r => [
      r.name, String(r.roles), String(r.decisions), f(median(r.seconds)), `${f(Math.min(...r.seconds))}–${f(Math.max(...r.seconds))}`,
      `${(median(r.seconds) / median(baseline.seconds)).toFixed(2)}x`,
    ]);
    const header = ['topology', 'roles', 'IAM decisions', 'median s', 'min–max s', 'vs example'];
    const pass = median(big.seconds) < LIMIT_SECONDS;
    const markdown = [
      '## verify',
      '',
      `\`stage-project verify --json\` as a child process (node startup and module loading included), ${RUNS} runs each, `
      + `on ${cpus().length} CPU${cpus().length === 1 ? '' : 's'} (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}. `
      + 'Synthesis (`cdk synth`, `npx projen`) is not included.',
      '',
      `| ${header.join(' | ')} |`,
      `| ${header.map(() => '---').join(' | ')} |`,
      ...rows.map(r => `| ${r.join(' | ')} |`),
      '',
      `Requirement: the 10 x 6 topology under ${LIMIT_SECONDS} s: ${pass ? 'met' : 'NOT met'} (median ${f(median(big.seconds))} s).`,
      '',
    ].join('\n');
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
    console.log([header, ...rows].map(r => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n'));
    console.log(`\n10 x 6 under ${LIMIT_SECONDS} s: ${pass ? 'yes' : 'NO'}`);
    const out = join(__dirname, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'verify.md'), markdown);
    process.stderr.write(`wrote ${join('bench', 'results', 'verify.md')}\n`);
    process.exitCode = pass ? 0 : 1;
  } finally {
    for (const dir of dirs) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main();
