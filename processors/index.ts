import { aliasName } from '../src/domain/asset-document.ts';
import { register, type RegisteredProcessor } from '../src/domain/registry.ts';
import type { TopicDeclaration } from '../src/domain/topic.ts';
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

/** The topics the catalog and governance processors read and write, e.g. copies with unique names. */
export interface PipelineTopics {
  readonly changes: TopicDeclaration;
  readonly assets: TopicDeclaration;
  readonly compliance: TopicDeclaration;
  readonly quality: TopicDeclaration;
  readonly commands: TopicDeclaration;
  readonly alerts: TopicDeclaration;
}

export type PipelineProcessor = 'metadata-sync' | 'compliance' | 'quality' | 'indexer';

/**
 * One of the catalog and governance processors bound to `topics`, in consumer group `group`, the indexer
 * writing through `alias`: how the reliability suite and the benches run the production processors on
 * topics of their own.
 */
export function boundProcessor(
  name: PipelineProcessor,
  topics: PipelineTopics,
  options: { readonly group: string; readonly alias: string },
): RegisteredProcessor {
  const t = topics;
  const { group } = options;
  switch (name) {
    case 'metadata-sync':
      return register({
        ...metadataSync({ input: t.changes, output: t.assets, commands: t.commands }),
        group,
      });
    case 'compliance':
      return register({
        ...complianceProcessor({
          changes: t.changes,
          assets: t.assets,
          commands: t.commands,
          results: t.compliance,
          alerts: t.alerts,
        }),
        group,
      });
    case 'quality':
      return register({
        ...qualityProcessor({
          changes: t.changes,
          assets: t.assets,
          compliance: t.compliance,
          commands: t.commands,
          output: t.quality,
        }),
        group,
      });
    case 'indexer':
      return register({
        ...indexer({ input: t.assets, notices: [t.compliance, t.quality] }, options.alias),
        group,
      });
  }
}
