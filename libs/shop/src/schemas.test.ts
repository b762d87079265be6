import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import avsc from 'avsc';
import { CookRequestSchema, OrderSchema, schemas, schemaVersions } from './generated/schemas.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('generated schemas', () => {
  it('match connectors/schemas/*.avsc (run `npm run codegen -w libs/shop` if not)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'chippy-codegen-')), 'schemas.ts');
    execFileSync(process.execPath, [join(packageDir, 'scripts/codegen-schemas.mjs'), '--out', out], {
      stdio: 'pipe',
    });
    assert.equal(
      readFileSync(out, 'utf8'),
      readFileSync(join(packageDir, 'src/generated/schemas.ts'), 'utf8'),
    );
  });

  it('are self-contained: referenced records are inline', () => {
    assert.deepEqual(Object.keys(schemas).sort(), [
      'CookBatch',
      'CookRequest',
      'Cooked',
      'Order',
      'OrderReady',
    ]);
    for (const schema of Object.values(schemas)) avsc.Type.forSchema(schema as unknown as avsc.Schema);
    assert.equal(CookRequestSchema.fields[0].type.name, 'Order');
  });
});

describe('schema versions', () => {
  it('keep each superseded version: Order version 1 is version 2 without payment', () => {
    const [v1, v2] = schemaVersions.Order;
    assert.equal(v2, OrderSchema);
    assert.deepEqual(
      v1.fields.map((f) => f.name),
      v2.fields.map((f) => f.name).filter((name) => name !== 'payment'),
    );
  });

  it('version 2 reads what version 1 wrote (payment null), and version 1 reads what version 2 wrote', () => {
    const [v1, v2] = schemaVersions.Order.map((s) => avsc.Type.forSchema(s as unknown as avsc.Schema));
    const old = { order_id: 'a', till: 't', count: 1, order_time: 5, items: ['chips'] };
    assert.deepEqual(
      { ...v2!.fromBuffer(v1!.toBuffer(old), v2!.createResolver(v1!)) },
      { ...old, payment: null },
    );
    const now = { ...old, payment: 'cash' };
    assert.deepEqual({ ...v1!.fromBuffer(v2!.toBuffer(now), v1!.createResolver(v2!)) }, old);
  });
});
