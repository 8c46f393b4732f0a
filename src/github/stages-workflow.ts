import { basename } from 'path';
import { Component, github, IResolver, javascript, JsonPatch, Project } from 'projen';
import { annotatePins } from './pins';
import { renderStagesWorkflow } from './render-workflow';
import { StageTopology } from '../topology/model';
import { FILES } from '../topology/naming';

/**
 * Options of {@link StagesWorkflow}.
 */
export interface StagesWorkflowOptions {
  /**
   * Runner labels of every stage job.
   *
   * @default ["ubuntu-latest"]
   */
  readonly runsOn?: string[];

  /**
   * Node.js version the stage jobs install (`actions/setup-node`'s `node-version`).
   *
   * @default "22.x"
   */
  readonly nodeVersion?: string;

  /**
   * Command that installs the project's dependencies with a frozen lockfile, before the
   * stage role is assumed.
   *
   * @default - the project's frozen install command (`npm ci` for npm), or `npm ci` for non-Node projects
   */
  readonly installCommand?: string;
}

/**
 * Writes `.github/workflows/stages.yml` through projen's GitHub workflow support: one job per
 * pipeline job of the topology, in pipeline order. Each job runs its stage's projen task
 * (`npx projen stage:<name>`) after the `stages` composite action gave it exactly its role,
 * in exactly the environment that role trusts, with `id-token: write` only where a role exists,
 * and only on the branches allowed to reach its accounts.
 */
export class StagesWorkflow extends Component {
  /** The projen workflow; add to it with its own API. */
  public readonly workflow: github.GithubWorkflow;

  /**
   * @param project a project with GitHub support (`github: true`, projen's default)
   * @param topology the normalised topology the jobs are rendered from
   * @param options runner, Node.js and install settings
   */
  constructor(project: Project, topology: StageTopology, options: StagesWorkflowOptions = {}) {
    super(project, 'StagesWorkflow');
    const gh = github.GitHub.of(project);
    if (!gh) {
      throw new Error(`StagesWorkflow: project "${project.name}" has no GitHub support; enable it (github: true) to generate ${FILES.workflow}`);
    }
    const rendered = renderStagesWorkflow(topology, {
      runsOn: options.runsOn ?? ['ubuntu-latest'],
      nodeVersion: options.nodeVersion ?? '22.x',
      installCommand: options.installCommand ?? javascript.NodePackage.of(project)?.installCommand ?? 'npm ci',
    });

    this.workflow = new github.GithubWorkflow(gh, rendered.name, { fileName: basename(FILES.workflow) });
    this.workflow.on(rendered.triggers);
    this.workflow.addJobs(rendered.jobs);
    const file = this.workflow.file;
    if (file) {
      // Jobs get only what they declare, whatever the repository's default token permissions.
      // A patch rather than addOverride, whose merge drops empty objects; `jobs` is moved
      // after it so the file reads top-down.
      file.patch(JsonPatch.add('/permissions', {}), JsonPatch.move('/jobs', '/jobs'));
      // projen's workflow model has no place for YAML comments, so the pinned actions' tags are
      // added to the rendered text; Dependabot and Renovate keep that comment and the SHA in step.
      const synthesizeContent = (file as any).synthesizeContent.bind(file) as (resolver: IResolver) => string | undefined;
      (file as any).synthesizeContent = (resolver: IResolver) => {
        const content = synthesizeContent(resolver);
        return content === undefined ? undefined : annotatePins(content);
      };
    }
  }
}
