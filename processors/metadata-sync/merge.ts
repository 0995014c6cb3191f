/**
 * metadata-sync's merge core: folds one change event, or a placeholder, into an asset's state
 * (aspects.ts). Pure and deterministic: no clock, no I/O.
 *
 * Every aspect is a last-writer-wins register on its stamp (`compareStamps`: `occurredAt` as an instant,
 * then the event id). An event writes an aspect only when it outranks the aspect's current writer, and
 * what it writes depends on the event alone. So a set of events leaves the same aspects behind in every
 * order of arrival. Only `revision`, which counts the merges that changed something, depends on that
 * order: the same final aspects can be reached in fewer or more steps.
 *
 * What each kind writes:
 * - upsert: identity, ownership (description, owners, tags) and deletion `{ deleted: false }`. It also
 *   writes schema when `asset.columns` is present (absent says nothing about the columns; `[]` means the
 *   asset has no columns), lastModified when `asset.lastModifiedAt` is present (absent is unknown), and
 *   profile when the event has one.
 * - profile: the profile only, and the identity it carries (see identity below). It never deletes or
 *   re-creates the asset.
 * - delete: deletion `{ deleted: true }`, and the identity it carries.
 * - A change event never writes `curated`: stewards set it through the API, as `curate` commands merged by
 *   `mergeCuration` (a JSON merge patch over the aspect, last writer wins on the command's stamp).
 *
 * Delete and re-create: upserts and deletes write one deletion register, so the asset is deleted iff the
 * newest of its upserts and deletes is a delete. An upsert newer than the delete re-creates the asset. An
 * upsert older than the delete still writes every other aspect whose stamp it beats, because its columns
 * may be the newest known ones, but the asset stays deleted. A delete keeps the other aspects, so the
 * tombstone keeps the last known state. A re-created asset keeps the aspects its upsert does not restate
 * (an older profile, say) until newer ones arrive.
 *
 * Identity is ordered by origin first, then by stamp: placeholder < inferred (carried by a profile or a
 * delete) < reported (by an upsert). An upsert therefore replaces an identity that a profile, delete or
 * placeholder supplied, whatever their stamps. This keeps "identity only if absent" order-independent.
 *
 * Placeholders: `mergePlaceholder` only creates an absent asset (`placeholder: true`, identity only). On
 * any existing state it is a no-op, because lineage names the same datasets again and again and that must
 * not move their revision. Any change event clears the flag, since its identity outranks the placeholder's.
 *
 * Changes: `changed` is true when some aspect took a new writer; the revision then goes up by 1.
 * `changedAspects` lists those aspects. A duplicate or stale event changes nothing: the result has
 * `changed: false` and the same state object. A newer event that restates the same values is still a
 * change, because the stamps it advances are the lasting guard against older events.
 * `schemaChanged` means a new schema version is due: the columns' `schemaFingerprint` differs from before,
 * or the asset has its first columns. `tombstoned` means the asset became deleted in this merge (also when
 * a delete is the first event seen). `recreated` means it stopped being deleted.
 */
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import type { Curate } from '../../src/domain/curation.ts';
import { UrnError, parseUrn } from '../../src/domain/urn.ts';
import {
  ASPECT_NAMES,
  IDENTITY_ORIGINS,
  compareStamps,
  isDeleted,
  isValidStamp,
  profileWithoutSamples,
  storedColumn,
  type AspectName,
  type Aspects,
  type AssetState,
  type CuratedAspect,
  type AssetType,
  type IdentityAspect,
  type IdentityOrigin,
  type Stamp,
} from './aspects.ts';
import { schemaFingerprintOf } from './record.ts';

export { compareStamps, profileWithoutSamples } from './aspects.ts';
export { toAssetRecord, type AssetRecord } from './record.ts';
export type { AspectName, AssetState, Stamp } from './aspects.ts';

export type MergeResult = {
  readonly state: AssetState;
  readonly changed: boolean;
  readonly changedAspects: readonly AspectName[];
  readonly recreated: boolean;
  readonly tombstoned: boolean;
  readonly schemaChanged: boolean;
};

/** A dataset known before any change event about it, e.g. from lineage. Names default from the URN. */
export type Placeholder = {
  readonly urn: string;
  readonly at: Stamp;
  readonly type?: AssetType;
  readonly name?: string;
  readonly qualifiedName?: string;
};

type Writes = { identity: IdentityAspect } & { -readonly [K in keyof Aspects]?: Aspects[K] };

type Ranked = { readonly stamp: Stamp; readonly origin?: IdentityOrigin };
const rank = (aspect: Ranked): number =>
  aspect.origin === undefined ? 0 : IDENTITY_ORIGINS.indexOf(aspect.origin);

/** Whether `next` takes the aspect from its current writer. */
function outranks(next: Ranked, current: Ranked | undefined): boolean {
  if (current === undefined) return true;
  const byOrigin = rank(next) - rank(current);
  return byOrigin === 0 ? compareStamps(next.stamp, current.stamp) > 0 : byOrigin > 0;
}

