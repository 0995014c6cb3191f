#!/usr/bin/env node
import { writeArtifacts } from '../contract/drift.ts';
import { generatedArtifacts } from '../contract/artifacts.ts';
import { projectRoot } from '../paths.ts';
import { openApiArtifact } from '../../api/openapi.ts';

// Writes every generated artifact (Avro and JSON schemas of the contract, see src/contract/artifacts.ts;
// the API's OpenAPI document, api/openapi.ts).
const artifacts = [...generatedArtifacts(), await openApiArtifact()];
const written = writeArtifacts(projectRoot(), artifacts);
for (const path of written) process.stdout.write(`wrote ${path}\n`);
process.stdout.write(
  `${artifacts.length - written.length} of ${artifacts.length} generated artifacts unchanged\n`,
);
