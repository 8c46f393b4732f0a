import { tmpdir } from 'os';
import { join } from 'path';

// A cache of our own, shared by the steps of a run (and by later runs on this machine),
// keeps the user's cache out of it; the @org scope still resolves only through the local
// registry, whose URL changes every run.
const NPM_CACHE = join(tmpdir(), 'stage-project-e2e-npm-cache');

/** The environment of every npm/npx/projen command run in a consuming repository. */
export function consumerEnv(userconfig: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    npm_config_cache: NPM_CACHE,
    npm_config_userconfig: userconfig,
    npm_config_update_notifier: 'false',
    // projen installs with `npm ci` under CI, which a freshly scaffolded repository (no lockfile yet) cannot do.
    CI: '',
    ...extra,
  };
}
