import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigError,
  describeConfig,
  loadConfig,
  loadConfigOrExit,
  parseBoolean,
  parseEnum,
  parseHostPortList,
  parseInteger,
  parseNumber,
  parsePort,
  parseString,
  parseUrl,
  runtimeSettings,
  setting,
  withDefault,
} from './config.js';

const base = { name: 'test-service', description: 'a test' };

// Settings like those of the services (which live in @chippy/kafka and @chippy/shop).
const timeScale = setting({
  env: 'TIME_SCALE',
  flag: '--time-scale',
  description: 'multiplies every simulated duration',
  default: 1,
  parse: parseNumber({ min: 0 }),
});
const kafkaUri = setting({
  env: 'KAFKA_SERVICE_URI',
  flag: '--kafka-uri',
  short: '-k',
  description: 'Kafka bootstrap servers',
  default: '127.0.0.1:9092',
  parse: parseHostPortList,
});
const schemaRegistryUri = setting({
  env: 'SCHEMA_REGISTRY_URI',
  flag: '--schema-uri',
  short: '-s',
  description: 'schema registry base URL',
  default: 'http://127.0.0.1:8081',
  parse: parseUrl(['http', 'https']),
});
const saslPassword = setting({
  env: 'KAFKA_SASL_PASSWORD',
  flag: '--sasl-password',
  description: 'Kafka SASL password',
  default: '',
  parse: parseString,
  secret: true,
});

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
const exit = (code: number): never => {
  throw new Exit(code);
};

describe('loadConfig', () => {
  const settings = { timeScale, kafkaUri };

  it('takes the flag over the environment over the default', () => {
    assert.deepEqual(loadConfig({ ...base, settings, argv: [], env: {} }), {
      timeScale: 1,
      kafkaUri: '127.0.0.1:9092',
    });
    assert.deepEqual(loadConfig({ ...base, settings, argv: [], env: { TIME_SCALE: '2' } }).timeScale, 2);
    const both = loadConfig({
      ...base,
      settings,
      argv: ['--time-scale', '0', '-k', 'a:1,b:2'],
      env: { TIME_SCALE: '2' },
    });
    assert.deepEqual(both, { timeScale: 0, kafkaUri: 'a:1,b:2' });
  });

  it('takes a boolean flag alone as true, or with a value', () => {
    const flagSettings = {
      plaice: { env: 'PLAICE', flag: '--plaice', description: 'plaice', default: false, parse: parseBoolean },
      timeScale,
    };
    const load = (argv: string[], env = {}) => loadConfig({ ...base, settings: flagSettings, argv, env });
    assert.equal(load([]).plaice, false);
    assert.equal(load(['--plaice']).plaice, true);
    assert.equal(load(['--plaice', '--time-scale', '0']).plaice, true);
    assert.equal(load(['--plaice', 'false']).plaice, false);
    assert.equal(load(['--plaice', 'no'], { PLAICE: 'true' }).plaice, false);
    assert.throws(() => load(['--plaice', 'maybe']), /invalid PLAICE \(--plaice\)/);
  });

  it('treats an empty environment variable as unset', () => {
    assert.equal(loadConfig({ ...base, settings, argv: [], env: { TIME_SCALE: '' } }).timeScale, 1);
  });

  it('names the setting both ways in one line when a value is invalid', () => {
    assert.throws(
      () => loadConfig({ ...base, settings, argv: [], env: { TIME_SCALE: 'abc' } }),
      new ConfigError('invalid TIME_SCALE (--time-scale): "abc" is not a number >= 0'),
    );
  });

  it('reports a missing required setting', () => {
    const required = { httpPort: runtimeSettings.httpPort };
    assert.throws(
      () => loadConfig({ ...base, settings: required, argv: [], env: {} }),
      /^ConfigError: missing HTTP_PORT \(--http-port\)/,
    );
    assert.equal(
      loadConfig({
        ...base,
        settings: { httpPort: withDefault(runtimeSettings.httpPort, 8080) },
        argv: [],
        env: {},
      }).httpPort,
      8080,
    );
  });

  it('rejects unknown flags', () => {
    assert.throws(
      () => loadConfig({ ...base, settings, argv: ['--nope', 'x'], env: {} }),
      /^ConfigError: unknown option '--nope'/,
    );
  });

  it('never echoes a secret or a URL password in an error', () => {
    const secret = setting({
      env: 'TOKEN',
      flag: '--token',
      description: 'token',
      secret: true,
      parse: parseInteger(),
    });
    assert.throws(
      () => loadConfig({ ...base, settings: { secret }, argv: ['--token', 'hunter2'], env: {} }),
      (error: Error) => error.message === 'invalid TOKEN (--token): "***" is not an integer',
    );
    const uri = { uri: schemaRegistryUri };
    assert.throws(
      () => loadConfig({ ...base, settings: uri, argv: ['-s', 'ftp://user:hunter2@host/x'], env: {} }),
      (error: Error) => !error.message.includes('hunter2') && error.message.includes('user:***@host'),
    );
    // A URL that does not parse (a space in the password, a quote that JSON escapes) is masked too.
    for (const bad of ['postgres://chippy:pa ss@db host/chippy', 'http://u:hunter"2@h x']) {
      assert.throws(
        () => loadConfig({ ...base, settings: uri, argv: ['-s', bad], env: {} }),
        (error: Error) => !/pa ss|hunter/.test(error.message) && error.message.includes(':***@'),
        bad,
      );
    }
  });

  it('prints help with flags, variables and defaults, hiding secret defaults, then exits 0', () => {
    let out = '';
    const secret = setting({
      env: 'TOKEN',
      flag: '--token',
      description: 'token',
      default: 'hunter2',
      secret: true,
      parse: parseString,
    });
    assert.throws(
      () =>
        loadConfig({
          ...base,
          settings: { ...settings, secret },
          argv: ['--help'],
          env: {},
          stdout: (t) => (out += t),
          exit,
        }),
      new Exit(0),
    );
    assert.match(out, /-k, --kafka-uri <value>/);
    assert.match(out, /KAFKA_SERVICE_URI/);
    assert.match(out, /default: 127\.0\.0\.1:9092/);
    assert.match(out, /default: \(secret\)/);
    assert.doesNotMatch(out, /hunter2/);
  });
});

