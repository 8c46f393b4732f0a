#!/usr/bin/env node
import { parseArgs, ParseArgsConfig } from 'util';
import { upgradeReportCommand } from './contract/upgrade-report';
import { fleetCommands } from './fleet/commands';
import { githubCommands } from './settings/commands';
import { verifyCommand } from './verify/command';
import { generatedBy } from './version';

/**
 * The `stage-project` bin. Commands form a tree (`github plan`, later `verify`,
 * `fleet status`); each declares its own flags and returns an exit code, so adding a
 * command is one entry in {@link COMMANDS} and a module that owns its I/O.
 */

/** Exit codes CI can branch on. */
export const EXIT = {
  ok: 0,
  error: 1,
  /** `plan`-like commands: the repository differs from the desired state. */
  changes: 2,
} as const;

/** Where a command talks to. Tests and other entry points can pass their own. */
export interface CommandIo {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Results (human text or JSON). */
  readonly out: (text: string) => void;
  /** Progress and warnings, kept off stdout so `--json` output stays parseable. */
  readonly err: (text: string) => void;
}

export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  readonly summary: string;
  /** Flags after the command path, e.g. `[--settings <file>] [--json]`. */
  readonly usage: string;
  readonly options: CommandOptions;
  run(io: CommandIo, flags: { [name: string]: string | boolean | undefined }): Promise<number>;
}

export interface CommandGroup {
  readonly summary: string;
  readonly commands: { readonly [name: string]: Command | CommandGroup };
}

function isGroup(node: Command | CommandGroup): node is CommandGroup {
  return 'commands' in node;
}

export const COMMANDS: CommandGroup = {
  summary: 'stage-project: CI/CD stages designed by access',
  commands: {
    'github': githubCommands,
    'fleet': fleetCommands,
    'upgrade-report': upgradeReportCommand,
    'verify': verifyCommand,
  },
};

function usage(path: string[], node: Command | CommandGroup): string {
  const prefix = ['stage-project', ...path].join(' ');
  if (!isGroup(node)) {
    return `usage: ${prefix} ${node.usage}\n\n${node.summary}`;
  }
  const width = Math.max(...Object.keys(node.commands).map(n => n.length));
  return [
    `usage: ${prefix} <command> [flags]`,
    '',
    node.summary,
    '',
    ...Object.entries(node.commands).map(([name, child]) => `  ${name.padEnd(width)}  ${child.summary}`),
  ].join('\n');
}

/** Runs one command line; never throws, always returns an exit code. */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  let node: Command | CommandGroup = COMMANDS;
  const path: string[] = [];
  let rest = argv;
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    io.out(generatedBy());
    return EXIT.ok;
  }
  while (isGroup(node)) {
    const [name, ...tail] = rest;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      (name === undefined ? io.err : io.out)(usage(path, node));
      return name === undefined ? EXIT.error : EXIT.ok;
    }
    const next: Command | CommandGroup | undefined = node.commands[name];
    if (!next) {
      io.err(`error: unknown command "${[...path, name].join(' ')}"\n\n${usage(path, node)}`);
      return EXIT.error;
    }
    node = next;
    path.push(name);
    rest = tail;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(usage(path, node));
    return EXIT.ok;
  }
  let flags: { [name: string]: string | boolean | undefined };
  try {
    flags = parseArgs({ args: rest, options: node.options, strict: true, allowPositionals: false }).values as typeof flags;
  } catch (error) {
    io.err(`error: ${(error as Error).message}\n\n${usage(path, node)}`);
    return EXIT.error;
  }
  try {
    return await node.run(io, flags);
  } catch (error) {
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.error;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    out: text => process.stdout.write(`${text}\n`),
    err: text => process.stderr.write(`${text}\n`),
  }).then(code => {
    // exitCode rather than exit(): stdout is flushed before the process ends.
    process.exitCode = code;
  });
}
