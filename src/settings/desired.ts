import { EnvironmentSettings, OidcSettings, SETTINGS_SCHEMA_VERSION, StageSettingsDocument } from './document';
import { StageTopology } from '../topology/model';
import * as naming from '../topology/naming';

/**
 * The repository's OIDC settings, from the same `topology.oidc` the trust policies
 * are built from. The immutable form is chosen exactly when the trust accepts it
 * (both ids known): it cannot be recycled by a new owner of the name, and without
 * the ids the trust only knows the name-based form, so asking GitHub for the
 * immutable one would lock every stage out.
 */
export function desiredOidc(topology: StageTopology): OidcSettings {
  return {
    use_default: topology.oidc.useDefault,
    include_claim_keys: topology.oidc.useDefault ? [] : [...topology.oidc.includeClaimKeys],
    use_immutable_subject: topology.oidc.acceptsImmutableSubjects,
  };
}

/** Pure: normalised topology in, settings document out. */
export function desiredSettings(topology: StageTopology): StageSettingsDocument {
  const environments: EnvironmentSettings[] = topology.roles.map(role => ({
    name: role.environment,
    wait_timer: role.waitTimerMinutes,
    prevent_self_review: role.preventSelfReview,
    reviewers: [...role.reviewers],
    deployment_branch_policy: role.branches.length > 0 ? { custom_branch_policies: [...role.branches] } : null,
    variables: {
      [naming.ENVIRONMENT_VARIABLES.roleArn]: role.roleArn,
      [naming.ENVIRONMENT_VARIABLES.region]: role.region,
      [naming.ENVIRONMENT_VARIABLES.accountId]: role.accountId,
    },
  }));
  return {
    schemaVersion: SETTINGS_SCHEMA_VERSION,
    repository: {
      owner: topology.github.owner,
      name: topology.github.repository,
      topics: [naming.CONSUMER_TOPIC],
    },
    oidc: desiredOidc(topology),
    environments,
  };
}

/**
 * The `sub` GitHub sends for a job in `environment` under these OIDC settings, or
 * undefined when a custom claim template makes it depend on more than the topology knows.
 */
export function subjectUnder(oidc: OidcSettings, topology: StageTopology, environment: string): string | undefined {
  if (!oidc.use_default) {
    return undefined;
  }
  return oidc.use_immutable_subject
    ? naming.immutableEnvironmentSubject(topology.github, environment)
    : naming.environmentSubject(topology.github, environment);
}
