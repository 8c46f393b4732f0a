import { JsonFile, Project } from 'projen';
import { desiredSettings } from './desired';
import { EnvironmentSettings } from './document';
import { StageTopology } from '../topology/model';
import { FILES } from '../topology/naming';
import { generatedBy } from '../version';

/**
 * Writes `.github/stage-settings.json`: the repository settings (OIDC subject template,
 * environments, reviewers, branch policies, variables) that `stage-project github
 * plan|apply` reconcile. Read-only; it follows from the topology in `.projenrc.ts`.
 */
export class StageSettingsFile extends JsonFile {
  /** The environments the file declares, in topology order. */
  public readonly environments: string[];
  private readonly variables: Map<string, { [name: string]: string }>;
  private readonly topics: string[];

  constructor(project: Project, topology: StageTopology) {
    const doc = desiredSettings(topology);
    const environments: EnvironmentSettings[] = doc.environments.map(e => ({ ...e, variables: { ...e.variables } }));
    const topics = [...doc.repository.topics];
    super(project, FILES.settings, {
      obj: { generatedBy: generatedBy(), ...doc, repository: { ...doc.repository, topics }, environments },
      marker: true,
      readonly: true,
      newline: true,
    });
    this.environments = environments.map(e => e.name);
    this.variables = new Map(environments.map(e => [e.name, e.variables as { [name: string]: string }]));
    this.topics = topics;
  }

  /**
   * Adds a variable that `github apply` keeps set on one environment, e.g. a bucket
   * name a stage's steps read.
   */
  public addVariable(environment: string, name: string, value: string): void {
    const vars = this.variables.get(environment);
    if (!vars) {
      throw new Error(`addVariable: unknown environment "${environment}" (known: ${this.environments.join(', ') || 'none'})`);
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || /^GITHUB_/i.test(name)) {
      throw new Error(`addVariable: invalid variable name "${name}" (letters, digits and "_", not starting with a digit or GITHUB_)`);
    }
    const clash = Object.keys(vars).find(k => k.toUpperCase() === name.toUpperCase());
    if (clash) {
      throw new Error(`addVariable: environment "${environment}" already has variable ${clash} (variable names are case-insensitive)`);
    }
    vars[name] = value;
  }

  /** Adds a topic that `github apply` keeps on the repository. */
  public addTopic(topic: string): void {
    if (!/^[a-z0-9][a-z0-9-]{0,49}$/.test(topic)) {
      throw new Error(`addTopic: invalid topic "${topic}" (lowercase letters, digits and "-", at most 50 characters)`);
    }
    if (!this.topics.includes(topic)) {
      this.topics.push(topic);
    }
  }
}
