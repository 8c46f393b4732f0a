/**
 * The desired repository settings as written to `.github/stage-settings.json` and read
 * by `stage-project github plan|apply`. Keys follow GitHub's REST API (snake_case) so a
 * reader can compare the file with the API documentation field by field; that is also
 * why these interfaces stay out of the jsii API (jsii requires camelCase members).
 */
export interface StageSettingsDocument {
  /** Shape version; the CLI refuses documents it does not know. */
  readonly schemaVersion: number;
  /** The package version that wrote the file. */
  readonly generatedBy?: string;
  readonly repository: RepositorySettings;
  readonly oidc: OidcSettings;
  /** One per (stage, account) that has a role, in topology order. */
  readonly environments: EnvironmentSettings[];
}

export interface RepositorySettings {
  readonly owner: string;
  readonly name: string;
  /**
   * Topics the repository must carry (others are left alone). `stage-project` marks a
   * consuming repository so that org-wide tooling can find it.
   */
  readonly topics: string[];
}

/** `PUT /repos/{owner}/{repo}/actions/oidc/customization/sub`. */
export interface OidcSettings {
  readonly use_default: boolean;
  /** With `use_default: false`, an empty list opts into the organization's template. */
  readonly include_claim_keys: string[];
  readonly use_immutable_subject: boolean;
}

export interface EnvironmentSettings {
  /** Compared case-insensitively with live environments, as GitHub does. */
  readonly name: string;
  /** Minutes. */
  readonly wait_timer: number;
  readonly prevent_self_review: boolean;
  /** User logins and `org/team-slug` teams. */
  readonly reviewers: string[];
  /** `null`: any branch may deploy. Otherwise exactly these branches. */
  readonly deployment_branch_policy: { readonly custom_branch_policies: string[] } | null;
  /** Environment variables this tool owns; other variables are left alone. */
  readonly variables: { readonly [name: string]: string };
}

export const SETTINGS_SCHEMA_VERSION = 1;

/** Thrown for a settings file that cannot be used; lists every problem. */
export class SettingsFileError extends Error {
  constructor(file: string, public readonly problems: string[]) {
    super(`${file}: ${problems.length === 1 ? problems[0] : `\n  ${problems.join('\n  ')}`}`);
    this.name = 'SettingsFileError';
  }
}

/**
 * Checks a parsed settings file. The file is generated, but it is also committed, so a
 * hand edit or a file written by a newer version must fail here with the field named,
 * not halfway through an apply.
 */
export function parseSettingsDocument(value: unknown, file: string): StageSettingsDocument {
  const problems: string[] = [];
  const obj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every(s => typeof s === 'string');
  if (!obj(value)) {
    throw new SettingsFileError(file, ['must be a JSON object (regenerate it with `npx projen`)']);
  }
  if (value.schemaVersion !== SETTINGS_SCHEMA_VERSION) {
    throw new SettingsFileError(file, [
      `schemaVersion ${JSON.stringify(value.schemaVersion)} is not supported by this version of stage-project (expected ${SETTINGS_SCHEMA_VERSION}); run the CLI of the package version that wrote it`,
    ]);
  }
  const repo = value.repository;
  if (!obj(repo) || typeof repo.owner !== 'string' || typeof repo.name !== 'string' || !strings(repo.topics)) {
    problems.push('repository: must be { owner: string, name: string, topics: string[] }');
  }
  const oidc = value.oidc;
  if (!obj(oidc) || typeof oidc.use_default !== 'boolean' || !strings(oidc.include_claim_keys)
    || typeof oidc.use_immutable_subject !== 'boolean') {
    problems.push('oidc: must be { use_default: boolean, include_claim_keys: string[], use_immutable_subject: boolean }');
  }
  if (!Array.isArray(value.environments)) {
    problems.push('environments: must be a list');
  } else {
    const seen = new Map<string, number>();
    value.environments.forEach((env: unknown, i: number) => {
      const path = `environments[${i}]`;
      if (!obj(env) || typeof env.name !== 'string' || env.name.length === 0) {
        problems.push(`${path}.name: must be a non-empty string`);
        return;
      }
      const key = env.name.toLowerCase();
      if (seen.has(key)) {
        problems.push(`${path}.name: "${env.name}" repeats environments[${seen.get(key)}] (GitHub environment names are case-insensitive)`);
      }
      seen.set(key, i);
      if (!Number.isInteger(env.wait_timer) || env.wait_timer < 0) {
        problems.push(`${path}.wait_timer: must be a whole number of minutes`);
      }
      if (typeof env.prevent_self_review !== 'boolean') {
        problems.push(`${path}.prevent_self_review: must be true or false`);
      }
      if (!strings(env.reviewers)) {
        problems.push(`${path}.reviewers: must be a list of logins or org/team slugs`);
      }
      const policy = env.deployment_branch_policy;
      if (policy !== null && !(obj(policy) && strings(policy.custom_branch_policies) && policy.custom_branch_policies.length > 0)) {
        problems.push(`${path}.deployment_branch_policy: must be null (any branch) or { custom_branch_policies: ["main"] }`);
      }
      if (!obj(env.variables) || Object.values(env.variables).some(v => typeof v !== 'string')) {
        problems.push(`${path}.variables: must map names to string values`);
      }
    });
  }
  if (problems.length > 0) {
    throw new SettingsFileError(file, problems);
  }
  return value as StageSettingsDocument;
}
