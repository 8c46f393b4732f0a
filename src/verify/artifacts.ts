import { existsSync, readdirSync, readFileSync } from 'fs';
import { join, relative, resolve } from 'path';
import { parse } from 'yaml';
import { CfnTemplate } from './templates';
import { parseSettingsDocument, StageSettingsDocument } from '../settings/document';
import { StageTopology } from '../topology/model';
import { FILES } from '../topology/naming';
import { SCHEMA_VERSION } from '../topology/normalise';

/** What `verify` reads: the outputs of synthesis, each produced by different code from one topology. */
export interface VerifyInputs {
  /** The normalised topology the other files were generated from (names, branches, intent). */
  readonly topology: StageTopology;
  /** Synthesized templates by stack name. */
  readonly templates: ReadonlyMap<string, CfnTemplate>;
  /** `stages.yml`, parsed. */
  readonly workflow: any;
  /** The role ARN the composite action assumes for each `stage/account`. */
  readonly actionRoles: ReadonlyMap<string, string>;
  readonly settings: StageSettingsDocument;
}

/** A required input is missing or unreadable; the message says how to produce it. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

function read(cwd: string, file: string, hint: string): string {
  const path = resolve(cwd, file);
  if (!existsSync(path)) {
    throw new InputError(`${relative(cwd, path) || path} not found (${hint})`);
  }
  return readFileSync(path, 'utf-8');
}

function parsed<T>(text: string, file: string, parseFn: (text: string) => T): T {
  try {
    return parseFn(text);
  } catch (e) {
    throw new InputError(`${file}: ${(e as Error).message.split('\n')[0]} (regenerate it with \`npx projen\`)`);
  }
}

/**
 * Templates of every stack in a cloud assembly (`cdk.out`), nested assemblies included,
 * by stack name.
 */
export function readCloudAssembly(dir: string): Map<string, CfnTemplate> {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new InputError(`${dir} is not a cloud assembly: no manifest.json (run \`npx cdk synth\`, or pass --cdk-out <dir>)`);
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf-8'));
  const templates = new Map<string, CfnTemplate>();
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const stackName = artifact.properties.stackName ?? id;
      const file = join(dir, artifact.properties.templateFile);
      if (!existsSync(file)) {
        throw new InputError(`${file}: the template of stack ${stackName} is missing, though ${manifestFile} lists it (synthesize again: \`npx cdk synth\`; \`npx projen stage:verify\` does both)`);
      }
      templates.set(stackName, JSON.parse(readFileSync(file, 'utf-8')));
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      for (const [name, template] of readCloudAssembly(join(dir, artifact.properties.directoryName))) {
        templates.set(name, template);
      }
    }
  }
  return templates;
}

/**
 * The composite action's lookup of (stage, account) to role ARN, read from its resolve
 * script: the role a job actually assumes, whatever the topology says.
 */
export function actionRoleArns(action: any): Map<string, string> {
  const roles = new Map<string, string>();
  for (const step of action?.runs?.steps ?? []) {
    for (const match of String(step.run ?? '').matchAll(/^\s*([a-z][a-z0-9-]*\/[a-z][a-z0-9-]*)\) role_arn='([^']*)'/gm)) {
      roles.set(match[1], match[2]);
    }
  }
  return roles;
}

/** Reads every input from a consuming repository. */
export function readInputs(cwd: string, cdkOut: string): VerifyInputs {
  const regenerate = 'run `npx projen`';
  const topology = parsed(read(cwd, FILES.topology, regenerate), FILES.topology, JSON.parse) as StageTopology;
  if (topology.schemaVersion !== SCHEMA_VERSION) {
    throw new InputError(`${FILES.topology}: schema version ${JSON.stringify(topology.schemaVersion)}, this version of stage-project reads ${SCHEMA_VERSION} (${regenerate})`);
  }
  const workflow = parsed(read(cwd, FILES.workflow, regenerate), FILES.workflow, parse);
  const action = parsed(read(cwd, FILES.action, regenerate), FILES.action, parse);
  const settings = parsed(read(cwd, FILES.settings, regenerate), FILES.settings, t => parseSettingsDocument(JSON.parse(t), FILES.settings));
  const assembly = resolve(cwd, cdkOut);
  if (!existsSync(assembly) || readdirSync(assembly).length === 0) {
    throw new InputError(`${cdkOut} not found: synthesize first (\`npx cdk synth\`; \`npx projen stage:verify\` does both)`);
  }
  return { topology, templates: readCloudAssembly(assembly), workflow, actionRoles: actionRoleArns(action), settings };
}
