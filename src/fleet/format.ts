import { FleetEntry, FleetStatus, RepoState, runActive, UpgradeOutcome } from './fleet';
import { fullName } from '../topology/naming';

/** The last upgrade pull request or workflow run, whichever says more: an open PR or an unfinished run first, else the newer. */
export function upgradeActivity(entry: FleetEntry): string {
  const reading = entry.reading;
  if (!reading) {
    return '-';
  }
  const { pr, run } = reading;
  if (pr?.state === 'open') return `PR #${pr.number} open`;
  if (run && runActive(entry)) return `run ${run.status}`;
  if (!reading.hasUpgradeWorkflow) return 'no upgrade workflow';
  const prText = pr && `PR #${pr.number} ${pr.state}`;
  const runText = run && `run ${run.conclusion ?? run.status}`;
  if (pr && run) return run.createdAt > pr.createdAt ? runText! : prText!;
  return prText ?? runText ?? '-';
}

function behindText(entry: FleetEntry): string {
  const { lag } = entry;
  switch (entry.state) {
    case 'error': return 'error';
    case 'unknown': return '?';
    case 'up-to-date': return lag?.kind === 'ahead' ? 'ahead' : '-';
    default: {
      const releases = `${lag!.releases} release${lag!.releases === 1 ? '' : 's'} (${lag!.kind})`;
      return entry.state === 'out-of-range' ? `${releases}, outside ${entry.reading!.spec!.range}` : releases;
    }
  }
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map(w => '-'.repeat(w))), ...rows.map(line)];
}

export function countStates(entries: FleetEntry[]): Record<RepoState, number> {
  const counts: Record<RepoState, number> = { 'up-to-date': 0, 'behind': 0, 'out-of-range': 0, 'unknown': 0, 'error': 0 };
  for (const e of entries) counts[e.state]++;
  return counts;
}

export function formatStatus(status: FleetStatus): string {
  const rows = status.entries.map(e => [
    fullName(e.repo),
    e.version ?? (e.reading?.spec?.range ?? '-'),
    e.reading?.contractVersion ?? '-',
    status.published.latest,
    behindText(e),
    e.state === 'error' || e.state === 'unknown' ? e.problem! : upgradeActivity(e),
  ]);
  const c = countStates(status.entries);
  const parts = [
    `${c['up-to-date']} up to date`,
    `${c.behind} behind`,
    ...(c['out-of-range'] > 0 ? [`${c['out-of-range']} behind outside their range`] : []),
    ...(c.unknown > 0 ? [`${c.unknown} without a version`] : []),
    ...(c.error > 0 ? [`${c.error} unreadable`] : []),
  ];
  return [
    ...table(['repository', 'version', 'contract', 'latest', 'behind', 'last upgrade'], rows),
    '',
    `${status.entries.length} repositor${status.entries.length === 1 ? 'y' : 'ies'} in ${status.org}: ${parts.join(', ')}; latest ${status.packageName} ${status.published.latest}`,
  ].join('\n');
}

export function statusJson(status: FleetStatus) {
  return {
    org: status.org,
    package: status.packageName,
    latest: status.published.latest,
    summary: countStates(status.entries),
    archived: status.archived,
    repositories: status.entries.map(e => ({
      repository: fullName(e.repo),
      defaultBranch: e.repo.defaultBranch,
      state: e.state,
      range: e.reading?.spec?.range ?? null,
      rangeFile: e.reading?.spec?.file ?? null,
      version: e.version ?? null,
      contractVersion: e.reading?.contractVersion ?? null,
      latest: status.published.latest,
      behind: e.lag ? { releases: e.lag.releases, kind: e.lag.kind, reachable: e.lag.reachable } : null,
      upgrade: e.reading
        ? { workflow: e.reading.hasUpgradeWorkflow, pullRequest: e.reading.pr ?? null, run: e.reading.run ?? null, summary: upgradeActivity(e) }
        : null,
      problem: e.problem ?? null,
    })),
  };
}

export function formatUpgrade(outcomes: UpgradeOutcome[], dryRun: boolean): string {
  const group = (result: UpgradeOutcome['result']) => outcomes.filter(o => o.result === result);
  const dispatched = group(dryRun ? 'would-dispatch' : 'dispatched');
  const skipped = group('skipped');
  const failed = group('failed');
  const lines: string[] = [];
  const section = (title: string, items: UpgradeOutcome[], detail: (o: UpgradeOutcome) => string) => {
    if (items.length > 0) {
      lines.push(`${title} (${items.length}):`, ...items.map(o => `  ${fullName(o.entry.repo)}${detail(o)}`), '');
    }
  };
  section(dryRun ? 'would dispatch' : 'dispatched', dispatched, o => `: ${o.entry.version} -> ${o.entry.lag!.reachable}${o.runUrl ? ` ${o.runUrl}` : ''}`);
  section('skipped', skipped, o => `: ${o.reason}`);
  section('failed', failed, o => `: ${o.reason}`);
  lines.push(`${dispatched.length} ${dryRun ? 'would be dispatched (dry run, nothing sent)' : 'dispatched'}, ${skipped.length} skipped, ${failed.length} failed`);
  return lines.join('\n');
}

export function upgradeJson(status: FleetStatus, outcomes: UpgradeOutcome[], dryRun: boolean) {
  const item = (o: UpgradeOutcome) => ({
    repository: fullName(o.entry.repo),
    version: o.entry.version ?? null,
    to: o.entry.lag?.reachable ?? null,
    ...(o.reason ? { reason: o.reason } : {}),
    ...(o.runUrl ? { runUrl: o.runUrl } : {}),
  });
  return {
    org: status.org,
    package: status.packageName,
    latest: status.published.latest,
    dryRun,
    dispatched: outcomes.filter(o => o.result === (dryRun ? 'would-dispatch' : 'dispatched')).map(item),
    skipped: outcomes.filter(o => o.result === 'skipped').map(item),
    failed: outcomes.filter(o => o.result === 'failed').map(item),
  };
}
