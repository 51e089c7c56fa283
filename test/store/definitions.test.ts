import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteAuditStore } from '../../src/store/audit.ts';
import { SqliteDefinitionStore } from '../../src/store/definitions.ts';
import { auditStart, migratedMemoryDb } from '../support/store.ts';

/** Both stores on one fresh database, and an audit record to link definitions to. */
function setup() {
  const db = migratedMemoryDb();
  const auditId = new SqliteAuditStore(db).begin(auditStart({ action: 'undefine' }));
  return { definitions: new SqliteDefinitionStore(db), auditId };
}

describe('SqliteDefinitionStore', () => {
  test('knows nothing about a domain never undefined', () => {
    assert.equal(setup().definitions.lastUndefined('web1'), null);
  });

  test('returns the XML of the most recent undefine', () => {
    const { definitions, auditId } = setup();
    definitions.rememberUndefined('web1', '<domain>new</domain>', auditId, 2000);
    definitions.rememberUndefined('web1', '<domain>old</domain>', auditId, 1000);
    assert.equal(definitions.lastUndefined('web1'), '<domain>new</domain>');
  });

  test('breaks a tie in time by the order remembered', () => {
    const { definitions, auditId } = setup();
    definitions.rememberUndefined('web1', '<domain>first</domain>', auditId, 1000);
    definitions.rememberUndefined('web1', '<domain>second</domain>', auditId, 1000);
    assert.equal(definitions.lastUndefined('web1'), '<domain>second</domain>');
  });

  test('keeps domains apart', () => {
    const { definitions, auditId } = setup();
    definitions.rememberUndefined('web1', '<domain>web1</domain>', auditId, 1000);
    definitions.rememberUndefined('web2', '<domain>web2</domain>', auditId, 2000);
    assert.equal(definitions.lastUndefined('web1'), '<domain>web1</domain>');
    assert.equal(definitions.lastUndefined('web10'), null);
  });

  test('refuses an audit id that does not exist', () => {
    const { definitions, auditId } = setup();
    assert.throws(() => definitions.rememberUndefined('web1', '<domain/>', auditId + 1, 1000), /FOREIGN KEY/);
  });
});
