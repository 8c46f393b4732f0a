import { evaluateValue } from '../../src/verify/workflow';

/** The expression forms the workflow renderer writes, as verify reads them for each event and matrix leg. */
describe('evaluateValue', () => {
  const lookup = '${{ fromJSON(\'{"dev":"deploy-dev","o\'\'brien":"deploy-ob"}\')[matrix.account] }}';

  test.each<[string, unknown, string, 'push' | 'pull_request', string | undefined]>([
    ['absent', undefined, 'dev', 'push', ''],
    ['a literal', 'deploy-prod', 'prod', 'push', 'deploy-prod'],
    ['matrix.account', '${{ matrix.account }}', 'qa', 'push', 'qa'],
    ['a quoted literal', "${{ 'deploy-dev' }}", 'dev', 'push', 'deploy-dev'],
    ['a lookup by matrix account', lookup, 'dev', 'push', 'deploy-dev'],
    ['a lookup with a doubled quote', lookup, "o'brien", 'push', 'deploy-ob'],
    ['a lookup missing the account', lookup, 'prod', 'push', ''],
    ['a pull-request guard on a push', "${{ github.event_name != 'pull_request' && 'e2e-dev' || '' }}", 'dev', 'push', 'e2e-dev'],
    ['a pull-request guard on a pull request', "${{ github.event_name != 'pull_request' && 'e2e-dev' || '' }}", 'dev', 'pull_request', ''],
    ['an unknown expression', '${{ vars.ENVIRONMENT }}', 'dev', 'push', undefined],
    ['an expression inside text', 'deploy-${{ matrix.account }}', 'dev', 'push', undefined],
  ])('%s', (_, value, account, event, expected) => {
    expect(evaluateValue(value, account, event)).toBe(expected);
  });
});
