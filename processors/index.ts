import { register, type RegisteredProcessor } from '../src/domain/registry.ts';
import { metadataSync } from './metadata-sync/processor.ts';

/**
 * Every processor Steward runs, listed explicitly (no registration by import side effect). Start-up checks
 * this list against topics/ and refuses to run, naming the fix, when it is inconsistent. Each processor
 * lands with its own issue: metadata-sync and indexer (catalog), compliance and quality, notifier, sweeps.
 */
export const processors: readonly RegisteredProcessor[] = [register(metadataSync())];
