import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { Component, InitProject, Project } from 'projen';
import { GitHubRepositoryOptions, TopologyOptions } from './topology/options';
import { packageIdentity } from './version';

/** What the scaffolded `.projenrc.ts` is rendered from. */
export interface ProjenrcSampleOptions {
  readonly name: string;
  readonly defaultReleaseBranch: string;
  readonly cdkVersion: string;
  readonly githubRepository: GitHubRepositoryOptions;
  readonly topology: TopologyOptions;
  /** Whether org defaults supply the accounts and stages (the sample then shows only the repository's own choices). */
  readonly orgDefaults: boolean;
}

const STANDALONE_COMMENT = `// Who may touch what. Accounts are named AWS accounts (replace the fake ids);
  // stages are access profiles: \`unit\` has no AWS access at all, \`build\` may push
  // images, \`e2e\` may pull them, \`deploy\` changes dev from develop/main and prod
  // only from main, after review. The pipeline says in which order jobs run.`;

const orgComment = () => `// Only what is this repository's own: the accounts, the registry and the stage
  // catalogue come from the org defaults in ${packageIdentity().name}. Name stages here
  // to pick a subset or extend their policies; add a pipeline to change the order.`;

export const TEMPLATES_DIR = join(__dirname, '..', 'templates');

/**
 * Writes the consuming repository's `.projenrc.ts` when `projen new --from` creates it:
 * a readable, editable topology instead of projen's one-line option dump. It runs after
 * projen's own projenrc component and replaces that file; it never touches an existing
 * repository's `.projenrc.ts` (the hook only runs at creation).
 */
export class ProjenrcSample extends Component {
  constructor(project: Project, private readonly options: ProjenrcSampleOptions) {
    super(project);
  }

  public projectCreation(init: InitProject): void {
    const file = join(this.project.outdir, '.projenrc.ts');
    const devDeps: string[] = init.args.devDeps ?? [packageIdentity().name];
    writeFileSync(file, renderProjenrc(this.options, devDeps));
  }
}

export function renderProjenrc(options: ProjenrcSampleOptions, devDeps: string[]): string {
  const template = readFileSync(join(TEMPLATES_DIR, 'projenrc.ts.template'), 'utf-8');
  const values: Record<string, string> = {
    packageName: packageIdentity().name,
    name: options.name,
    defaultReleaseBranch: options.defaultReleaseBranch,
    cdkVersion: options.cdkVersion,
    devDeps: literal(devDeps, 2),
    githubRepository: literal(options.githubRepository, 2),
    topology: literal(options.topology, 2),
    topologyComment: options.orgDefaults ? orgComment() : STANDALONE_COMMENT,
  };
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    if (!(key in values)) {
      throw new Error(`templates/projenrc.ts.template: unknown placeholder {{${key}}}`);
    }
    return values[key];
  });
}

/** A value as a TypeScript literal in the style of a hand-written .projenrc.ts. */
function literal(value: unknown, indent: number): string {
  const pad = (n: number) => ' '.repeat(n);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'string' ? quote(value) : JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    if (value.every(v => v === null || typeof v !== 'object')) {
      return `[${value.map(v => literal(v, indent)).join(', ')}]`;
    }
    return `[\n${value.map(v => `${pad(indent + 2)}${literal(v, indent + 2)},\n`).join('')}${pad(indent)}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) {
    return '{}';
  }
  const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : quote(k));
  const inline = entries.map(([k, v]) => `${key(k)}: ${literal(v, indent)}`).join(', ');
  if (inline.length <= 60 && entries.every(([, v]) => v === null || typeof v !== 'object' || Array.isArray(v))) {
    return `{ ${inline} }`;
  }
  return `{\n${entries.map(([k, v]) => `${pad(indent + 2)}${key(k)}: ${literal(v, indent + 2)},\n`).join('')}${pad(indent)}}`;
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