describe('loadConfigOrExit', () => {
  it('writes one line to stderr and exits 2 on a config error', () => {
    let err = '';
    assert.throws(
      () =>
        loadConfigOrExit({
          ...base,
          settings: { timeScale },
          argv: ['--time-scale', '-1'],
          env: {},
          stderr: (t) => (err += t),
          exit,
        }),
      new Exit(2),
    );
    assert.equal(err, 'test-service: invalid TIME_SCALE (--time-scale): "-1" is not a number >= 0\n');
  });
});

describe('parsers', () => {
  it('parse integers, ports and enums within their bounds', () => {
    assert.equal(parseInteger({ min: 1 })('3'), 3);
    assert.throws(() => parseInteger({ min: 1 })('0'), /"0" is not an integer >= 1/);
    assert.throws(() => parseInteger()('1.5'), /not an integer/);
    assert.equal(parsePort('0'), 0);
    assert.throws(() => parsePort('65536'), /not a port/);
    assert.equal(parseEnum(['avro', 'json'])('JSON'), 'json');
    assert.throws(() => parseEnum(['avro', 'json'])('xml'), /"xml" is not one of avro, json/);
  });

  it('parse booleans and URLs', () => {
    assert.equal(parseBoolean('yes'), true);
    assert.equal(parseBoolean('0'), false);
    assert.throws(() => parseBoolean('maybe'), /not a boolean/);
    assert.equal(parseUrl(['http', 'https'])('https://h:1/apis/ccompat/v7'), 'https://h:1/apis/ccompat/v7');
    assert.throws(() => parseUrl(['http'])('nope'), /not a http URL/);
  });

  it('parse host:port lists', () => {
    assert.equal(parseHostPortList('a:1, b.example.com:9092'), 'a:1,b.example.com:9092');
    assert.equal(parseHostPortList('[::1]:9092'), '[::1]:9092');
    for (const bad of ['nowhere', 'a:', ':1', 'a:1,', 'a:99999', 'http://a:1']) {
      assert.throws(() => parseHostPortList(bad), /is not host:port\[,host:port\]/, bad);
    }
  });
});

describe('describeConfig', () => {
  it('redacts secrets and URL passwords', () => {
    const settings = { saslPassword, schemaRegistryUri, timeScale };
    const values = { saslPassword: 'pw', schemaRegistryUri: 'https://u:secret@reg:443/x', timeScale: 2 };
    assert.deepEqual(describeConfig(settings, values), {
      saslPassword: '***',
      schemaRegistryUri: 'https://u:***@reg/x',
      timeScale: 2,
    });
  });
});

describe('loadConfig check', () => {
  it('refuses settings that do not fit together with the line the check gives', () => {
    const settings = { timeScale };
    const check = (v: { timeScale: number }) =>
      v.timeScale > 5 ? 'invalid TIME_SCALE (--time-scale): over 5 with this setting' : undefined;
    assert.deepEqual(loadConfig({ ...base, settings, argv: [], env: {}, check }), { timeScale: 1 });
    assert.throws(
      () => loadConfig({ ...base, settings, argv: ['--time-scale', '9'], env: {}, check }),
      (error: Error) =>
        error instanceof ConfigError &&
        error.message === 'invalid TIME_SCALE (--time-scale): over 5 with this setting',
    );
  });
});
