import { spawn } from 'child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, relative } from 'path';
import * as ts from 'typescript';
import { EXAMPLE_TOPOLOGY } from '../../src/example';
import { desiredSettings } from '../../src/settings/desired';
import { StageSettingsDocument } from '../../src/settings/document';
import { resolveTopology } from '../../src/topology/normalise';
import { GitHubRepositoryOptions, TopologyOptions } from '../../src/topology/options';
import { FakeGitHub } from '../support/fake-github';

const ROOT = join(__dirname, '..', '..');

export const EXAMPLE_REPO: GitHubRepositoryOptions = { owner: 'example-org', repository: 'widgets' };

export function exampleSettings(
  github: GitHubRepositoryOptions = EXAMPLE_REPO,
  topology: TopologyOptions = EXAMPLE_TOPOLOGY,
): StageSettingsDocument {
  return desiredSettings(resolveTopology(github, topology));
}

/** A fake GitHub holding the example's organization, team and an empty repository. */
export async function startExampleFake(options: { maxPerPage?: number } = {}): Promise<FakeGitHub> {
  const fake = await FakeGitHub.start(options);
  fake.state.addOrg('example-org');
  fake.state.addTeam('example-org', 'platform-team');
  fake.state.addUser('octocat');
  fake.state.addRepo('example-org', 'widgets');
  return fake;
}

export class Workdir {
  readonly dir = mkdtempSync(join(tmpdir(), 'stage-settings-'));
  writeSettings(doc: unknown, file = '.github/stage-settings.json'): string {
    const path = join(this.dir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`);
    return path;
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  json(): any;
}

let built: string | undefined;

/**
 * Compiles the current `src/` once per test process, with the compiler options of the
 * tsconfig.json jsii builds with, into a temporary `lib/` beside a link to the
 * repository's node_modules: the same CommonJS shape as the published `lib/cli.js`
 * (`import('@octokit/rest')` stays a native dynamic import of the ESM package), never
 * a stale build. Transpiling costs a second once; `node -r ts-node/register` would
 * cost it on every one of the ~40 CLI runs. Type errors are the `tsc` step's job.
 */
export function builtCli(): string {
  if (built) {
    return built;
  }
  const out = mkdtempSync(join(tmpdir(), 'stage-project-cli-'));
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: d => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  })!;
  for (const file of config.fileNames) {
    const js = ts.transpileModule(readFileSync(file, 'utf-8'), { compilerOptions: config.options, fileName: file }).outputText;
    const target = join(out, 'lib', relative(join(ROOT, 'src'), file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
  copyFileSync(join(ROOT, 'package.json'), join(out, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
  process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  built = join(out, 'lib', 'cli.js');
  return built;
}

/** Runs the CLI as a real child process. Asynchronous, so the fake server in this process keeps answering. */
export function runCli(args: string[], options: { cwd: string; fake?: FakeGitHub; env?: NodeJS.ProcessEnv; cli?: string }): Promise<CliResult> {
  const cli = options.cli ?? builtCli();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // Faults replay in milliseconds; the semantics (which statuses retry, how many
    // times, honouring retry-after and rate-limit resets) stay those of production.
    STAGE_PROJECT_RETRY_BASE_MS: '5',
    STAGE_PROJECT_WRITE_SPACING_MS: '0',
    ...(options.fake ? { GITHUB_API_URL: options.fake.url, GITHUB_TOKEN: options.fake.token } : {}),
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => { stdout += d; });
    child.stderr.on('data', d => { stderr += d; });
    child.on('error', reject);
    child.on('close', code => resolve({
      code,
      stdout,
      stderr,
      json: () => {
        try {
          return JSON.parse(stdout);
        } catch {
          throw new Error(`stdout is not JSON:\n${stdout}\nstderr:\n${stderr}`);
        }
      },
    }));
  });
}
