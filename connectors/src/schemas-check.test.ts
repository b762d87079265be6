import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemas } from '@chippy/shop';
import { readSchemaFiles } from './schema-files.js';
import { describeChecks, subjectsByRecord } from './schemas-check.js';

describe('readSchemaFiles', () => {
  it("expands the repository's schemas exactly as the generated ones the services register", () => {
    const files = readSchemaFiles();
    assert.deepEqual(files.map((f) => f.name).sort(), Object.keys(schemas).sort());
    for (const { name, schema } of files) {
      assert.deepEqual(schema, schemas[name as keyof typeof schemas], name);
    }
  });
});

describe('subjectsByRecord', () => {
  it('names the subject of each record from the topic that carries it', () => {
    const subjects = subjectsByRecord('p-');
    assert.equal(subjects.get('Order'), 'p-orders-value');
    assert.equal(subjects.get('OrderReady'), 'p-orders-ready-value');
    assert.equal(subjects.size, 5);
  });
});

describe('describeChecks', () => {
  it('passes compatible and new subjects, fails an incompatible one with its reason, or one not checked', () => {
    const ok = describeChecks([
      {
        file: 'a.avsc',
        subject: 'a-value',
        verdict: { subject: 'a-value', compatible: true, level: 'BACKWARD' },
      },
      { file: 'b.avsc', subject: 'b-value', verdict: { subject: 'b-value', compatible: 'new-subject' } },
    ]);
    assert.deepEqual(ok, {
      ok: true,
      lines: ['a.avsc → a-value: ok (BACKWARD)', 'b.avsc → b-value: ok (no version registered yet)'],
    });
    const broken = describeChecks([
      {
        file: 'order.avsc',
        subject: 'orders-value',
        verdict: {
          subject: 'orders-value',
          compatible: false,
          level: 'BACKWARD',
          reason: 'reader type: STRING not compatible with writer type: INT',
        },
      },
    ]);
    assert.equal(broken.ok, false);
    assert.equal(
      broken.lines[0],
      'order.avsc → orders-value: INCOMPATIBLE under BACKWARD: reader type: STRING not compatible with writer type: INT',
    );
    assert.equal(describeChecks([{ file: 'x.avsc', subject: 'x-value', error: 'fetch failed' }]).ok, false);
  });
});
