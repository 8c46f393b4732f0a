/**
 * `stage-project fleet status` over 200 repositories against the loopback GitHub API
 * and npm registry of test/fleet, the CLI run as a child process (as users run it).
 * Measured at the default concurrency, with `--concurrency 1` as the baseline measured
 * in the same run, interleaved so that a busy machine slows both alike.
 *
 *   npx ts-node --transpile-only bench/fleet.ts [--runs N]   (default 5)
 *
 * Prints a table, writes bench/results/fleet.md, and exits 1 when the median at the
 * default concurrency is not under the budget (10 s, from issue #7).
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { formatSummary, markdownTable, runsFromArgs, seconds, summarise } from './lib/measure';
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

/**
 * Alternates the two series like bench/lib/measure's \`alternate\`, but awaits each run:
 * the loopback servers live in this process, so a synchronous child would block them.
 */
async function main(): Promise<number> {
  const runs = runsFromArgs();
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
      }
      process.stderr.write(`  run ${i + 1}/${runs}: ${series.map(s => `${seconds(s.ms[i])} s`).join(' vs ')}\n`);
    }

    const summaries = series.map(s => summarise(s.ms));
    const [measured, baseline] = summaries;
    const pass = measured.median < BUDGET_MS;
    const table = markdownTable(
      ['fleet status, 200 repositories', 'requests', 'wall time', 'vs baseline'],
      series.map((s, i) => [s.label, String(s.requests), formatSummary(summaries[i]), `${(summaries[i].median / baseline.median).toFixed(2)}x`]),
    );
    const md = [
      '## fleet status over 200 repositories',
      '',
      `\`stage-project fleet status --json\` as a child process (node startup, module loading and \`npm view\` included) against the loopback GitHub API and npm registry of test/fleet: ${REPOSITORIES} consumers at mixed versions among 216 repositories of the organization, ${runs} runs each, alternating.`,
      '',
      table,
      '',
      `Budget (issue #7): under ${seconds(BUDGET_MS)} s at the default concurrency: ${pass ? 'met' : '**not met**'}.`,
      '',
    ].join('\n');
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(RESULTS, md);
    process.stdout.write(`${table}\n\nbudget ${seconds(BUDGET_MS)} s: ${pass ? 'met' : 'NOT MET'}\nwrote ${RESULTS}\n`);
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
