import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { run } from './exec';

export const ROOT = join(__dirname, '..', '..');

/** The projen CLI that scaffolds consuming repositories: the version this package is built and tested with. */
export const PROJEN_CLI = `projen@${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf-8')).devDependencies.projen}`;

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Compiles with jsii unless `.jsii` is newer than every source file (the build's compile step already ran). */
export function ensureCompiled(log: (line: string) => void = () => undefined): void {
  const assembly = join(ROOT, '.jsii');
  let fresh = false;
  try {
    fresh = statSync(assembly).mtimeMs >= Math.max(newest(join(ROOT, 'src')), statSync(join(ROOT, 'package.json')).mtimeMs);
  } catch {
    fresh = false;
  }
  if (!fresh) {
    log('compiling with jsii');
    run('npx', ['jsii', '--silence-warnings=reserved-word'], ROOT);
  }
}

/** `npm pack` of the repository as it is now; returns the tarball path. */
export function packRepository(destination: string): string {
  return pack(ROOT, destination);
}

/**
 * Repackages a tarball under another version (and optionally edits files in it), as a
 * release would: the same build, a new version number. Bundled dependencies travel inside.
 */
export function repack(tarball: string, version: string, destination: string, edit?: (packageDir: string) => void): string {
  const work = mkdtempSync(join(tmpdir(), 'stage-project-repack-'));
  run('tar', ['-xzf', tarball, '-C', work], work);
  const dir = join(work, 'package');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf-8'));
  manifest.version = version;
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  edit?.(dir);
  // The unpacked tarball is already built: its scripts must not run again.
  return pack(dir, destination, ['--ignore-scripts']);
}

function pack(dir: string, destination: string, extraArgs: string[] = []): string {
  mkdirSync(destination, { recursive: true });
  const [info] = JSON.parse(run('npm', ['pack', '--json', ...extraArgs, '--pack-destination', destination], dir));
  return join(destination, info.filename);
}
