import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

/**
 * A real redis-server of the test's own, on its own port, so a test can stop and start it without
 * touching the Redis the rest of the stack uses. Like the stack's, it keeps nothing on disk.
 */
export class TestRedisServer {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'chippy-redis-'));
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no'],
      {
        cwd: this.dir,
        stdio: 'ignore',
      },
    );
    const client = new Redis(this.url, {
      lazyConnect: true,
      retryStrategy: () => 100,
      maxRetriesPerRequest: 1,
    });
    // Refused until the server listens: expected, and each ping's answer already says so.
    client.on('error', () => undefined);
    try {
      for (let i = 0; i < 100; i++) {
        if ((await client.ping().catch(() => '')) === 'PONG') return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`redis-server on ${this.port} did not answer`);
    } finally {
      client.disconnect();
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
