import { AMAZON_ECR_LOGIN, CONFIGURE_AWS_CREDENTIALS, uses } from './pins';
import { StageTopology } from '../topology/model';
import * as naming from '../topology/naming';

/** Step ids inside the composite action; its outputs and step conditions refer to them. */
export const RESOLVE_STEP = 'resolve';

/**
 * Environment variables that mean the job already holds AWS credentials, or can obtain them
 * without this action (an OIDC token request, a profile, container credentials).
 */
export const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
];

/**
 * A bash single-quoted word; topology names are validated, but a quote must still not end the
 * word, so each becomes `'\''` (close the word, an escaped quote, reopen).
 */
function sq(value: string): string {
  return `'${value.replace(/'/g, '\'\\\'\'')}'`;
}

/**
 * The script of the resolve step. Inputs arrive only as environment variables: `${{ inputs.* }}`
 * pasted into a script would let an input rewrite the script. The lookup tables are generated
 * from the normalised topology, so the action cannot name a role the CDK app did not create.
 */
export function resolveScript(topology: StageTopology): string {
  const stageNames = topology.stages.map(s => s.name);
  const accountNames = topology.accounts.map(a => a.name);
  const knownStages = stageNames.join(', ');
  const knownAccounts = accountNames.join(', ');
  const prefix = naming.sessionNamePrefix(topology.github);

  const stageCases = topology.stages.map(s =>
    `  ${s.name}) images=${s.images}; role_accounts=${sq(s.accounts.join(', '))} ;;`);
  const roleCases = topology.roles.map(r =>
    `  ${r.stage}/${r.account}) role_arn=${sq(r.roleArn)}; role_region=${sq(r.region)} ;;`);

  return [
    'set -euo pipefail',
    'fail() { echo "::error title=stages action::$1"; exit 1; }',
    // Checked before the values appear in any message, so an input cannot inject a workflow command.
    'label=\'^[a-z][a-z0-9-]*$\'',
    `[[ "$STAGE" =~ $label ]] || fail ${sq(`input stage must be a stage name (known: ${knownStages})`)}`,
    `[[ -z "$ACCOUNT" || "$ACCOUNT" =~ $label ]] || fail ${sq(`input account must be an account name (known: ${knownAccounts})`)}`,
    '[[ -z "$REGION" || "$REGION" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] || fail \'input region must be an AWS region code such as us-east-1\'',
    'case "$STAGE" in',
    ...stageCases,
    `  *) fail "unknown stage \\"$STAGE\\" (known: ${knownStages})" ;;`,
    'esac',
    'if [[ -n "$ACCOUNT" ]]; then',
    '  case "$ACCOUNT" in',
    `    ${accountNames.join('|')}) ;;`,
    `    *) fail "unknown account \\"$ACCOUNT\\" (known: ${knownAccounts})" ;;`,
    '  esac',
    'fi',
    'if [[ -z "$role_accounts" ]]; then',
    '  [[ -z "$ACCOUNT" ]] || fail "stage \\"$STAGE\\" has no AWS access, so it has no role in account \\"$ACCOUNT\\" (leave input account empty)"',
    '  echo "stage $STAGE runs without AWS credentials"',
    '  { echo "access=none"; echo "images=none"; echo "role-arn="; echo "registry="; } >> "$GITHUB_OUTPUT"',
    '  exit 0',
    'fi',
    '[[ -n "$ACCOUNT" ]] || fail "stage \\"$STAGE\\" needs input account (it has roles in: $role_accounts)"',
    'case "$STAGE/$ACCOUNT" in',
    ...roleCases,
    '  *) fail "stage \\"$STAGE\\" has no role in account \\"$ACCOUNT\\" (it has roles in: $role_accounts)" ;;',
    'esac',
    'region="${REGION:-$role_region}"',
    // CloudTrail shows the session name: repository, run and stage, cut to IAM's limit from the
    // repository end so that the run id and the stage always survive.
    `prefix=${sq(prefix)}`,
    'suffix="-${GITHUB_RUN_ID:?}-$STAGE"',
    `keep=$(( ${naming.MAX_ROLE_SESSION_NAME} - \${#suffix} ))`,
    'if (( keep < 1 )); then keep=1; fi',
    'session="${prefix:0:keep}$suffix"',
    `session="\${session:0:${naming.MAX_ROLE_SESSION_NAME}}"`,
    'registry=""',
    `if [[ "$images" != none ]]; then registry=${sq(topology.registry.uri)}; fi`,
    // The ARN is not echoed: mask-aws-account-id hides the account id, and the log should too.
    'echo "stage $STAGE assumes its role in account $ACCOUNT ($region)"',
    '{',
    '  echo "access=role"',
    '  echo "images=$images"',
    '  echo "role-arn=$role_arn"',
    '  echo "region=$region"',
    '  echo "session-name=$session"',
    '  echo "registry=$registry"',
    '} >> "$GITHUB_OUTPUT"',
  ].join('\n') + '\n';
}

