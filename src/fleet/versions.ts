/**
 * Just enough semver for the fleet: which published version a repository's range pins,
 * how far behind the latest it is, and how far its upgrade workflow can take it. The
 * package's own dependencies stay Octokit and yaml; the ranges that occur here are the
 * ones projen and npm write (`^1.2.3`, `~1.2.3`, `1.2.3`).
 */

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Dot-separated prerelease identifiers; empty for a release. */
  readonly prerelease: string[];
  readonly text: string;
}

const VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) {
    return undefined;
  }
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ? m[4].split('.') : [], text: text.trim().replace(/^v/, '') };
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Number(a) - Number(b);
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semver precedence: negative when `a` is older. */
export function compareVersions(a: Version, b: Version): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return core;
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return b.prerelease.length - a.prerelease.length;
  }
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
    const c = compareIdentifiers(a.prerelease[i], b.prerelease[i]);
    if (c !== 0) return c;
  }
  return a.prerelease.length - b.prerelease.length;
}

/** A dependency range as written in package.json, reduced to its floor and how far up it reaches. */
export interface VersionRange {
  readonly spec: string;
  /** The lowest version the range accepts: what the repository is pinned to. */
  readonly floor: Version;
  /** `^` any later minor (for 0.x: patch), `~` any later patch, `exact` nothing later, `min` (`>=`) anything later. */
  readonly kind: 'caret' | 'tilde' | 'exact' | 'min';
}

/** Undefined for specs that name no version (`*`, `latest`, `file:`, git URLs). */
export function parseRange(spec: string): VersionRange | undefined {
  const m = /^\s*(\^|~|>=|=)?\s*(\S+)\s*$/.exec(spec);
  const floor = m ? parseVersion(m[2]) : undefined;
  if (!m || !floor) {
    return undefined;
  }
  const kind = m[1] === '^' ? 'caret' : m[1] === '~' ? 'tilde' : m[1] === '>=' ? 'min' : 'exact';
  return { spec, floor, kind };
}

/** npm's rules for the range kinds {@link parseRange} accepts; prereleases never match a range of releases. */
export function satisfies(range: VersionRange, version: Version): boolean {
  const { floor } = range;
  if (compareVersions(version, floor) < 0) return false;
  const sameCore = version.major === floor.major && version.minor === floor.minor && version.patch === floor.patch;
  if (version.prerelease.length > 0 && !(floor.prerelease.length > 0 && sameCore)) {
    return false;
  }
  switch (range.kind) {
    case 'exact':
      return compareVersions(version, floor) === 0;
    case 'min':
      return true;
    case 'tilde':
      return version.major === floor.major && version.minor === floor.minor;
    case 'caret':
      if (floor.major > 0) return version.major === floor.major;
      if (floor.minor > 0) return version.major === 0 && version.minor === floor.minor;
      return version.major === 0 && version.minor === 0 && version.patch === floor.patch;
  }
}

/** How a pinned version relates to the latest release. */
export interface Lag {
  /** Releases published after the pinned version, up to and including the latest. */
  readonly releases: number;
  /** The largest semver component that differs; `none` when up to date, `ahead` when newer than latest. */
  readonly kind: 'none' | 'patch' | 'minor' | 'major' | 'ahead';
  /**
   * The newest release (not after latest) the range accepts: where the repository's upgrade
   * workflow (`npm update` within the range) takes it. Equal to the floor when it cannot move.
   */
  readonly reachable: string;
}

export function lagBehind(range: VersionRange, published: string[], latest: Version): Lag {
  const releases = published
    .map(parseVersion)
    .filter((v): v is Version => v !== undefined && v.prerelease.length === 0 && compareVersions(v, latest) <= 0);
  const floor = range.floor;
  const newer = releases.filter(v => compareVersions(v, floor) > 0);
  const reachable = newer.filter(v => satisfies(range, v)).sort(compareVersions).pop() ?? floor;
  const order = compareVersions(floor, latest);
  const kind = order > 0 ? 'ahead'
    : order === 0 ? 'none'
      : floor.major !== latest.major ? 'major'
        : floor.minor !== latest.minor ? 'minor' : 'patch';
  return { releases: newer.length, kind, reachable: reachable.text };
}
