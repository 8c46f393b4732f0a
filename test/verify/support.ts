import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import { github, Project } from 'projen';
import { parse, stringify } from 'yaml';
import { StageApp } from '../../src/cdk';
import { StagesAction, StagesWorkflow } from '../../src/github';
import { StageSettingsFile } from '../../src/settings';
import { StageTopology } from '../../src/topology/model';
import { FILES } from '../../src/topology/naming';
import { StageTopologyFile } from '../../src/topology/topology-file';
import { CliResult, runCli } from '../settings/helpers';

/**
 * A consuming repository's synthesized outputs, as `npx projen` and `npx cdk synth` leave
 * them: the generated topology, stages.yml, action.yaml, the settings file and cdk.out.
 */
export function synthesizeRepository(topology: StageTopology, dir = mkdtempSync(join(tmpdir(), 'stage-verify-'))): string {
  const project = new Project({ name: topology.github.repository, outdir: dir });
  new github.GitHub(project, { mergify: false, pullRequestLint: false });
  new StageTopologyFile(project, topology);
  new StagesWorkflow(project, topology);
  new StagesAction(project, topology);
  new StageSettingsFile(project, topology);
  project.synth();
  const app = new App({ outdir: join(dir, 'cdk.out') });
  new StageApp(app, { topology });
  app.synth();
  return dir;
}

/** A copy of a synthesized repository whose files the test may change. */
export class RepositoryCopy {
  /** The resource of a template whose properties satisfy `match`. */
  static resource(template: any, type: string, match: (props: any) => boolean): any {
    const found = Object.values<any>(template.Resources).find(r => r.Type === type && match(r.Properties ?? {}));
    if (!found) {
      throw new Error(`no ${type} matching in the template`);
    }
    return found;
  }

  readonly dir = mkdtempSync(join(tmpdir(), 'stage-verify-copy-'));

  constructor(source: string) {
    cpSync(source, this.dir, { recursive: true });
  }

  /** Changes a JSON file in place. */
  json(file: string, edit: (doc: any) => void): void {
    const path = join(this.dir, file);
    const doc = JSON.parse(readFileSync(path, 'utf-8'));
    edit(doc);
    writeFileSync(path, JSON.stringify(doc, null, 2));
  }

  /** Changes a YAML file in place. */
  yaml(file: string, edit: (doc: any) => void): void {
    const path = join(this.dir, file);
    const doc = parse(readFileSync(path, 'utf-8'));
    edit(doc);
    writeFileSync(path, stringify(doc));
  }

  /** Changes the synthesized template of a stack. */
  template(stackId: string, edit: (template: any) => void): void {
    this.json(join('cdk.out', `${stackId}.template.json`), edit);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `stage-project verify --json` on a copy of `source` changed by `tamper`; the copy is removed afterwards. */
export async function verifyCopy(source: string, tamper: (copy: RepositoryCopy) => void): Promise<CliResult> {
  const copy = new RepositoryCopy(source);
  try {
    tamper(copy);
    return await runCli(['verify', '--json'], { cwd: copy.dir });
  } finally {
    copy.remove();
  }
}

export const WORKFLOW = FILES.workflow;
export const SETTINGS = FILES.settings;
