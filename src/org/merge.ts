import { OrgDefaults } from './options';
import { TopologyProblem } from '../topology/normalise';
import { AccountOptions, ApprovalOptions, StageOptions, TopologyOptions } from '../topology/options';

export type Source = 'org' | 'repo';

/** The topology after merging, and which field came from where (for error messages). */
export interface MergeResult {
  readonly topology: TopologyOptions;
  readonly problems: TopologyProblem[];
  /** Field path prefix -> where its value came from. */
  readonly sources: Map<string, Source>;
}

const clone = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)));

/**
 * Merges the org defaults under a repository's topology. The repository adds its own
 * repositories, stages, accounts and pipeline, picks a subset of the catalogue's stages,
 * and extends stage policies; it may not change an org account's id or production flag,
 * the org's registry or organization id, or weaken a production approval.
 */
export function mergeOrgDefaults(org: OrgDefaults | undefined, repo: TopologyOptions | undefined, orgName: string): MergeResult {
  const sources = new Map<string, Source>();
  const problems: TopologyProblem[] = [];
  const own: Partial<TopologyOptions> = repo ?? {};
  if (!org) {
    return { topology: own as TopologyOptions, problems, sources };
  }
  const conflict = (path: string, mine: unknown, theirs: unknown, fix: string) => problems.push({
    path,
    message: `${JSON.stringify(mine)} in .projenrc.ts conflicts with ${JSON.stringify(theirs)} in the org defaults (${orgName}); ${fix}`,
  });

  // --- accounts: the org's, plus the repository's own
  const accounts: Record<string, AccountOptions> = {};
  for (const [name, account] of Object.entries(org.accounts ?? {})) {
    accounts[name] = clone(account);
    sources.set(`topology.accounts.${name}`, 'org');
  }
  for (const [name, account] of Object.entries(own.accounts ?? {})) {
    const orgAccount = org.accounts?.[name];
    if (!orgAccount) {
      accounts[name] = clone(account);
      sources.set(`topology.accounts.${name}`, 'repo');
      continue;
    }
    const merged: any = { ...accounts[name] };
    for (const [field, value] of Object.entries(account ?? {})) {
      if (value === undefined) {
        continue;
      }
      const path = `topology.accounts.${name}.${field}`;
      if (field === 'id' && value !== orgAccount.id) {
        conflict(path, value, orgAccount.id, `remove "id" from topology.accounts.${name} in .projenrc.ts (the org owns account ids)`);
      } else if (field === 'production' && value !== (orgAccount.production ?? false)) {
        conflict(path, value, orgAccount.production ?? false, `remove "production" from topology.accounts.${name} in .projenrc.ts (the org decides which accounts are production)`);
      } else {
        merged[field] = clone(value);
        sources.set(path, 'repo');
      }
    }
    accounts[name] = merged;
  }

  // --- org-wide scalars
  const scalar = <K extends 'registry' | 'organizationId'>(key: K) => {
    if (org[key] !== undefined) {
      sources.set(`topology.${key}`, 'org');
      if (own[key] !== undefined && JSON.stringify(own[key]) !== JSON.stringify(org[key])) {
        conflict(`topology.${key}`, own[key], org[key], `remove ${key} from .projenrc.ts (the org owns it)`);
      }
      return clone(org[key]);
    }
    if (own[key] !== undefined) {
      sources.set(`topology.${key}`, 'repo');
    }
    return clone(own[key]);
  };
  const registry = scalar('registry');
  const organizationId = scalar('organizationId');
  const defaultRegion = own.defaultRegion ?? org.defaultRegion;
  if (defaultRegion !== undefined) {
    sources.set('topology.defaultRegion', own.defaultRegion !== undefined ? 'repo' : 'org');
  }

  // --- stages: the catalogue (all of it, or the repository's pick), plus the repository's own
  const catalogue = org.stages ?? {};
  const picked = own.stages ? Object.keys(own.stages) : Object.keys(catalogue);
  const stages: Record<string, StageOptions> = {};
  for (const name of picked) {
    const base = catalogue[name];
    const mine = own.stages?.[name];
    const path = `topology.stages.${name}`;
    if (!base) {
      stages[name] = clone(mine ?? {});
      sources.set(path, 'repo');
      continue;
    }
    sources.set(path, 'org');
    const merged: any = clone(base);
    for (const [field, value] of Object.entries(mine ?? {})) {
      if (value === undefined) {
        continue;
      }
      const fieldPath = `${path}.${field}`;
      if (field === 'policyStatements' || field === 'permissionsBoundaryStatements' || field === 'managedPolicyArns') {
        // Extending: the repository's statements come after the catalogue's.
        const before: any[] = merged[field] ?? [];
        (value as any[]).forEach((_, i) => sources.set(`${fieldPath}[${before.length + i}]`, 'repo'));
        before.forEach((_, i) => sources.set(`${fieldPath}[${i}]`, 'org'));
        merged[field] = [...before, ...clone(value as any[])];
      } else if (field === 'approval') {
        merged.approval = mergeApproval(base.approval, value as ApprovalOptions, fieldPath, orgName, problems);
        sources.set(fieldPath, 'repo');
      } else {
        merged[field] = clone(value);
        sources.set(fieldPath, 'repo');
      }
    }
    stages[name] = merged;
  }

  // --- org-wide boundary statements and production reviewers apply to every stage
  const isProduction = (account: string) => accounts[account]?.production === true;
  for (const [name, stage] of Object.entries(stages)) {
    if (org.boundaryStatements?.length) {
      const before = stage.permissionsBoundaryStatements ?? [];
      org.boundaryStatements.forEach((_, i) => sources.set(`topology.stages.${name}.permissionsBoundaryStatements[${before.length + i}]`, 'org'));
      (stage as any).permissionsBoundaryStatements = [...before, ...clone(org.boundaryStatements)];
    }
    if (org.productionReviewers?.length && (stage.accounts ?? []).some(isProduction)) {
      const approval = stage.approval ?? {};
      const reviewers = [...new Set([...(org.productionReviewers ?? []), ...(approval.reviewers ?? [])])];
      (stage as any).approval = { ...approval, reviewers };
    }
  }

  const topology: TopologyOptions = {
    ...own,
    accounts,
    registry: registry as any,
    organizationId,
    defaultRegion,
    stages,
  } as TopologyOptions;
  for (const key of ['repositories', 'pipeline'] as const) {
    if (own[key] !== undefined) {
      sources.set(`topology.${key}`, 'repo');
    }
  }
  return { topology, problems, sources };
}

