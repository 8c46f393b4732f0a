/**
 * `stage-project fleet status` over 200 repositories against the loopback GitHub API
 * and npm registry of test/fleet, the CLI run as a child process (as users run it).
 * Measured at the default concurrency, with `--concurrency 1` as the baseline measured
 * in the same run, interleaved so that a busy machine slows both alike.
 *
 *   npx ts-node --transpile-only bench/fleet.ts [--runs N]
 *
 * Prints a table, writes bench/results/fleet.md, and exits 1 when the median at the
 * default concurrency is not under the budget (10 s, from issue #7).
 */
import { mkdirSync, writeFileSync } from 'fs';
import { cpus, loadavg } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { DEFAULT_CONCURRENCY } from '../src/fleet/commands';
import { fleetArgs, startFleet } from '../test/fleet/helpers';
import { builtCli } from '../test/settings/helpers';

const REPOSITORIES = 200;
const BUDGET_MS = 10_000;
const RESULTS = join(__dirname, 'results', 'fleet.md');

interface Series {
  readonly label: string;
  readonly args: string[];
  readonly ms: number[];
  requests: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<number> {
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
  if (!Number.isInteger(runs) || runs < 5) {
    throw new Error('--runs must be a whole number, at least 5');
  }
  // Compile the CLI and synthesize the seed's workflow before anything is timed.
  builtCli();
  const env = await startFleet();
  try {
    const series: Series[] = [
      { label: `default concurrency (${DEFAULT_CONCURRENCY})`, args: [], ms: [], requests: 0 },
      { label: 'baseline: --concurrency 1', args: ['--concurrency', '1'], ms: [], requests: 0 },
    ];
    // One unmeasured run warms the OS file cache and npm's.
    await env.run(fleetArgs(env, 'status', '--json'));
    for (let i = 0; i < runs; i++) {
      for (const s of series) {
        env.fake.resetCounts();
        const start = performance.now();
        const result = await env.run(fleetArgs(env, 'status', '--json', ...s.args));
        const ms = performance.now() - start;
        // 2: some repositories are behind, as seeded. Anything else is a broken run, not a slow one.
        if (result.code !== 2 || result.json().repositories.length !== REPOSITORIES) {
          throw new Error(`fleet status exited ${result.code}:\n${result.stderr}`);
        }
        s.ms.push(ms);
        s.requests = env.fake.requests.length;
        process.stderr.write(`run ${i + 1}/${runs} ${s.label}: ${seconds(ms)}\n`);
      }
    }

    const [measured, baseline] = series;
    const ratio = median(baseline.ms) / median(measured.ms);
    const pass = median(measured.ms) < BUDGET_MS;
    const rows = series.map(s => `| ${s.label} | ${s.ms.length} | ${seconds(median(s.ms))} | ${seconds(Math.min(...s.ms))} – ${seconds(Math.max(...s.ms))} | ${s.requests} |`);
    const table = [
      '| fleet status, 200 repositories | runs | median | min – max | requests per run |',
      '| --- | --- | --- | --- | --- |',
      ...rows,
    ];
    const md = [
      '## fleet status over 200 repositories',
      '',
      `\`stage-project fleet status --json\` as a child process against the loopback GitHub API and npm registry of test/fleet
(${REPOSITORIES} consumers at mixed versions, 216 repositories in the organization), wall time from spawn to exit.`,
      '',
      ...table,
      '',
      `Default concurrency is ${ratio.toFixed(1)}x the sequential baseline. Budget: median under ${seconds(BUDGET_MS)} at the default concurrency: **${pass ? 'pass' : 'FAIL'}**.`,
      '',
      `Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg().map(l => l.toFixed(2)).join(' ')} at the end; \`npx ts-node --transpile-only bench/fleet.ts\`.`,
      '',
    ].join('\n');
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(RESULTS, md);
    process.stdout.write(`${table.join('\n')}\n\nratio ${ratio.toFixed(1)}x; budget ${seconds(BUDGET_MS)}: ${pass ? 'pass' : 'FAIL'}\nwrote ${RESULTS}\n`);
    return pass ? 0 : 1;
  } finally {
    await env.stop();
  }
}

main().then(code => {
  process.exitCode = code;
}, error => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exitCode = 1;
});
