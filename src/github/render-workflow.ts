import { github } from 'projen';
import { CHECKOUT, SETUP_NODE, uses } from './pins';
import { PipelineJobSpec, StageRoleSpec, StageSpec, StageTopology } from '../topology/model';
import * as naming from '../topology/naming';

/** What the workflow renderer needs besides the topology. */
export interface WorkflowRenderOptions {
  readonly runsOn: string[];
  readonly nodeVersion: string;
  readonly installCommand: string;
}

/** The workflow in projen's model: triggers and jobs, both keyed as projen expects them. */
export interface RenderedWorkflow {
  readonly name: string;
  readonly triggers: github.workflows.Triggers;
  readonly jobs: Record<string, github.workflows.Job>;
}

/** Step ids the workflow's expressions refer to. */
export const ACCESS_STEP = 'access';
export const TASK_STEP = 'stage';
export const DIGESTS_STEP = 'digests';

/** The composite action, addressed from the repository root as `uses:` requires. */
export const STAGES_ACTION = naming.STAGES_ACTION_USES;

/** A string literal in a GitHub expression: single quotes, doubled inside. */
function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A lookup over `matrix.account`, so each matrix leg gets exactly its own account's value. */
function byMatrixAccount(values: Record<string, string>): string {
  return `fromJSON(${literal(JSON.stringify(values))})[matrix.account]`;
}

function branchCondition(branches: string[]): string {
  if (branches.length === 0) {
    // "Any branch" still means a branch: a workflow_dispatch from a tag must not deploy.
    return "startsWith(github.ref, 'refs/heads/')";
  }
  return branches.map(b => `github.ref == ${literal(`refs/heads/${b}`)}`).join(' || ');
}

/** Parenthesised when it has an `||`, whose precedence is below the `&&` it is joined with. */
function grouped(condition: string): string {
  return condition.includes('||') ? `(${condition})` : condition;
}

/** Whether a job may run on `pull_request`: no AWS access, or opted in and far from production. */
export function runsOnPullRequest(stage: StageSpec, job: PipelineJobSpec, production: Set<string>): boolean {
  if (job.accounts.length === 0) {
    return true;
  }
  return stage.pullRequests && job.accounts.every(a => !production.has(a));
}

/**
 * The job's `if:`. Branch rules decide which accounts an event may reach; a job for an account
 * the branch may not reach is skipped, never failed at the environment gate. A job after a
 * skipped job still runs (`!failure() && !cancelled()` replaces the implicit `success()`, which
 * is false when a needed job was skipped), and a failure anywhere upstream still stops it.
 */
export function jobCondition(topology: StageTopology, job: PipelineJobSpec, needs: string[]): string | undefined {
  const stage = topology.stages.find(s => s.name === job.stage)!;
  const production = new Set(topology.accounts.filter(a => a.production).map(a => a.name));
  let own: string | undefined;
  if (job.accounts.length > 0) {
    // Jobs only share a matrix when their accounts share branch rules, so the first speaks for all.
    const branches = topology.accounts.find(a => a.name === job.accounts[0])!.branches;
    own = runsOnPullRequest(stage, job, production)
      ? `github.event_name == 'pull_request' || ${branchCondition(branches)}`
      : `github.event_name != 'pull_request' && ${grouped(branchCondition(branches))}`;
  }
  if (needs.length === 0) {
    return own;
  }
  return own ? `!failure() && !cancelled() && ${grouped(own)}` : '!failure() && !cancelled()';
}

/** Ids of the jobs whose stage pushes images: they publish the digests later jobs deploy. */
function pushJobIds(topology: StageTopology): Set<string> {
  const pushRoles = topology.roles.filter(r => r.push);
  return new Set(topology.jobs
    .filter(j => pushRoles.some(r => r.stage === j.stage && j.accounts.includes(r.account)))
    .map(j => j.id));
}

function rolesOf(topology: StageTopology, job: PipelineJobSpec): StageRoleSpec[] {
  return job.accounts.map(a => topology.roles.find(r => r.stage === job.stage && r.account === a)!);
}

