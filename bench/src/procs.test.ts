import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stackComponentOf, stackCpuBetween, type StackProcess } from './procs.js';

describe("the stack's processes", () => {
  it("are named by the native stack's marker, Redis by its port, PostgreSQL by its binary or title", () => {
    const jvm = (component: string) =>
      `/usr/lib/jvm/bin/java -Dchippy.stack.component=${component} -Xms512m -cp x Main `;
    assert.equal(stackComponentOf(jvm('kafka'), '6379'), 'kafka broker');
    assert.equal(stackComponentOf(jvm('registry'), '6379'), 'schema registry');
    assert.equal(stackComponentOf(jvm('connect'), '6379'), 'kafka connect');
    assert.equal(stackComponentOf(jvm('kafkaesque'), '6379'), undefined);
    assert.equal(stackComponentOf('redis-server 127.0.0.1:6379 ', '6379'), 'redis');
    assert.equal(stackComponentOf('redis-server 127.0.0.1:6380 ', '6379'), undefined, "another port's");
    assert.equal(
      stackComponentOf('/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main ', '6379'),
      'postgresql',
    );
    assert.equal(stackComponentOf('postgres: 15/main: checkpointer ', '6379'), 'postgresql');
    assert.equal(
      stackComponentOf('postgres: 15/main: postgres bench_db 127.0.0.1(5555) idle', '6379'),
      'postgresql',
    );
    assert.equal(stackComponentOf('sudo -u postgres psql ', '6379'), undefined);
    assert.equal(stackComponentOf('/usr/bin/postgres_exporter ', '6379'), undefined);
    assert.equal(stackComponentOf('node services/preparer/dist/main.js ', '6379'), undefined);
  });

  it("a window's CPU is each process's at the end less its own at the start, by part, in the page's order", () => {
    const p = (name: StackProcess['name'], pid: number, cpuSeconds: number): StackProcess => ({
      name,
      pid,
      cpuSeconds,
    });
    const before = [
      p('postgresql', 10, 5),
      p('kafka broker', 1, 100),
      p('postgresql', 11, 2),
      p('postgresql', 12, 1),
    ];
    const after = [
      p('kafka broker', 1, 104),
      p('postgresql', 10, 5.5),
      p('postgresql', 11, 2.25),
      // 12 ended in the window: left out; 13 started in it: all its CPU is the window's.
      p('postgresql', 13, 0.25),
      p('redis', 2, 0.5),
    ];
    assert.deepEqual(stackCpuBetween(before, after), [
      { name: 'kafka broker', processes: 1, cpuSeconds: 4 },
      { name: 'redis', processes: 1, cpuSeconds: 0.5 },
      { name: 'postgresql', processes: 3, cpuSeconds: 1 },
    ]);
    assert.deepEqual(stackCpuBetween([], []), [], 'another stack: none found');
  });
});
