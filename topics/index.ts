import type { TopicDeclaration } from '../src/domain/topic.ts';
import { alerts } from './alerts.ts';
import { assets } from './assets.ts';
import { changes } from './changes.ts';
import { commands } from './commands.ts';
import { compliance } from './compliance.ts';
import { dlq } from './dlq.ts';
import { lineage } from './lineage.ts';
import { quality } from './quality.ts';
import { retry } from './retry.ts';
import { timers } from './timers.ts';

export { alerts, assets, changes, commands, compliance, dlq, lineage, quality, retry, timers };

/** Every topic Steward uses: `steward topics apply` converges the cluster to this list. */
export const topics: readonly TopicDeclaration[] = [
  changes,
  lineage,
  assets,
  quality,
  compliance,
  alerts,
  timers,
  commands,
  dlq,
  retry,
];