/**
 * Checks the push stage's digests and republishes them as the job output. Node rather than
 * bash because the value is JSON; it runs after setup-node, so node is there on any runner.
 */
export function digestsScript(): string {
  return [
    "const fs = require('fs');",
    'const repositories = JSON.parse(process.env.REPOSITORIES);',
    'const fail = (message) => { console.log(`::error title=image digests::${message}`); process.exit(1); };',
    'let digests;',
    "try { digests = JSON.parse(process.env.DIGESTS || ''); } catch { digests = undefined; }",
    "if (typeof digests !== 'object' || digests === null || Array.isArray(digests)) {",
    `  fail(\`\${process.env.TASK} must write ${naming.IMAGE_DIGESTS_OUTPUT}={"<repository>":"sha256:<digest>",...} to $GITHUB_OUTPUT for \${repositories.join(', ')}\`);`,
    '}',
    'const problems = [];',
    'for (const repository of repositories) {',
    "  if (typeof digests[repository] !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digests[repository])) {",
    '    problems.push(`${repository}: expected a sha256 digest, got ${JSON.stringify(digests[repository] ?? null)}`);',
    '  }',
    '}',
    'for (const key of Object.keys(digests)) {',
    '  if (!repositories.includes(key)) { problems.push(`${JSON.stringify(key)} is not an image repository of the topology`); }',
    '}',
    "if (problems.length > 0) { fail(problems.join('; ')); }",
    'const ordered = Object.fromEntries(repositories.map(r => [r, digests[r]]));',
    `fs.appendFileSync(process.env.GITHUB_OUTPUT, \`${naming.IMAGE_DIGESTS_OUTPUT}=\${JSON.stringify(ordered)}\\n\`);`,
    "console.log(`image digests: ${Object.entries(ordered).map(([r, d]) => `${r}@${d}`).join(', ')}`);",
  ].join('\n') + '\n';
}

