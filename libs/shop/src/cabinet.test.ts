import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { redisCabinet } from './cabinet.js';

/** The commands in `pending` (RESP arrays of bulk strings, as clients send them), and what is left over. */
function readCommands(pending: Buffer): { commands: string[][]; rest: Buffer } {
  const commands: string[][] = [];
  let at = 0;
  const line = () => {
    const end = pending.indexOf('\r\n', at);
    if (end < 0) return undefined;
    const text = pending.toString('latin1', at + 1, end);
    at = end + 2;
    return Number(text);
  };
  for (;;) {
    const start = at;
    const count = line();
    const command: string[] = [];
    for (let i = 0; count !== undefined && i < count; i++) {
      const size = line();
      if (size === undefined || pending.length < at + size + 2) break;
      command.push(pending.toString('utf8', at, at + size));
      at += size + 2;
    }
    if (count === undefined || command.length < count) return { commands, rest: pending.subarray(start) };
    commands.push(command);
  }
}

/**
 * A Redis stand-in on a socket, for a real ioredis client: it keeps the scripts sent with EVAL (by SHA1, as
 * Redis does), answers EVALSHA for those and NOSCRIPT for others, or what `evalsha` says instead; every
 * script run returns one order taken. `calls` records each script call as name, the script (whether it is
 * the take script's text, or its SHA1's length) and the number of arguments after it.
 */
async function fakeRedis(t: TestContext, evalsha?: () => string) {
  const loaded = new Set<string>();
  const calls: string[] = [];
  const shas: string[] = [];
  const taken = '*1\r\n*1\r\n$5\r\ntaken\r\n';
  const answer = ([name = '', script = '', ...args]: string[]): string => {
    if (name === 'eval') {
      calls.push(`eval ${script.includes("redis.call('HGET'")} ${args.length}`);
      loaded.add(createHash('sha1').update(script).digest('hex'));
      return taken;
    }
    if (name === 'evalsha') {
      calls.push(`evalsha ${script.length} ${args.length}`);
      shas.push(script);
      if (evalsha) return evalsha();
      return loaded.has(script) ? taken : '-NOSCRIPT No matching script. Please use EVAL.\r\n';
    }
    return `-ERR unknown command '${name}'\r\n`;
  };
  const server = createServer((socket) => {
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      const { commands, rest } = readCommands(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const command of commands) socket.write(answer([command[0]!.toLowerCase(), ...command.slice(1)]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const redis = new Redis({
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    enableReadyCheck: false,
    disableClientInfo: true,
    maxRetriesPerRequest: 0,
  });
  t.after(() => {
    redis.disconnect();
    server.close();
  });
  /** Redis forgets its scripts while the connection stays up, as after SCRIPT FLUSH. */
  const flush = () => loaded.clear();
  return { redis, calls, shas, loaded, flush };
}

const portions = { cod: 1, chips: 1, plaice: 0 };

describe('redisCabinet', () => {
  it('take runs the script by its SHA1 when Redis has it', async (t) => {
    const { redis, calls, shas, loaded } = await fakeRedis(t);
    const cabinet = redisCabinet(redis, 'p-');
    assert.deepEqual(await cabinet.take('o1', portions), { outcome: 'taken' });
    assert.deepEqual(await cabinet.take('o2', portions), { outcome: 'taken' });
    // 3 keys + their count + the TTL, ledger mode, since, preparer, lease, item count, 3 names, 3 amounts.
    // ioredis sends the text with the first call on a connection (EVAL), then only the SHA1 (EVALSHA).
    assert.deepEqual(calls, ['eval true 16', 'evalsha 40 16']);
    assert.deepEqual(shas, [...loaded], 'the SHA1 of the text sent');
  });

  it('take sends the script text once Redis says NOSCRIPT', async (t) => {
    const { redis, calls, flush } = await fakeRedis(t);
    const cabinet = redisCabinet(redis, 'p-');
    assert.deepEqual(await cabinet.take('o1', portions), { outcome: 'taken' });
    flush();
    assert.deepEqual(await cabinet.take('o2', portions), { outcome: 'taken' });
    assert.deepEqual(calls, ['eval true 16', 'evalsha 40 16', 'eval true 16']);
  });

  it('other script errors are not retried with EVAL', async (t) => {
    const { redis, calls } = await fakeRedis(t, () => '-ERR wrong number of arguments\r\n');
    const cabinet = redisCabinet(redis, 'p-');
    assert.deepEqual(await cabinet.take('o1', portions), { outcome: 'taken' });
    await assert.rejects(cabinet.take('o2', portions), /wrong number/);
    assert.deepEqual(calls, ['eval true 16', 'evalsha 40 16'], 'no EVAL after the error');
  });
});
