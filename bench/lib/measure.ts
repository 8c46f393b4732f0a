import { execFileSync } from 'child_process';
import { CommandError } from '../../scripts/lib/exec';

/** Median and range of a series of timings, in milliseconds. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function summarise(samples: number[]): Summary {
  if (samples.length === 0) {
    throw new Error('summarise: no samples');
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

/** `1.23 s (1.10–1.40)`. */
export function formatSummary(s: Summary): string {
  return `${seconds(s.median)} s (${seconds(s.min)}–${seconds(s.max)})`;
}

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

/** Runs a command to completion and returns its wall time in milliseconds; fails with its output. */
export function timed(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  try {
    execFileSync(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  } catch (e: any) {
    throw new CommandError(`${cmd} ${args.join(' ')}`, cwd, `${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Measures two commands in the same run, alternating A, B, A, B..., so that a change in the
 * machine's load hits both alike.
 */
export function alternate(runs: number, a: () => number, b: () => number, progress: (line: string) => void): [Summary, Summary] {
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(a());
    bs.push(b());
    progress(`  run ${i + 1}/${runs}: ${seconds(as[i])} s vs ${seconds(bs[i])} s`);
  }
  return [summarise(as), summarise(bs)];
}

/** The number of runs: `--runs N` on the command line, else BENCH_RUNS, else 5. */
export function runsFromArgs(argv: string[] = process.argv.slice(2)): number {
  const index = argv.indexOf('--runs');
  const raw = index >= 0 ? argv[index + 1] : process.env.BENCH_RUNS;
  const runs = raw === undefined ? 5 : Number(raw);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`--runs must be a whole number of at least 1, got ${JSON.stringify(raw)}`);
  }
  return runs;
}

/** A Markdown table. */
export function markdownTable(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map(r => `| ${r.join(' | ')} |`),
  ].join('\n');
}
