/**
 * The one entry point of the benchmarks: runs every `bench/*.ts` script except this one, one
 * after the other (each prints its table and writes `bench/results/<name>.md`), then joins the
 * results into `bench/RESULTS.md` under a description of the machine.
 *
 *   npx ts-node --transpile-only bench/run.ts [--only synth,fleet] [--runs N] [other arguments for the scripts]
 *
 * Arguments other than `--only` are passed to every script (`--runs N`: runs per comparison,
 * default 5). With `--only`, the other scripts do not run but their earlier results are kept.
 */
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { cpus, freemem, loadavg, release, totalmem, type } from 'os';
import { basename, join } from 'path';

const BENCH = __dirname;
const RESULTS = join(BENCH, 'results');

function scripts(only: string[] | undefined): string[] {
  const all = readdirSync(BENCH)
    .filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== 'run.ts' && !f.startsWith('.'))
    .map(f => basename(f, '.ts'))
    .sort();
  if (only === undefined) {
    return all;
  }
  const unknown = only.filter(name => !all.includes(name));
  if (unknown.length > 0) {
    throw new Error(`--only: no bench/${unknown[0]}.ts (scripts: ${all.join(', ')})`);
  }
  return all.filter(name => only.includes(name));
}

function version(cmd: string): string {
  try {
    return execFileSync(cmd, ['--version'], { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function machine(): string {
  const cpu = cpus();
  const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  return [
    `- date: ${new Date().toISOString()}`,
    `- CPU: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores`,
    `- memory: ${gib(totalmem())} (${gib(freemem())} free at the end)`,
    `- OS: ${type()} ${release()}`,
    `- node ${process.version}, npm ${version('npm')}`,
    `- load average at the end (1, 5, 15 min): ${loadavg().map(l => l.toFixed(2)).join(', ')}; the machine is shared, so other work may have run meanwhile`,
  ].join('\n');
}

function main() {
  const argv = process.argv.slice(2);
  const onlyIndex = argv.indexOf('--only');
  const only = onlyIndex >= 0 ? argv[onlyIndex + 1].split(',') : undefined;
  const passed = onlyIndex >= 0 ? [...argv.slice(0, onlyIndex), ...argv.slice(onlyIndex + 2)] : argv;

  const failed: string[] = [];
  for (const name of scripts(only)) {
    process.stderr.write(`==> bench/${name}.ts\n`);
    const result = spawnSync('npx', ['ts-node', '--transpile-only', join(BENCH, `${name}.ts`), ...passed], { stdio: 'inherit', cwd: join(BENCH, '..') });
    if (result.status !== 0) {
      failed.push(name);
    }
  }

  const sections = existsSync(RESULTS)
    ? readdirSync(RESULTS).filter(f => f.endsWith('.md')).sort().map(f => readFileSync(join(RESULTS, f), 'utf-8').trim())
    : [];
  const document = [
    '# Benchmarks',
    '',
    'Written by `bench/run.ts`, which runs every `bench/*.ts` and joins their `bench/results/*.md`. Each comparison is measured in',
    'the same run, alternating A and B; figures are wall time, median (min–max).',
    '',
    '## Machine',
    '',
    machine(),
    '',
    ...sections.flatMap(s => [s, '']),
  ].join('\n');
  writeFileSync(join(BENCH, 'RESULTS.md'), document);
  process.stderr.write(`wrote ${join(BENCH, 'RESULTS.md')} (${sections.length} result files)\n`);
  if (failed.length > 0) {
    process.stderr.write(`failed: ${failed.map(n => `bench/${n}.ts`).join(', ')}\n`);
    process.exitCode = 1;
  }
}

main();
