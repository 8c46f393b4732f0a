#!/usr/bin/env node
/*
 * Regenerates openapi-fixture.json from @octokit/openapi, which is far too large to be
 * a dependency. Run it outside the repository:
 *   cd "$(mktemp -d)" && npm pack @octokit/openapi && tar xzf octokit-openapi-*.tgz \
 *     package/generated/api.github.com.deref.json package/package.json
 *   node <repo>/test/support/fake-github/extract-openapi.js "$PWD/package"
 * Keeps only the operations the fake server implements, and only the schema keywords
 * its validator reads.
 */
const fs = require('fs');
const path = require('path');

const OPERATIONS = [
  'GET /repos/{owner}/{repo}/actions/oidc/customization/sub',
  'PUT /repos/{owner}/{repo}/actions/oidc/customization/sub',
  'GET /repos/{owner}/{repo}/topics',
  'PUT /repos/{owner}/{repo}/topics',
  'GET /repos/{owner}/{repo}/environments',
  'GET /repos/{owner}/{repo}/environments/{environment_name}',
  'PUT /repos/{owner}/{repo}/environments/{environment_name}',
  'GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies',
  'POST /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies',
  'GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies/{branch_policy_id}',
  'PUT /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies/{branch_policy_id}',
  'DELETE /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies/{branch_policy_id}',
  'GET /repos/{owner}/{repo}/environments/{environment_name}/variables',
  'POST /repos/{owner}/{repo}/environments/{environment_name}/variables',
  'PATCH /repos/{owner}/{repo}/environments/{environment_name}/variables/{name}',
  'GET /users/{username}',
  'GET /orgs/{org}/teams/{team_slug}',
  // stage-project fleet status|upgrade
  'GET /orgs/{org}/repos',
  'GET /repos/{owner}/{repo}/contents/{path}',
  'GET /repos/{owner}/{repo}/pulls',
  'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
  'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
];

const KEEP = new Set(['type', 'properties', 'required', 'items', 'anyOf', 'oneOf', 'allOf', 'enum', 'nullable',
  'additionalProperties', 'minimum', 'maximum', 'minItems', 'maxItems', 'minLength', 'maxLength']);

function prune(schema) {
  if (Array.isArray(schema)) return schema.map(prune);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!KEEP.has(key)) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value).map(([p, s]) => [p, prune(s)]));
    } else if (key === 'required' || key === 'enum') {
      out[key] = value;
    } else {
      out[key] = prune(value);
    }
  }
  return out;
}

const dir = process.argv[2];
if (!dir) {
  console.error('usage: extract-openapi.js <unpacked @octokit/openapi package dir>');
  process.exit(1);
}
const spec = JSON.parse(fs.readFileSync(path.join(dir, 'generated', 'api.github.com.deref.json'), 'utf-8'));
const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf-8')).version;
const operations = {};
for (const key of OPERATIONS) {
  const [method, route] = key.split(' ');
  const op = spec.paths[route] && spec.paths[route][method.toLowerCase()];
  if (!op) throw new Error(`${key} is not in the specification`);
  const body = op.requestBody && op.requestBody.content['application/json'];
  const responses = {};
  for (const [code, response] of Object.entries(op.responses)) {
    const json = response.content && response.content['application/json'];
    if (/^2/.test(code)) responses[code] = json ? prune(json.schema) : null;
  }
  operations[key] = {
    operationId: op.operationId,
    requestBody: body ? prune(body.schema) : null,
    requestBodyRequired: Boolean(op.requestBody && op.requestBody.required),
    responses,
  };
}
const out = { source: `@octokit/openapi@${version} generated/api.github.com.deref.json`, operations };
fs.writeFileSync(path.join(__dirname, 'openapi-fixture.json'), `${JSON.stringify(out, null, 1)}\n`);
console.log(`wrote ${Object.keys(operations).length} operations`);
