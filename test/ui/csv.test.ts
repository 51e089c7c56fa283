/** The history download's CSV fields: RFC 4180 quoting, and no formulas for spreadsheets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField } from '../../src/ui/export.ts';

test('fields with commas, quotes or line breaks are quoted, quotes doubled', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('cr\r'), '"cr\r"');
});

test('numbers, nulls and objects', () => {
  assert.equal(csvField(-3), '-3');
  assert.equal(csvField(null), '');
  assert.equal(csvField({ a: 'x,y' }), '"{""a"":""x,y""}"');
});

test('text a spreadsheet would run as a formula starts with an apostrophe', () => {
  assert.equal(csvField('=HYPERLINK("x")'), '"\'=HYPERLINK(""x"")"');
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvField('-1+1'), "'-1+1");
});
