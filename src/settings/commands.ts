import { readFileSync } from 'fs';
import { resolve } from 'path';
import { ClientTimings, createGitHubClient, DEFAULT_TIMINGS, GitHubClient } from './client';
import { parseSettingsDocument, StageSettingsDocument } from './document';
import { applyJson, formatApply, formatChange, formatPlan, planJson } from './format';
import { applySettings, planSettings, ReconcileContext } from './reconcile';
import type { Command, CommandGroup, CommandIo } from '../cli';
import { FILES } from '../topology/naming';

const DEFAULT_API_URL = 'https://api.github.com';

/**
 * Variables that tune retries and throttling, read so a test (or a slow GitHub
 * Enterprise Server) can change them without flags every user would see:
 * - `STAGE_PROJECT_RETRY_BASE_MS`: ms per second of back-off and `retry-after` (1000)
 * - `STAGE_PROJECT_RETRIES`: retries of 5xx and dropped connections (3)
 * - `STAGE_PROJECT_RATE_LIMIT_RETRIES`: retries after a rate limit (2)
 * - `STAGE_PROJECT_MAX_RATE_LIMIT_WAIT_SECONDS`: longest rate-limit wait before giving up (900)
 * - `STAGE_PROJECT_WRITE_SPACING_MS`: minimum ms between writes (Octokit's 1000)
 */
export function timingsFromEnv(env: NodeJS.ProcessEnv): ClientTimings {
  const number = (name: string, fallback: number | undefined): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      return fallback;
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(`${name}=${JSON.stringify(raw)}: must be a number >= 0`);
    }
    return value;
  };
  return {
    retryBaseMs: number('STAGE_PROJECT_RETRY_BASE_MS', DEFAULT_TIMINGS.retryBaseMs)!,
    retries: number('STAGE_PROJECT_RETRIES', DEFAULT_TIMINGS.retries)!,
    rateLimitRetries: number('STAGE_PROJECT_RATE_LIMIT_RETRIES', DEFAULT_TIMINGS.rateLimitRetries)!,
    maxRateLimitWaitSeconds: number('STAGE_PROJECT_MAX_RATE_LIMIT_WAIT_SECONDS', DEFAULT_TIMINGS.maxRateLimitWaitSeconds)!,
    writeSpacingMs: number('STAGE_PROJECT_WRITE_SPACING_MS', undefined),
  };
}

function readSettings(io: CommandIo, file: string | undefined): StageSettingsDocument {
  const path = resolve(io.cwd, file ?? FILES.settings);
  let text: string;
  try {
    text = readFileSync(path, 'utf-8');
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error} (run \`npx projen\` to generate it, or pass --settings <file>)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseSettingsDocument(json, path);
}

/**
 * The client from GitHub Actions' own variables (`GITHUB_TOKEN` or `GH_TOKEN`,
 * `GITHUB_API_URL`), so a workflow step needs no configuration. `tokenNeeds` completes
 * the error for a missing token: "set GITHUB_TOKEN (or GH_TOKEN) to a token that ...".
 */
export async function clientFromEnv(io: CommandIo, tokenNeeds: string): Promise<GitHubClient> {
  const token = io.env.GITHUB_TOKEN || io.env.GH_TOKEN;
  if (!token) {
    throw new Error(`no token: set GITHUB_TOKEN (or GH_TOKEN) to a token that ${tokenNeeds}`);
  }
  return createGitHubClient({
    token,
    baseUrl: io.env.GITHUB_API_URL || DEFAULT_API_URL,
    timings: timingsFromEnv(io.env),
    log: io.err,
  });
}

async function context(io: CommandIo, settingsFile: string | undefined): Promise<ReconcileContext> {
  const desired = readSettings(io, settingsFile);
  const client = await clientFromEnv(io, 'can administer the repository');
  return { client, desired, log: io.err };
}

const SETTINGS_FLAG = { type: 'string', short: 's' } as const;
const JSON_FLAG = { type: 'boolean' } as const;

export async function failAsJson(io: CommandIo, json: boolean, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (json) {
      io.out(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }, null, 2));
    }
    throw error;
  }
}

const plan: Command = {
  summary: 'show how the repository differs from the settings file (exit 0 in sync, 2 changes, 1 error)',
  usage: '[--settings <file>] [--json]',
  options: { settings: SETTINGS_FLAG, json: JSON_FLAG },
  run: (io, flags) => failAsJson(io, flags.json === true, async () => {
    const ctx = await context(io, flags.settings as string | undefined);
    const result = await planSettings(ctx);
    if (flags.json) {
      io.out(JSON.stringify(planJson(result), null, 2));
    } else {
      io.out(formatPlan(result));
      if (result.changes.length > 0) {
        io.out('Run `stage-project github apply` to make these changes.');
      }
    }
    return result.changes.length === 0 ? 0 : 2;
  }),
};

const apply: Command = {
  summary: 'make exactly the planned writes, then read the repository back (exit 0 in sync, 1 error)',
  usage: '[--settings <file>] [--json] [--allow-subject-change]',
  options: { 'settings': SETTINGS_FLAG, 'json': JSON_FLAG, 'allow-subject-change': { type: 'boolean' } },
  run: (io, flags) => failAsJson(io, flags.json === true, async () => {
    const ctx = await context(io, flags.settings as string | undefined);
    const outcome = await applySettings(ctx, {
      allowSubjectChange: flags['allow-subject-change'] === true,
      onApplied: flags.json ? undefined : (change, i, total) => io.out(`[${i + 1}/${total}] ${formatChange(change)}`),
    });
    if (flags.json) {
      io.out(JSON.stringify(applyJson(outcome), null, 2));
    } else {
      io.out(formatApply(outcome));
    }
    const converged = !outcome.refused && !outcome.result?.failed && outcome.remaining?.changes.length === 0;
    return converged ? 0 : 1;
  }),
};

export const githubCommands: CommandGroup = {
  summary: 'reconcile the repository settings (OIDC template, environments, reviewers, branch policies, variables) with .github/stage-settings.json',
  commands: { plan, apply },
};