/** What the event would write, aspect by aspect, before any comparison with the state. */
function writesOf(event: ChangeEvent): Writes {
  const stamp: Stamp = { occurredAt: event.occurredAt, eventId: event.id };
  const { asset, source, profile } = event;
  const identity: IdentityAspect = {
    type: asset.type,
    name: asset.name,
    qualifiedName: asset.qualifiedName,
    platform: source.platform,
    instance: source.instance,
    origin: event.kind === 'upsert' ? 'reported' : 'inferred',
    stamp,
  };
  const profileWrite = profile === undefined ? {} : { profile: { ...profileWithoutSamples(profile), stamp } };
  switch (event.kind) {
    case 'delete':
      return { identity, deletion: { deleted: true, stamp } };
    case 'profile':
      return { identity, ...profileWrite };
    case 'upsert':
      return {
        identity,
        ownership: {
          description: asset.description,
          owners: [...asset.owners],
          tags: [...asset.tags],
          stamp,
        },
        deletion: { deleted: false, stamp },
        ...(asset.columns === undefined
          ? {}
          : { schema: { columns: asset.columns.map(storedColumn), stamp } }),
        ...(asset.lastModifiedAt === undefined ? {} : { lastModified: { at: asset.lastModifiedAt, stamp } }),
        ...profileWrite,
      };
  }
}

function put<K extends AspectName>(aspects: Writes, name: K, aspect: Aspects[K]): void {
  aspects[name] = aspect;
}

const unchanged = (state: AssetState): MergeResult => ({
  state,
  changed: false,
  changedAspects: [],
  recreated: false,
  tombstoned: false,
  schemaChanged: false,
});

function settle(
  before: AssetState | undefined,
  urn: string,
  aspects: Aspects,
  changedAspects: readonly AspectName[],
): MergeResult {
  if (before !== undefined && changedAspects.length === 0) return unchanged(before);
  const state: AssetState = {
    urn,
    revision: (before?.revision ?? 0) + 1,
    placeholder: aspects.identity.origin === 'placeholder',
    aspects,
  };
  const wasDeleted = before !== undefined && isDeleted(before);
  const deleted = isDeleted(state);
  return {
    state,
    changed: true,
    changedAspects,
    recreated: wasDeleted && !deleted,
    tombstoned: deleted && !wasDeleted,
    schemaChanged:
      changedAspects.includes('schema') &&
      schemaFingerprintOf(before?.aspects.schema) !== schemaFingerprintOf(aspects.schema),
  };
}

/**
 * Merges one validated change event into the asset's state (undefined: the asset is not known yet); see
 * the module comment for the rules. Throws RangeError when the event is about another URN than the state.
 */
export function mergeChange(state: AssetState | undefined, event: ChangeEvent): MergeResult {
  if (state !== undefined && state.urn !== event.asset.urn)
    throw new RangeError(`event ${event.id} is about ${event.asset.urn}, not ${state.urn}`);
  const writes = writesOf(event);
  const aspects: Writes = { ...state?.aspects, identity: state?.aspects.identity ?? writes.identity };
  const changedAspects: AspectName[] = [];
  for (const name of ASPECT_NAMES) {
    const next = writes[name];
    if (next !== undefined && outranks(next, state?.aspects[name])) {
      put(aspects, name, next);
      changedAspects.push(name);
    }
  }
  return settle(state, event.asset.urn, aspects, changedAspects);
}

/**
 * Applies a steward's curation (src/domain/curation.ts) to a known asset: the patch is merged into the
 * curated aspect when its stamp (issue time, command id) is newer than the aspect's. An unknown asset is
 * left alone (the API only curates assets in the catalog); a deleted one keeps the curation for when it
 * comes back.
 */
export function mergeCuration(state: AssetState | undefined, curate: Curate): MergeResult | undefined {
  if (state === undefined) return undefined;
  const stamp: Stamp = { occurredAt: curate.at, eventId: curate.id };
  const current = state.aspects.curated;
  if (current && compareStamps(stamp, current.stamp) <= 0) return unchanged(state);
  const { patch } = curate;
  // A JSON merge patch: absent keeps the current value, null removes it, a value replaces it.
  const owners = patch.owners === undefined ? current?.owners : (patch.owners ?? undefined);
  const tags = patch.tags === undefined ? current?.tags : (patch.tags ?? undefined);
  const description =
    patch.description === undefined ? current?.description : (patch.description ?? undefined);
  const retention = patch.retention === undefined ? current?.retention : (patch.retention ?? undefined);
  const curated: CuratedAspect = {
    ...(owners !== undefined && { owners: [...owners] }),
    ...(tags !== undefined && { tags: [...tags] }),
    ...(description !== undefined && { description }),
    ...(retention !== undefined && { retention }),
    by: curate.by,
    stamp,
  };
  return settle(state, state.urn, { ...state.aspects, curated }, ['curated']);
}

/**
 * Creates an asset known only by its URN (e.g. a dataset first seen in lineage) when it is absent; a no-op
 * on any existing state. Throws UrnError on a malformed or column URN, RangeError on a stamp that is not
 * an instant.
 */
export function mergePlaceholder(state: AssetState | undefined, placeholder: Placeholder): MergeResult {
  if (state !== undefined) return unchanged(state);
  if (!isValidStamp(placeholder.at))
    throw new RangeError(`placeholder at ${JSON.stringify(placeholder.at.occurredAt)} is not an instant`);
  const { platform, instance, path, column } = parseUrn(placeholder.urn);
  if (column !== undefined) throw new UrnError(`a placeholder needs a dataset URN, not ${placeholder.urn}`);
  const qualifiedName = placeholder.qualifiedName ?? path.join('.');
  const identity: IdentityAspect = {
    type: placeholder.type ?? 'dataset',
    name: placeholder.name ?? path[path.length - 1] ?? qualifiedName,
    qualifiedName,
    platform,
    instance,
    origin: 'placeholder',
    stamp: placeholder.at,
  };
  return settle(undefined, placeholder.urn, { identity }, ['identity']);
}
