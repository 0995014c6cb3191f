import type { AssetEvent } from '../../../../processors/metadata-sync/asset-event.ts';

export const contactsUrn = 'urn:steward:dataset:postgres:prod-eu:shop.public.custContacts';

/** A live AssetEvent at `revision`, as metadata-sync emits it. */
export function assetEvent(revision = 7, change: Partial<AssetEvent> = {}): AssetEvent {
  return {
    urn: contactsUrn,
    revision,
    deleted: false,
    placeholder: false,
    platform: 'postgres',
    instance: 'prod-eu',
    type: 'table',
    name: 'custContacts',
    qualifiedName: 'shop.public.custContacts',
    description: 'One row per contact',
    owners: ['team-crm'],
    tags: ['pii'],
    columns: [
      {
        name: 'id',
        type: 'bigint',
        nullable: false,
        description: 'Surrogate key',
        tags: [],
        ordinal: 1,
        primaryKey: true,
        unique: true,
      },
      {
        name: 'cust_phone_no',
        type: 'text',
        nullable: true,
        description: null,
        tags: ['contact-tag'],
        ordinal: null,
        primaryKey: null,
        unique: null,
      },
    ],
    schemaVersion: 2,
    schemaFingerprint: 'abc',
    lastModifiedAt: '2024-05-01T11:00:00.000Z',
    profile: {
      rowCount: 10,
      profiledAt: '2024-05-01T12:00:00.000Z',
      sampleSize: null,
      columns: [],
    },
    updatedAt: '2024-05-01T12:00:00.000Z',
    stale: false,
    ...change,
  };
}
