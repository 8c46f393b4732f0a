import { execFileSync } from 'child_process';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { ContractChange, ContractDiff, diffContracts, formatChange, StageContract } from './contract';
import type { Command, CommandIo } from '../cli';
import { FILES } from '../topology/naming';

/** What an upgrade changes: the contract difference and the generated files that differ. */
export interface UpgradeReport {
  readonly from: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly contract: ContractDiff;
  /** `M path`, `A path`, `D path` of generated files, when the baseline is a git revision. */
  readonly files: string[];
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Compares the repository's current contract with a baseline: a contract file, or a git
 * revision (default `HEAD`, the state before the upgrade's regenerated files are committed).
 */
export function buildUpgradeReport(cwd: string, from: string): UpgradeReport {
  const currentFile = join(cwd, FILES.contract);
  if (!existsSync(currentFile)) {
    throw new Error(`${FILES.contract} not found in ${cwd} (run "npx projen" first)`);
  }
  const current: StageContract = JSON.parse(readFileSync(currentFile, 'utf-8'));
  const asFile = resolve(cwd, from);
  let baseline: StageContract;
  let files: string[] = [];
  if (existsSync(asFile)) {
    baseline = JSON.parse(readFileSync(asFile, 'utf-8'));
  } else {
    try {
      baseline = JSON.parse(git(cwd, ['show', `${from}:${FILES.contract}`]));
    } catch (e) {
      throw new Error(`--from ${from}: neither a contract file nor a git revision with ${FILES.contract} (${(e as Error).message.split('\n')[0]})`);
    }
    const generated: string[] = existsSync(join(cwd, '.projen/files.json'))
      ? JSON.parse(readFileSync(join(cwd, '.projen/files.json'), 'utf-8')).files
      : [];
    if (generated.length > 0) {
      files = git(cwd, ['diff', '--name-status', from, '--', ...generated]).split('\n').filter(Boolean).map(l => l.replace(/\t/g, ' '));
    }
  }
  return { from, fromVersion: baseline.version, toVersion: current.version, contract: diffContracts(baseline, current), files };
}

export function formatUpgradeReport(report: UpgradeReport, markdown = false): string {
  const { contract } = report;
  const bullet = (c: ContractChange) => (markdown ? `- ${formatChange(c).replace(/\n\s+/g, ' — ')}` : `  ${formatChange(c)}`);
  const lines = [
    markdown ? `## stage-project upgrade ${report.fromVersion} -> ${report.toVersion}` : `stage-project upgrade ${report.fromVersion} -> ${report.toVersion} (compared with ${report.from})`,
    '',
    contract.breaking.length === 0
      ? 'Contract: nothing that live infrastructure depends on is removed or renamed.'
      : `Contract: ${contract.breaking.length} breaking change${contract.breaking.length === 1 ? '' : 's'} (synthesis fails until acceptContractChanges names ${report.toVersion}):`,
    ...contract.breaking.map(bullet),
  ];
  if (contract.additions.length > 0) {
    lines.push('', `Additions (${contract.additions.length}):`, ...contract.additions.map(bullet));
  }
  if (report.files.length > 0) {
    lines.push('', `Generated files that changed (${report.files.length}):`, ...report.files.map(f => (markdown ? `- \`${f}\`` : `  ${f}`)));
  }
  return lines.join('\n');
}

export const upgradeReportCommand: Command = {
  summary: 'What an upgrade of the package changes in the contract and the generated files',
  usage: '[--from <git-revision|contract-file>] [--json] [--markdown <file>]',
  options: {
    from: { type: 'string' },
    json: { type: 'boolean' },
    markdown: { type: 'string' },
  },
  async run(io: CommandIo, flags) {
    const report = buildUpgradeReport(io.cwd, (flags.from as string | undefined) ?? 'HEAD');
    if (typeof flags.markdown === 'string') {
      writeFileSync(resolve(io.cwd, flags.markdown), formatUpgradeReport(report, true) + '\n');
    }
    io.out(flags.json ? JSON.stringify(report, null, 2) : formatUpgradeReport(report));
    return 0;
  },
};
