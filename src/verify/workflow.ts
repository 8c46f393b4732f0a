import { STAGES_ACTION_USES } from '../topology/naming';

/**
 * The jobs of `stages.yml` as the runner would see them on a push and on a pull request:
 * which stage and account each leg asks the composite action for, the environment it runs
 * in, and whether it may request an OIDC token.
 */

export interface JobLeg {
  /** The account the leg asks the action for. */
  readonly account: string;
  /** The environment on a push; `''` for none, `undefined` when the value cannot be read. */
  readonly pushEnvironment: string | undefined;
  /** The environment on a pull request (same conventions). */
  readonly pullRequestEnvironment: string | undefined;
}

export interface WorkflowJob {
  readonly id: string;
  /** The stage the job asks the action for, if it calls the action. */
  readonly stage?: string;
  /** One per account it assumes a role in (a matrix job has several); empty: no role. */
  readonly legs: JobLeg[];
  /** Whether the job may request an OIDC token. */
  readonly idTokenWrite: boolean;
}

type Event = 'push' | 'pull_request';

/** A GitHub expression string literal's value (`''` inside is one quote). */
function unquote(literal: string): string | undefined {
  const match = /^'((?:[^']|'')*)'$/.exec(literal.trim());
  return match ? match[1].replace(/''/g, '\'') : undefined;
}

/**
 * Evaluates the expression forms the workflow renderer writes for values that depend on
 * the matrix account and the event: a literal, `fromJSON('{...}')[matrix.account]`, and
 * `github.event_name != 'pull_request' && <value> || ''`. Anything else (a hand edit of a
 * generated file) reads as `undefined`, which the caller reports.
 */
export function evaluateValue(value: unknown, account: string, event: Event): string | undefined {
  if (value === undefined || value === null) {
    return '';
  }
  const text = String(value).trim();
  const wrapped = /^\$\{\{\s*([\s\S]*?)\s*\}\}$/.exec(text);
  if (!wrapped) {
    return text.includes('${{') ? undefined : text;
  }
  return evaluateExpression(wrapped[1], account, event);
}

function evaluateExpression(expression: string, account: string, event: Event): string | undefined {
  const guarded = /^github\.event_name != 'pull_request' && ([\s\S]+) \|\| ''$/.exec(expression);
  if (guarded) {
    return event === 'pull_request' ? '' : evaluateExpression(guarded[1], account, event);
  }
  if (expression === 'matrix.account') {
    return account;
  }
  const lookup = /^fromJSON\(('(?:[^']|'')*')\)\[matrix\.account\]$/.exec(expression);
  if (lookup) {
    try {
      const table = JSON.parse(unquote(lookup[1])!);
      return typeof table[account] === 'string' ? table[account] : '';
    } catch {
      return undefined;
    }
  }
  return unquote(expression);
}

/** The jobs of a parsed `stages.yml`. */
export function workflowJobs(workflow: any): WorkflowJob[] {
  return Object.entries<any>(workflow?.jobs ?? {}).map(([id, job]) => {
    const access = (job.steps ?? []).find((s: any) => s?.uses === STAGES_ACTION_USES);
    const idTokenWrite = job.permissions === 'write-all' || job.permissions?.['id-token'] === 'write';
    if (!access) {
      return { id, legs: [], idTokenWrite };
    }
    const stage = evaluateValue(access.with?.stage, '', 'push');
    const rawAccount = access.with?.account;
    const matrixAccounts: unknown = job.strategy?.matrix?.account;
    const accounts = Array.isArray(matrixAccounts) ? matrixAccounts.map(String) : [''];
    const legs: JobLeg[] = [];
    for (const matrixAccount of accounts) {
      const account = evaluateValue(rawAccount, matrixAccount, 'push');
      if (!account) {
        continue;
      }
      legs.push({
        account,
        pushEnvironment: evaluateValue(job.environment, matrixAccount, 'push'),
        pullRequestEnvironment: evaluateValue(job.environment, matrixAccount, 'pull_request'),
      });
    }
    return { id, stage, legs, idTokenWrite };
  });
}
