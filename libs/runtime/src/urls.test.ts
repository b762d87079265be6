import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { basicAuthHeader, redactUrl, redactUrlsIn, splitUrlAuth } from './urls.js';

describe('redactUrl', () => {
  it('replaces the password only', () => {
    assert.equal(redactUrl('postgres://app:s3cret@db:5432/chippy'), 'postgres://app:***@db:5432/chippy');
    assert.equal(redactUrl('http://127.0.0.1:8081/apis/ccompat/v7'), 'http://127.0.0.1:8081/apis/ccompat/v7');
    assert.equal(redactUrl('host:9092,other:9092'), 'host:9092,other:9092');
  });

  it('hides the password of a URL that does not parse', () => {
    assert.equal(redactUrl('postgres://chippy:pa ss@db host/chippy'), 'postgres://chippy:***@db host/chippy');
    assert.equal(redactUrl('https://u:p@ss@w rd@h x'), 'https://u:***@h x');
  });
});

describe('redactUrlsIn', () => {
  it('hides every URL password in a text', () => {
    assert.equal(
      redactUrlsIn('fetch https://avnadmin:s3cret@connect.example:443/x failed; see http://a:b@c'),
      'fetch https://avnadmin:***@connect.example:443/x failed; see http://a:***@c',
    );
  });
});

describe('splitUrlAuth', () => {
  it('moves credentials out of the URL', () => {
    assert.deepEqual(splitUrlAuth('https://avnadmin:p%40ss@reg.example.com:12345'), {
      url: 'https://reg.example.com:12345',
      auth: { username: 'avnadmin', password: 'p@ss' },
    });
    assert.deepEqual(splitUrlAuth('http://h:1/apis/ccompat/v7'), { url: 'http://h:1/apis/ccompat/v7' });
    assert.equal(basicAuthHeader({ username: 'a', password: 'b' }), 'Basic YTpi');
  });
});
