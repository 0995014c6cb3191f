import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toDocument } from '../../../../processors/indexer/document.ts';
import type { AssetEvent } from '../../../../processors/metadata-sync/asset-event.ts';
import { assetEvent } from './asset-event.ts';

describe('indexer toDocument', () => {
  it('should map every asset field and split identifiers into words', () => {
    const event = assetEvent();
    const doc = toDocument(event);
    assert.equal(doc.urn, event.urn);
    assert.equal(doc.platform, 'postgres');
    assert.equal(doc.instance, 'prod-eu');
    assert.equal(doc.type, 'table');
    assert.equal(doc.name, 'custContacts');
    assert.equal(doc.nameWords, 'cust contacts');
    assert.equal(doc.qualifiedName, 'shop.public.custContacts');
    assert.equal(doc.description, 'One row per contact');
    assert.deepEqual(doc.owners, ['team-crm']);
    assert.deepEqual(doc.tags, ['pii']);
    assert.deepEqual(doc.columns, [
      { name: 'id', words: 'id', type: 'bigint', classes: [], description: 'Surrogate key' },
      { name: 'cust_phone_no', words: 'cust phone no', type: 'text', classes: [] },
    ]);
    assert.equal(doc.revision, 7);
    assert.equal(doc.deleted, false);
    assert.equal(doc.updatedAt, '2024-05-01T12:00:00.000Z');
    assert.equal(doc.lastModifiedAt, '2024-05-01T11:00:00.000Z');
  });

  it('should leave classes, sensitivity, quality and violations neutral until their processors exist', () => {
    const doc = toDocument(assetEvent());
    assert.deepEqual(doc.classes, []);
    assert.equal(doc.sensitivity, 'none');
    assert.deepEqual(doc.quality, { band: 'unknown', dimensions: {} });
    assert.deepEqual(doc.violations, { open: 0, openPolicies: [], status: 'none' });
    assert.equal(doc.stale, false);
    assert.equal('freshUntil' in doc, false);
  });

  it("should take the catalog's columns' classes, and every judged column's for an asset reporting none", () => {
    const compliance = {
      columns: [
        { name: 'cust_phone_no', classes: [{ class: 'phone', effective: true }] },
        { name: 'dropped_email', classes: [{ class: 'email', effective: true }] },
        { name: 'note', classes: [{ class: 'person_name', effective: false }] },
      ],
      sensitivity: 'confidential' as const,
      openViolations: 0,
      worstSeverity: null,
      openPolicies: [],
    };
    assert.deepEqual(toDocument(assetEvent(), { compliance }).classes, ['phone']);
    const placeholder = assetEvent(1, { placeholder: true, columns: [] });
    assert.deepEqual(toDocument(placeholder, { compliance }).classes, ['email', 'phone']);
  });

  it('should omit unknown optional fields rather than index nulls', () => {
    const event: AssetEvent = { ...assetEvent(), description: null, lastModifiedAt: null, columns: [] };
    const doc = toDocument(event);
    assert.equal('description' in doc, false);
    assert.equal('lastModifiedAt' in doc, false);
    assert.deepEqual(doc.columns, []);
    assert.equal(JSON.stringify(doc).includes('null'), false);
  });

  it('should never copy profile statistics or column tags into the document', () => {
    const json = JSON.stringify(toDocument(assetEvent()));
    assert.equal(json.includes('rowCount'), false);
    assert.equal(json.includes('contact-tag'), false);
  });
});