function mergeApproval(
  base: ApprovalOptions | undefined,
  mine: ApprovalOptions,
  path: string,
  orgName: string,
  problems: TopologyProblem[],
): ApprovalOptions {
  const weaker = (field: string, message: string) => problems.push({
    path: `${path}.${field}`,
    message: `${message} weakens the approval the org defaults (${orgName}) require; remove it from .projenrc.ts`,
  });
  if (base && (base.preventSelfReview ?? true) && mine.preventSelfReview === false) {
    weaker('preventSelfReview', 'preventSelfReview: false in .projenrc.ts');
  }
  if ((mine.waitTimerMinutes ?? Infinity) < (base?.waitTimerMinutes ?? 0)) {
    weaker('waitTimerMinutes', `waitTimerMinutes: ${mine.waitTimerMinutes} in .projenrc.ts (org: ${base?.waitTimerMinutes})`);
  }
  if (base?.productionOnly === false && mine.productionOnly === true) {
    weaker('productionOnly', 'productionOnly: true in .projenrc.ts');
  }
  return {
    ...clone(base ?? {}),
    ...clone(mine),
    // Reviewers only accumulate: a repository can add its own, never drop the org's.
    reviewers: [...new Set([...(base?.reviewers ?? []), ...(mine.reviewers ?? [])])],
    waitTimerMinutes: Math.max(mine.waitTimerMinutes ?? 0, base?.waitTimerMinutes ?? 0),
  };
}

/** Adds where each problem's field came from, so a user knows whether to fix .projenrc.ts or ask the platform team. */
export function attributeProblems(problems: TopologyProblem[], sources: Map<string, Source>, orgName: string): TopologyProblem[] {
  return problems.map(p => {
    // Conflict messages already name both sources.
    if (!p.path.startsWith('topology') || p.message.includes(`(${orgName})`)) {
      return p;
    }
    let best: string | undefined;
    for (const key of sources.keys()) {
      const matches = p.path === key || p.path.startsWith(`${key}.`) || p.path.startsWith(`${key}[`);
      if (matches && (!best || key.length > best.length)) {
        best = key;
      }
    }
    const source = best ? sources.get(best) : 'repo';
    return { path: p.path, message: `${p.message} [from ${source === 'org' ? `the org defaults in ${orgName}` : '.projenrc.ts'}]` };
  });
}
