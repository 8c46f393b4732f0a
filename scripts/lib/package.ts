import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export const ROOT = join(__dirname, '..', '..');

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
    execFileSync('npx', ['jsii', '--silence-warnings=reserved-word'], { cwd: ROOT, stdio: 'pipe' });
  }
}

/** `npm pack` of the repository as it is now; returns the tarball path. */
export function packRepository(destination: string): string {
  mkdirSync(destination, { recursive: true });
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: ROOT, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [info] = JSON.parse(out);
  return join(destination, info.filename);
}

/**
 * Repackages a tarball under another version (and optionally edits files in it), as a
 * release would: the same build, a new version number. Bundled dependencies travel inside.
 */
export function repack(tarball: string, version: string, destination: string, edit?: (packageDir: string) => void): string {
  const work = mkdtempSync(join(tmpdir(), 'stage-project-repack-'));
  execFileSync('tar', ['-xzf', tarball, '-C', work]);
  const dir = join(work, 'package');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf-8'));
  manifest.version = version;
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  edit?.(dir);
  return packRepositoryDir(dir, destination);
}

function packRepositoryDir(dir: string, destination: string): string {
  mkdirSync(destination, { recursive: true });
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], { cwd: dir, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [info] = JSON.parse(out);
  return join(destination, info.filename);
}