/** The script that proves a stage without a role runs without AWS credentials. */
export function noCredentialsScript(): string {
  return [
    'set -euo pipefail',
    'found=()',
    `for name in ${CREDENTIAL_VARIABLES.join(' ')}; do`,
    '  if [[ -n "${!name+set}" ]]; then found+=("$name"); fi',
    'done',
    'if [[ -e "$HOME/.aws/credentials" ]]; then found+=("$HOME/.aws/credentials"); fi',
    'if (( ${#found[@]} > 0 )); then',
    '  echo "::error title=stages action::stage $STAGE has no AWS role but the job can reach AWS credentials through: ${found[*]} (remove them, and id-token: write, from this job)"',
    '  exit 1',
    'fi',
    'echo "no AWS credentials in reach of stage $STAGE"',
  ].join('\n') + '\n';
}

const ACCESS = `steps.${RESOLVE_STEP}.outputs.access`;
const IMAGES = `steps.${RESOLVE_STEP}.outputs.images`;

/**
 * The composite action `.github/actions/stages/action.yaml`: (stage, account, region) to the
 * stage role, assumed through GitHub's OIDC token, or a proof that the stage has no credentials.
 *
 * @param generatedBy the package and version that wrote it, named in the description
 */
export function renderStagesAction(topology: StageTopology, generatedBy: string): Record<string, unknown> {
  const stages = topology.stages.map(s => s.name).join(', ');
  const accounts = topology.accounts.map(a => a.name).join(', ');
  const output = (name: string) => `\${{ steps.${RESOLVE_STEP}.outputs.${name} }}`;
  return {
    name: 'stages',
    description: `Assumes the AWS role of one stage of ${topology.github.fullName} in one account through GitHub OIDC, or proves that a stage without AWS access has no credentials. Generated by ${generatedBy} from the stage topology.`,
    inputs: {
      stage: {
        description: `The stage: one of ${stages}.`,
        required: true,
      },
      account: {
        // Not required: stages without AWS access run in no account.
        description: `The account the stage runs in: one of ${accounts}. Leave empty for stages without AWS access.`,
        required: false,
        default: '',
      },
      region: {
        description: `The region of the credentials. Default: the account's region (${topology.defaultRegion} where the account names none).`,
        required: false,
        default: '',
      },
    },
    outputs: {
      'role-arn': {
        description: 'The ARN of the assumed role (empty for stages without AWS access).',
        value: output('role-arn'),
      },
      'registry': {
        description: 'The ECR registry host, for stages that pull or push images (empty otherwise).',
        value: output('registry'),
      },
    },
    runs: {
      using: 'composite',
      steps: [
        {
          name: 'Resolve the stage role',
          id: RESOLVE_STEP,
          shell: 'bash',
          env: {
            STAGE: '${{ inputs.stage }}',
            ACCOUNT: '${{ inputs.account }}',
            REGION: '${{ inputs.region }}',
          },
          run: resolveScript(topology),
        },
        {
          name: 'Check that the stage has no AWS credentials',
          if: `${ACCESS} == 'none'`,
          shell: 'bash',
          env: { STAGE: '${{ inputs.stage }}' },
          run: noCredentialsScript(),
        },
        {
          name: 'Assume the stage role',
          if: `${ACCESS} == 'role'`,
          uses: uses(CONFIGURE_AWS_CREDENTIALS),
          with: {
            'role-to-assume': output('role-arn'),
            'aws-region': output('region'),
            'role-session-name': output('session-name'),
            'audience': topology.oidc.audience,
            'mask-aws-account-id': true,
          },
        },
        {
          name: 'Log in to the image registry',
          if: `${ACCESS} == 'role' && ${IMAGES} != 'none'`,
          uses: uses(AMAZON_ECR_LOGIN),
          // The login token is regional: ask the registry's region, whatever the role's region is.
          env: {
            AWS_REGION: topology.registry.region,
            AWS_DEFAULT_REGION: topology.registry.region,
          },
          with: {
            'registries': topology.registry.accountId,
            'mask-password': true,
          },
        },
      ],
    },
  };
}
