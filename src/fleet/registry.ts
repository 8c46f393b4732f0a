import { execFile } from 'child_process';

/** What the registry publishes of the package. */
export interface Published {
  readonly latest: string;
  readonly versions: string[];
  /** The registry asked, or undefined for npm's own configuration. */
  readonly registry?: string;
}

export interface RegistryOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Overrides npm's configured registry, for the package's scope too. */
  readonly registry?: string;
}

/**
 * Asks npm (`npm view`) rather than the registry's HTTP API: the org's package lives in a
 * private registry, and npm already knows from the user's and the project's `.npmrc`
 * which registry serves the scope and with which credentials. One call per run.
 */
export async function publishedVersions(packageName: string, options: RegistryOptions): Promise<Published> {
  const args = ['view', packageName, 'versions', 'dist-tags', '--json'];
  const scope = packageName.startsWith('@') ? packageName.split('/')[0] : undefined;
  if (options.registry) {
    // A scope's own registry setting wins over --registry, so both are set.
    args.push(`--registry=${options.registry}`, ...(scope ? [`--${scope}:registry=${options.registry}`] : []));
  }
  const where = options.registry ?? 'the registry npm is configured with';
  const { stdout, error } = await new Promise<{ stdout: string; error?: Error }>(resolve => {
    execFile('npm', args, {
      cwd: options.cwd,
      env: options.env,
      encoding: 'utf-8',
      maxBuffer: 64 * 1024 * 1024,
      shell: process.platform === 'win32',
    }, (err, out) => resolve({ stdout: out, error: err ?? undefined }));
  });
  let json: any;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new Error(`cannot read the published versions of ${packageName} from ${where}: \`npm ${args.join(' ')}\` ${error ? `failed (${error.message.split('\n')[0]})` : 'printed no JSON'}`);
  }
  if (json?.error) {
    const detail = json.error.code === 'E404'
      ? `${packageName} is not published there (or npm has no credentials for it: check the scope's registry and token in .npmrc)`
      : json.error.summary ?? json.error.code;
    throw new Error(`cannot read the published versions of ${packageName} from ${where}: ${detail}`);
  }
  const latest = json?.['dist-tags']?.latest;
  if (typeof latest !== 'string') {
    throw new Error(`${packageName} has no "latest" dist-tag in ${where}`);
  }
  // With a single published version npm prints a string rather than a list.
  const versions: string[] = Array.isArray(json.versions) ? json.versions : typeof json.versions === 'string' ? [json.versions] : [latest];
  return { latest, versions, registry: options.registry };
}
