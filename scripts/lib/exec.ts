import { execFileSync } from 'child_process';

/** A command that exited non-zero; `output` is what it printed, for assertions on failures. */
export class CommandError extends Error {
  constructor(command: string, cwd: string, public readonly output: string) {
    super(`${command} failed in ${cwd}:\n${output}`);
    this.name = 'CommandError';
  }
}

/** Runs a command quietly and returns its stdout; on failure throws a {@link CommandError} with all it printed. */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(cmd, args, { cwd, env, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    throw new CommandError(`${cmd} ${args.join(' ')}`, cwd, `${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}