function renderJob(
  topology: StageTopology,
  job: PipelineJobSpec,
  needs: string[],
  digestSource: string | undefined,
  pushes: boolean,
  options: WorkflowRenderOptions,
): github.workflows.Job {
  const stage = topology.stages.find(s => s.name === job.stage)!;
  const roles = rolesOf(topology, job);
  const matrix = job.accounts.length > 1;
  const production = new Set(topology.accounts.filter(a => a.production).map(a => a.name));
  const pullRequests = roles.length > 0 && runsOnPullRequest(stage, job, production);
  const account = matrix ? '${{ matrix.account }}' : job.accounts[0] ?? '';

  let environment: string | undefined;
  if (roles.length > 0) {
    const value = matrix
      ? byMatrixAccount(Object.fromEntries(roles.map(r => [r.account, r.environment])))
      : literal(roles[0].environment);
    // A pull request runs without the environment: its OIDC subject is then `pull_request`,
    // which is what the trust of a pullRequests stage accepts.
    environment = pullRequests
      ? `\${{ github.event_name != 'pull_request' && ${value} || '' }}`
      : matrix ? `\${{ ${value} }}` : roles[0].environment;
  }

  let concurrency: Record<string, unknown> | undefined;
  const groups = roles.filter(r => r.concurrencyGroup !== undefined);
  if (groups.length > 0) {
    concurrency = {
      'group': matrix
        ? `\${{ ${byMatrixAccount(Object.fromEntries(groups.map(r => [r.account, r.concurrencyGroup!])))} }}`
        : groups[0].concurrencyGroup,
      // A deploy cut off halfway leaves an account half-changed: let it finish.
      'cancel-in-progress': false,
    };
  }

  const taskEnv: Record<string, string> = {
    [naming.STAGE_TASK_ENV.stage]: stage.name,
    [naming.STAGE_TASK_ENV.account]: account,
  };
  if (stage.images !== 'none') {
    taskEnv[naming.STAGE_TASK_ENV.registry] = `\${{ steps.${ACCESS_STEP}.outputs.registry }}`;
  }
  if (digestSource) {
    taskEnv[naming.STAGE_TASK_ENV.imageDigests] = `\${{ needs.${digestSource}.outputs.${naming.IMAGE_DIGESTS_OUTPUT} }}`;
  }

  const steps: github.workflows.JobStep[] = [
    {
      name: 'Check out',
      uses: uses(CHECKOUT),
      // The checkout token must not outlive this step: the stage task runs repository code.
      with: { 'persist-credentials': false },
    },
    {
      name: 'Set up Node.js',
      uses: uses(SETUP_NODE),
      // No dependency cache: a cache written by a pull request must not feed a deploy.
      with: { 'node-version': options.nodeVersion, 'package-manager-cache': false },
    },
    // Dependencies install before the role is assumed, so install scripts never see credentials.
    { name: 'Install dependencies', run: options.installCommand },
    {
      name: roles.length > 0 ? 'Assume the stage role' : 'Check that the stage has no AWS credentials',
      id: ACCESS_STEP,
      uses: STAGES_ACTION,
      with: job.accounts.length > 0 ? { stage: stage.name, account } : { stage: stage.name },
    },
    {
      name: `Run ${stage.task}`,
      id: TASK_STEP,
      run: `npx projen ${stage.task}`,
      env: taskEnv,
    },
  ];
  if (pushes) {
    const registry = topology.registry.account;
    steps.push({
      name: 'Check the pushed image digests',
      id: DIGESTS_STEP,
      // In a matrix, only the registry account's leg pushes.
      if: matrix ? `matrix.account == ${literal(registry)}` : undefined,
      shell: 'node {0}',
      env: {
        TASK: stage.task,
        DIGESTS: `\${{ steps.${TASK_STEP}.outputs.${naming.IMAGE_DIGESTS_OUTPUT} }}`,
        REPOSITORIES: JSON.stringify(topology.repositories.map(r => r.name)),
      },
      run: digestsScript(),
    });
  }

  const idToken = roles.length > 0 ? { idToken: github.workflows.JobPermission.WRITE } : {};
  return {
    name: job.accounts.length === 1 ? `${stage.name} (${job.accounts[0]})` : stage.name,
    runsOn: options.runsOn,
    needs: needs.length > 0 ? needs : undefined,
    if: jobCondition(topology, job, needs),
    permissions: { contents: github.workflows.JobPermission.READ, ...idToken },
    environment,
    concurrency,
    strategy: matrix ? { failFast: false, matrix: { domain: { account: job.accounts } } } : undefined,
    outputs: pushes ? { [naming.IMAGE_DIGESTS_OUTPUT]: { stepId: DIGESTS_STEP, outputName: naming.IMAGE_DIGESTS_OUTPUT } } : undefined,
    steps,
  };
}

/**
 * `.github/workflows/stages.yml` from the normalised topology: one job per pipeline job, in
 * pipeline order, each with the least permissions and exactly the environment its role trusts.
 */
export function renderStagesWorkflow(topology: StageTopology, options: WorkflowRenderOptions): RenderedWorkflow {
  const named = [...new Set(topology.accounts.flatMap(a => a.branches))];
  // With no branch named anywhere every branch may deploy; '**' still keeps tag pushes out.
  const branches = named.length > 0 ? named : ['**'];

  const pushJobs = pushJobIds(topology);
  const jobs: Record<string, github.workflows.Job> = {};
  let digestSource: string | undefined;
  for (const job of topology.jobs) {
    // `needs.<job>.outputs` only reaches direct needs, so later jobs also need the push job itself.
    const needs = digestSource && !job.needs.includes(digestSource) ? [...job.needs, digestSource] : job.needs;
    const pushes = pushJobs.has(job.id);
    jobs[job.id] = renderJob(topology, job, needs, digestSource, pushes, options);
    if (pushes) {
      digestSource = job.id;
    }
  }

  return {
    name: 'stages',
    triggers: {
      push: { branches },
      pullRequest: {},
      workflowDispatch: {},
    },
    jobs,
  };
}
