import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import avsc from 'avsc';
import { CookRequestSchema, schemas } from './generated/schemas.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('generated schemas', () => {
  it('match connectors/schemas/*.avsc (run `npm run codegen -w libs/messaging` if not)', () => {
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
    assert.deepEqual(Object.keys(schemas).sort(), ['CookRequest', 'Cooked', 'Order', 'OrderReady']);
    for (const schema of Object.values(schemas)) avsc.Type.forSchema(schema as unknown as avsc.Schema);
    assert.equal(CookRequestSchema.fields[0].type.name, 'Order');
  });
});
