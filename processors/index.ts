import { aliasName } from '../src/domain/asset-document.ts';
import { register, type RegisteredProcessor } from '../src/domain/registry.ts';
import { complianceProcessor } from './compliance/processor.ts';
import { indexer } from './indexer/processor.ts';
import { lineageProcessor } from './lineage/processor.ts';
import { metadataSync } from './metadata-sync/processor.ts';
import { qualityProcessor } from './quality/processor.ts';

export interface RegistryOptions {
  /** config.elasticsearch.indexPrefix: the indexer writes through the alias `<prefix>-assets`. */
  readonly indexPrefix?: string;
  /** config.lineage.namespaces: OpenLineage namespace → Steward instance. */
  readonly lineageNamespaces?: Readonly<Record<string, string>>;
}

/**
 * Every processor Steward runs, listed explicitly (no registration by import side effect). Start-up checks
 * this list against topics/ and refuses to run, naming the fix, when it is inconsistent. Each processor
 * lands with its own issue: metadata-sync and indexer (catalog), compliance and quality, notifier, sweeps, lineage.
 * Options that come from config at run time (the index prefix) are arguments here.
 */
export function processorsFor(options: RegistryOptions = {}): readonly RegisteredProcessor[] {
  const prefix = options.indexPrefix ?? 'steward';
  return [
    register(metadataSync()),
    register(complianceProcessor()),
    register(qualityProcessor()),
    register(indexer(undefined, aliasName(prefix))),
    register(lineageProcessor({ instances: options.lineageNamespaces ?? {} })),
  ];
}

/** The registry with default options (index prefix `steward`). */
export const processors: readonly RegisteredProcessor[] = processorsFor();
