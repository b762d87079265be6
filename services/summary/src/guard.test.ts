import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { hostGuard, parseAllowedHosts } from './guard.js';
import { publicSummary } from './public-view.js';
import { partFailed, partRead, startingPart } from './part.js';
import type { Preparers } from './shop-view.js';
import type { Summary } from './summary.js';
import { describePgError, type Totals } from './totals.js';

const request = (host?: string) => ({ headers: host === undefined ? {} : { host } }) as IncomingMessage;

describe('hostGuard', () => {
  it('answers to localhost, the loopback addresses and the listen address, with any port', () => {
    const allowed = hostGuard('127.0.0.1', '');
    for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'LOCALHOST', '127.0.0.1'])
      assert.equal(allowed(request(host)), true, host);
    assert.equal(hostGuard('10.1.2.3', '')(request('10.1.2.3:8080')), true);
  });

  it('refuses a rebound name, a missing Host and a name only in the path', () => {
    const allowed = hostGuard('0.0.0.0', '');
    for (const host of ['evil.example:8080', 'localhost.evil.example', '127.0.0.1.nip.io', '', undefined])
      assert.equal(allowed(request(host)), false, String(host));
  });

  it('answers to HTTP_ALLOWED_HOSTS too, or to any name with *', () => {
    const hosts = parseAllowedHosts(' Shop.Example.com, summary ');
    assert.equal(hosts, 'shop.example.com,summary');
    assert.equal(hostGuard('0.0.0.0', hosts)(request('shop.example.com')), true);
    assert.equal(hostGuard('0.0.0.0', hosts)(request('summary:8080')), true);
    assert.equal(hostGuard('0.0.0.0', '*')(request('anything')), true);
    assert.throws(() => parseAllowedHosts('a b'), /is not a host name/);
  });
});

describe('publicSummary', () => {
  it("hides a backend's own error text and the members' ids and hosts", () => {
    const preparers = {
      members: [
        {
          memberId: 'chippy-preparer-1234',
          clientId: 'c',
          label: 'c 1234',
          host: '10.0.0.7',
          partitions: [0],
        },
      ],
    } as unknown as Preparers;
    const t = new Date(0);
    const summary: Summary = {
      updatedAt: t.toISOString(),
      intervalSeconds: 5,
      totals: partFailed(
        startingPart<Totals>(),
        'password authentication failed for user "chippy" at db.internal',
        t,
      ),
      cabinet: partRead({ cod: 1, chips: 2, plaice: 0 }, t),
      preparers: partRead(preparers, t),
      latency: startingPart(),
    };
    const shown = JSON.stringify(publicSummary(summary));
    for (const secret of ['db.internal', 'chippy-preparer-1234', '10.0.0.7', 'password'])
      assert.ok(!shown.includes(secret), secret);
    assert.match(shown, /PostgreSQL did not answer/);
    assert.match(shown, /"label":"c 1234"/);
    const missing = partFailed(startingPart<Totals>(), describePgError({ code: '42P01' }), t);
    assert.match(
      JSON.stringify(publicSummary({ ...summary, totals: missing })),
      /table \\"orders\\" does not exist in PostgreSQL: apply/,
      'a reason in its own words is kept',
    );
  });
});
