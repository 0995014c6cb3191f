import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedArtifacts, type Artifact } from './artifacts.ts';

const FIX = 'run npm run generate';

/** One line per artifact under `root` that is missing or differs from what generation produces now. */
export function findDrift(root: string, artifacts: readonly Artifact[] = generatedArtifacts()): string[] {
  return artifacts.flatMap(({ path, content }) => {
    const file = join(root, path);
    if (!existsSync(file)) return [`${path} is missing: ${FIX}`];
    return readFileSync(file, 'utf8') === content ? [] : [`${path} is stale: ${FIX}`];
  });
}

/** Writes the artifacts that are missing or stale under `root`; returns the paths it wrote. */
export function writeArtifacts(
  root: string,
  artifacts: readonly Artifact[] = generatedArtifacts(),
): string[] {
  const written: string[] = [];
  for (const { path, content } of artifacts) {
    const file = join(root, path);
    if (existsSync(file) && readFileSync(file, 'utf8') === content) continue;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    written.push(path);
  }
  return written;
}
