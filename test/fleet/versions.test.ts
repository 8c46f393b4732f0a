import { classify, decide } from '../../src/fleet/fleet';
import { ConsumerRepo, RepoReading } from '../../src/fleet/github';
import { compareVersions, lagBehind, parseRange, parseVersion, satisfies, Version } from '../../src/fleet/versions';

const v = (text: string): Version => {
  const parsed = parseVersion(text);
  if (!parsed) throw new Error(`not a version: ${text}`);
  return parsed;
};

describe('versions', () => {
  test('semver precedence, prereleases before their release', () => {
    const sorted = ['1.0.0', '0.9.0', '1.0.0-rc.10', '1.0.0-rc.2', '1.0.0-alpha', '1.10.0', '1.2.0', 'v1.2.1'].map(v).sort(compareVersions).map(x => x.text);
    expect(sorted).toEqual(['0.9.0', '1.0.0-alpha', '1.0.0-rc.2', '1.0.0-rc.10', '1.0.0', '1.2.0', '1.2.1', '1.10.0']);
    expect(parseVersion('1.2')).toBeUndefined();
    expect(parseVersion('01.2.3')).toBeUndefined();
  });

  test.each([
    ['^1.2.3', '1.9.0', true], ['^1.2.3', '2.0.0', false], ['^1.2.3', '1.2.2', false],
    ['^0.2.3', '0.2.9', true], ['^0.2.3', '0.3.0', false], ['^0.0.3', '0.0.4', false],
    ['~1.2.3', '1.2.9', true], ['~1.2.3', '1.3.0', false],
    ['1.2.3', '1.2.3', true], ['1.2.3', '1.2.4', false], ['=1.2.3', '1.2.3', true],
    ['>=1.2.3', '3.0.0', true], ['^1.2.3', '1.3.0-rc.1', false], ['^1.3.0-rc.1', '1.3.0-rc.2', true],
  ])('%s admits %s: %s', (range, version, expected) => {
    expect(satisfies(parseRange(range)!, v(version))).toBe(expected);
  });

  test('ranges that name no version', () => {
    for (const spec of ['*', 'latest', 'file:../stage-project.tgz', 'github:org/stage-project', '^1.2', '1.x', '']) {
      expect(parseRange(spec)).toBeUndefined();
    }
  });

  test('how far behind, and how far the range reaches', () => {
    const published = ['0.9.0', '1.0.0', '1.1.0', '1.2.0', '1.2.1', '1.3.0', '2.0.0-rc.1'];
    expect(lagBehind(parseRange('^1.0.0')!, published, v('1.3.0'))).toEqual({ releases: 4, kind: 'minor', reachable: '1.3.0' });
    expect(lagBehind(parseRange('~1.2.0')!, published, v('1.3.0'))).toEqual({ releases: 2, kind: 'minor', reachable: '1.2.1' });
    expect(lagBehind(parseRange('^1.2.0')!, published, v('1.2.1'))).toEqual({ releases: 1, kind: 'patch', reachable: '1.2.1' });
    expect(lagBehind(parseRange('^0.9.0')!, published, v('1.3.0'))).toEqual({ releases: 5, kind: 'major', reachable: '0.9.0' });
    expect(lagBehind(parseRange('^1.3.0')!, published, v('1.3.0'))).toEqual({ releases: 0, kind: 'none', reachable: '1.3.0' });
    expect(lagBehind(parseRange('^2.0.0-rc.1')!, published, v('1.3.0'))).toEqual({ releases: 0, kind: 'ahead', reachable: '2.0.0-rc.1' });
    // Nothing past the latest dist-tag is a target, even inside the range.
    expect(lagBehind(parseRange('^1.0.0')!, [...published, '1.4.0'], v('1.3.0')).reachable).toBe('1.3.0');
  });
});

describe('what upgrade does with a repository', () => {
  const repo: ConsumerRepo = { owner: 'acme', repository: 'app', defaultBranch: 'main' };
  const published = { latest: '1.3.0', versions: ['1.0.0', '1.2.0', '1.3.0'] };
  const reading = (extra: Partial<RepoReading> = {}): RepoReading => ({ spec: { range: '^1.0.0', file: 'package.json' }, hasUpgradeWorkflow: true, ...extra });
  const decision = (r: RepoReading) => decide(classify(repo, r, '@org/stage-project', published), published.latest);

  test('behind and idle: dispatch', () => {
    expect(decision(reading())).toEqual({ action: 'dispatch' });
    const merged = { number: 3, state: 'merged' as const, url: 'u', createdAt: '2026-01-01T00:00:00Z' };
    const failedRun = { id: 1, status: 'completed', conclusion: 'failure', url: 'u', createdAt: '2026-01-02T00:00:00Z' };
    expect(decision(reading({ pr: merged, run: failedRun }))).toEqual({ action: 'dispatch' });
  });

  test('an upgrade under way is left alone', () => {
    const open = { number: 3, state: 'open' as const, url: 'u', createdAt: '2026-01-01T00:00:00Z' };
    expect(decision(reading({ pr: open }))).toEqual({ action: 'skip', reason: 'upgrade pull request #3 is open' });
    for (const status of ['queued', 'in_progress', 'waiting', 'requested', 'pending']) {
      const run = { id: 1, status, conclusion: null, url: 'u', createdAt: '2026-01-02T00:00:00Z' };
      expect(decision(reading({ run }))).toEqual({ action: 'skip', reason: `upgrade run ${status}` });
    }
  });

  test('nothing to dispatch, or nothing to dispatch to', () => {
    expect(decision(reading({ spec: { range: '^1.3.0', file: 'package.json' } }))).toEqual({ action: 'skip', reason: 'up to date' });
    expect(decision(reading({ spec: { range: '1.0.0', file: 'package.json' } }))).toEqual({
      action: 'skip', reason: 'no release after 1.0.0 is inside its range "1.0.0" (latest 1.3.0): raise the range in .projenrc.ts',
    });
    expect(decision(reading({ spec: { range: 'file:../x.tgz', file: '.projen/deps.json' } }))).toEqual({
      action: 'skip', reason: '.projen/deps.json pins @org/stage-project to "file:../x.tgz", which names no version',
    });
    expect(decision(reading({ hasUpgradeWorkflow: false }))).toMatchObject({ action: 'fail' });
  });
});
