import { mkdirSync, writeFileSync } from 'fs';
import { dirname, resolve } from 'path';
import { InputError, readInputs } from './artifacts';
import { formatHuman, formatMarkdown } from './format';
import { IamSimulator, SimulatorMissingError } from './simulator';
import { verifyAccess } from './verify';
import type { Command, CommandIo } from '../cli';

/** `stage-project verify`: the access matrix, proven by simulation; exit 1 on any finding. */
export const verifyCommand: Command = {
  summary: 'Prove who can assume each stage role and what it can do (IAM simulation of cdk.out), and check the workflow, action and settings against it',
  usage: '[--cdk-out <dir>] [--json] [--markdown <file>]',
  options: {
    'cdk-out': { type: 'string' },
    'json': { type: 'boolean' },
    'markdown': { type: 'string' },
  },
  async run(io: CommandIo, flags) {
    let simulator: IamSimulator;
    try {
      simulator = IamSimulator.load(io.cwd);
    } catch (e) {
      if (e instanceof SimulatorMissingError) {
        io.err(`error: ${e.message}`);
        return 1;
      }
      throw e;
    }
    const started = Date.now();
    let report;
    try {
      report = await verifyAccess(readInputs(io.cwd, (flags['cdk-out'] as string | undefined) ?? 'cdk.out'), simulator, io.err);
    } catch (e) {
      if (e instanceof InputError) {
        io.err(`error: ${e.message}`);
        return 1;
      }
      throw e;
    }
    io.err(`verify: ${report.simulations} decisions in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (typeof flags.markdown === 'string') {
      const file = resolve(io.cwd, flags.markdown);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, formatMarkdown(report));
      io.err(`verify: wrote ${flags.markdown}`);
    }
    io.out(flags.json ? JSON.stringify({ ok: report.findings.length === 0, ...report }, null, 2) : formatHuman(report));
    return report.findings.length === 0 ? 0 : 1;
  },
};
