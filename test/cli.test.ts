import { readFileSync } from 'fs';
import { join } from 'path';
import { CommandIo, EXIT, main } from '../src/cli';

/** The command tree itself, in-process: each command's behaviour has its own tests with the CLI as a child process. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { env: {}, cwd: __dirname, out: t => out.push(t), err: t => err.push(t) };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('--version names the package and version', async () => {
  const { name, version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf-8'));
  expect(await cli('--version')).toEqual({ code: EXIT.ok, out: `${name}@${version}`, err: '' });
});

test('--help lists every command; no command prints the same to stderr and fails', async () => {
  const help = await cli('--help');
  expect(help.code).toBe(EXIT.ok);
  for (const command of ['github', 'fleet', 'verify', 'upgrade-report']) {
    expect(help.out).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
  }
  const none = await cli();
  expect(none).toEqual({ code: EXIT.error, out: '', err: help.out });
});

test('a group shows its own commands', async () => {
  const fleet = await cli('fleet', '--help');
  expect(fleet.out).toMatch(/^usage: stage-project fleet <command>/);
  expect(fleet.out).toMatch(/^  status +\S/m);
  expect(fleet.out).toMatch(/^  upgrade +\S/m);
});

test('an unknown command or flag fails with the usage', async () => {
  const unknown = await cli('github', 'plna');
  expect(unknown.code).toBe(EXIT.error);
  expect(unknown.err).toMatch(/^error: unknown command "github plna"\n\nusage: stage-project github <command>/);

  const flag = await cli('github', 'plan', '--jsn');
  expect(flag.code).toBe(EXIT.error);
  expect(flag.err).toMatch(/^error: .*--jsn[\s\S]*usage: stage-project github plan \[--settings <file>\]/);
});
