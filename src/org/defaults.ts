import { OrgDefaults } from './options';

/**
 * THE place a platform team sets its org's defaults before publishing its own build of
 * this package (see "Publishing your org's stage-project" in the README). `undefined`
 * means no org layer: every repository declares its whole topology.
 */
export const ORG_DEFAULTS: OrgDefaults | undefined = undefined;
