import type { Octokit } from '@octokit/rest' with { 'resolution-mode': 'import' };
import type Bottleneck from 'bottleneck';

export type GitHubClient = Octokit;

/**
 * Timings of retries and throttling. The defaults are GitHub's guidance (retry with
 * back-off, at least a second between content-creating writes); tests shrink them so
 * that faults replay in milliseconds.
 */
export interface ClientTimings {
  /** Multiplier of every back-off and `retry-after`, in ms per second (plugin default 1000). */
  readonly retryBaseMs: number;
  /** Retries of 5xx and dropped connections per request. */
  readonly retries: number;
  /** Retries after a rate limit, per request. */
  readonly rateLimitRetries: number;
  /** A rate limit that resets later than this is not waited for: the run fails instead. */
  readonly maxRateLimitWaitSeconds: number;
  /** Minimum spacing of writes, in ms; undefined keeps the plugin's own (1000). */
  readonly writeSpacingMs?: number;
}

export const DEFAULT_TIMINGS: ClientTimings = {
  retryBaseMs: 1000,
  retries: 3,
  rateLimitRetries: 2,
  maxRateLimitWaitSeconds: 15 * 60,
};

export interface ClientOptions {
  readonly token: string;
  readonly baseUrl: string;
  readonly timings: ClientTimings;
  /** Progress and warnings (the CLI sends them to stderr). */
  readonly log: (message: string) => void;
  readonly userAgent?: string;
}

/**
 * Statuses that mean the request itself is wrong, so a retry cannot help. 409 is
 * added to the plugin's default list: GitHub answers it for "already exists", which
 * a retry would only repeat.
 */
export const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 451];

/**
 * One Octokit composed with retry and throttling. `@octokit/rest` is ESM-only; a
 * dynamic import survives jsii's CommonJS output as a real `import()`, which Node
 * resolves through the package's `exports`.
 */
export async function createGitHubClient(options: ClientOptions): Promise<GitHubClient> {
  const [{ Octokit: Base }, { retry }, { throttling }] = await Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ]);
  const Client = Base.plugin(retry, throttling);
  const { timings, log } = options;
  const onLimit = (kind: string) => (retryAfter: number, req: { method: string; url: string }, octokit: Pick<Octokit, 'request'>, retryCount: number) => {
    // The options carry the route template; the endpoint fills in the parameters.
    const { method, url } = (octokit.request.endpoint as (o: object) => { method: string; url: string })(req);
    const where = `${method} ${new URL(url).pathname}`;
    if (retryCount >= timings.rateLimitRetries || retryAfter > timings.maxRateLimitWaitSeconds) {
      log(`${kind} rate limit on ${where}; giving up (would wait ${retryAfter}s)`);
      return false;
    }
    log(`${kind} rate limit on ${where}; retrying in ${retryAfter}s`);
    return true;
  };
  return new Client({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'stage-project',
    log: {
      debug: () => {},
      info: () => {},
      warn: (m: string) => log(m),
      // Octokit logs every failed request; a 404 is an answer its caller reads (no such
      // file, workflow or environment) and reports itself when it is an error.
      error: (m: string) => {
        if (!/ - 404 with id /.test(m)) log(m);
      },
    },
    retry: { doNotRetry: DO_NOT_RETRY, retries: timings.retries, retryAfterBaseValue: timings.retryBaseMs },
    throttle: {
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      retryAfterBaseValue: timings.retryBaseMs,
      ...(timings.writeSpacingMs === undefined ? {} : writeGroups(timings.writeSpacingMs)),
    },
  });
}

/**
 * Write limiters with a different spacing. The plugin's own groups are created once
 * per process with fixed spacings, so a different spacing needs groups of our own.
 * `bottleneck` is the plugin's own limiter, declared and bundled with it.
 */
function writeGroups(spacingMs: number): { write: Bottleneck.Group; notifications: Bottleneck.Group } {
  // The light build has no Redis clustering code; it has no type declarations of its own.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const BottleneckLight: typeof Bottleneck = require('bottleneck/light.js');
  return {
    write: new BottleneckLight.Group({ maxConcurrent: 1, minTime: spacingMs }),
    notifications: new BottleneckLight.Group({ maxConcurrent: 1, minTime: spacingMs }),
  };
}
