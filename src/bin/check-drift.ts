#!/usr/bin/env node
import { generatedArtifacts } from '../contract/artifacts.ts';
import { findDrift } from '../contract/drift.ts';
import { openApiArtifact } from '../../api/openapi.ts';
import { projectRoot } from '../paths.ts';

// Exits 1 when a committed generated artifact differs from what `npm run generate` would write.
const drift = findDrift(projectRoot(), [...generatedArtifacts(), await openApiArtifact()]);
if (drift.length > 0) {
  for (const line of drift) process.stderr.write(`${line}\n`);
  process.exit(1);
}
process.stdout.write('generated artifacts are up to date\n');
