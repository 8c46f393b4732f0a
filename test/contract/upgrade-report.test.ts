import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildContract } from '../../src/contract/contract';
import { buildUpgradeReport, formatUpgradeReport } from '../../src/contract/upgrade-report';
import { EXAMPLE_TOPOLOGY } from '../../src/example';
import { FILES } from '../../src/topology/naming';
import { resolveTopology } from '../../src/topology/normalise';

function contract(repository: string, version: string, extraAccount = false) {
  const topology = JSON.parse(JSON.stringify(EXAMPLE_TOPOLOGY));
  if (extraAccount) {
    topology.accounts.staging = { id: '444444444444', branches: ['main'] };
    topology.stages.deploy.accounts.push('staging');
    topology.pipeline = undefined;
  }
  return buildContract(resolveTopology({ owner: 'widgetfactory', repository }, topology), '@org/stage-project', version);
}

function repoWith(before: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'stage-upgrade-report-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q');
  mkdirSync(join(dir, '.github'));
  mkdirSync(join(dir, '.projen'));
  writeFileSync(join(dir, FILES.contract), JSON.stringify(before));
  writeFileSync(join(dir, '.projen/files.json'), JSON.stringify({ files: [FILES.contract] }));
  git('add', '-A');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'before');
  return dir;
}

test('an additive upgrade lists the additions and the changed generated files', () => {
  const dir = repoWith(contract('weebler', '1.0.0'));
  writeFileSync(join(dir, FILES.contract), JSON.stringify(contract('weebler', '1.1.0', true)));
  const report = buildUpgradeReport(dir, 'HEAD');
  expect(report.contract.breaking).toEqual([]);
  expect(report.files).toEqual([`M ${FILES.contract}`]);
  const text = formatUpgradeReport(report);
  expect(text).toContain('stage-project upgrade 1.0.0 -> 1.1.0 (compared with HEAD)');
  expect(text).toContain('Contract: nothing that live infrastructure depends on is removed or renamed.');
  expect(text).toContain('added role of stage "deploy" in account "staging": arn:aws:iam::444444444444:role/stage-project/weebler/weebler-deploy');
});

test('a breaking upgrade says what breaks and which version to accept', () => {
  const dir = repoWith(contract('weebler-old', '1.1.0'));
  const baseline = join(dir, 'baseline.json');
  writeFileSync(baseline, JSON.stringify(contract('weebler-old', '1.1.0')));
  writeFileSync(join(dir, FILES.contract), JSON.stringify(contract('weebler', '2.0.0')));
  const text = formatUpgradeReport(buildUpgradeReport(dir, baseline), true);
  expect(text).toContain('## stage-project upgrade 1.1.0 -> 2.0.0');
  // Four roles renamed with their subjects, four stacks removed, and the image repository moving to the renamed registry stack.
  expect(text).toContain('Contract: 13 breaking changes');
  expect(text).toContain('- changed registry stack of image repository "example/app": stage-weebler-old-registry -> stage-weebler-registry');
  expect(text).toContain('synthesis fails until acceptContractChanges names 2.0.0');
  expect(text).toMatch(/- renamed role of stage "build" in account "tools": .*weebler-old-build -> .*weebler-build — breaks: CDK replaces the live role/);
});

test('an unknown baseline is a clear error', () => {
  const dir = repoWith(contract('weebler', '1.0.0'));
  expect(() => buildUpgradeReport(dir, 'no-such-rev')).toThrow(/--from no-such-rev: neither a contract file nor a git revision/);
});
