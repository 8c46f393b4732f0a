import { readFileSync } from 'fs';
import { join } from 'path';

interface PackageIdentity {
  readonly name: string;
  readonly version: string;
  readonly peerDependencies: Record<string, string>;
}

let cached: PackageIdentity | undefined;

/**
 * The name and version of the package that is running, read from its own
 * package.json (one level above both `src/` and `lib/`). Generated files name it
 * so that a diff shows which version wrote them.
 */
export function packageIdentity(): PackageIdentity {
  if (!cached) {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf-8'));
    cached = { name: pkg.name, version: pkg.version, peerDependencies: pkg.peerDependencies ?? {} };
  }
  return cached;
}

/** `@org/stage-project@1.2.3`, the marker every generated file carries. */
export function generatedBy(): string {
  const { name, version } = packageIdentity();
  return `${name}@${version}`;
}
