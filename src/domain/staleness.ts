/**
 * How often an asset's source is expected to report it, and whether it is overdue. Pure.
 *
 * Rules are declared in the metadata-resync job's payload: a default, and overrides keyed `tag:<tag>`,
 * `instance:<instance>` or `platform:<platform>`. The most specific kind that matches wins (tag, then
 * instance, then platform); among several matching tags, the shortest interval (the strictest promise).
 */

export interface StalenessRules {
  readonly defaultMs: number;
  readonly overrides: Readonly<Record<string, number>>;
}

export interface ReportedAsset {
  readonly platform: string;
  readonly instance: string;
  readonly tags: readonly string[];
}

export function expectedIntervalMs(asset: ReportedAsset, rules: StalenessRules): number {
  const tagged = asset.tags.flatMap((tag) => {
    const ms = rules.overrides[`tag:${tag}`];
    return ms === undefined ? [] : [ms];
  });
  if (tagged.length) return Math.min(...tagged);
  return (
    rules.overrides[`instance:${asset.instance}`] ??
    rules.overrides[`platform:${asset.platform}`] ??
    rules.defaultMs
  );
}

/** Overdue at `asOf`: nothing reported for at least the expected interval. */
export function isOverdue(reportedAt: Date, expectedMs: number, asOf: Date): boolean {
  return reportedAt.getTime() + expectedMs <= asOf.getTime();
}
