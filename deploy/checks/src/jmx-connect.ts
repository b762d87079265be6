import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@chippy/dev-utils';
import { jmxAgentJar } from './jmx.js';

/**
 * MBeans named as a Kafka Connect worker names them (https://kafka.apache.org/documentation/#connect_monitoring):
 * the worker's counts, a connector RUNNING with its task FAILED, the sink task's and the error metrics.
 * Their attribute names hold dashes, so they are DynamicMBeans. Written to a temporary file and run as
 * a single-file Java program, with the JMX exporter agent and the rules under test.
 */
const FAKE_CONNECT_BEANS = `
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.*;

public class FakeConnectBeans {
  static class Bean implements DynamicMBean {
    final Map<String, Object> values = new LinkedHashMap<>();
    Bean with(String name, Object value) { values.put(name, value); return this; }
    public Object getAttribute(String name) { return values.get(name); }
    public void setAttribute(Attribute a) {}
    public AttributeList getAttributes(String[] names) {
      AttributeList list = new AttributeList();
      for (String n : names) list.add(new Attribute(n, values.get(n)));
      return list;
    }
    public AttributeList setAttributes(AttributeList a) { return new AttributeList(); }
    public Object invoke(String op, Object[] p, String[] s) { return null; }
    public MBeanInfo getMBeanInfo() {
      MBeanAttributeInfo[] attrs = values.entrySet().stream()
          .map(e -> new MBeanAttributeInfo(e.getKey(), e.getValue().getClass().getName(), e.getKey(), true, false, false))
          .toArray(MBeanAttributeInfo[]::new);
      return new MBeanInfo(Bean.class.getName(), "fake", attrs, null, null, null);
    }
  }

  public static void main(String[] args) throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    String c = "connector=chippy-orders-sink";
    server.registerMBean(new Bean().with("connector-count", 1.0).with("task-count", 1.0)
        .with("connector-startup-failure-total", 0.0).with("task-startup-failure-total", 0.0),
        new ObjectName("kafka.connect:type=connect-worker-metrics"));
    server.registerMBean(new Bean().with("status", "running"), new ObjectName("kafka.connect:type=connector-metrics," + c));
    server.registerMBean(new Bean().with("status", "failed"), new ObjectName("kafka.connect:type=connector-task-metrics," + c + ",task=0"));
    server.registerMBean(new Bean().with("sink-record-read-total", 10.0).with("sink-record-send-total", 9.0)
        .with("put-batch-avg-time-ms", 3.0).with("offset-commit-completion-total", 2.0),
        new ObjectName("kafka.connect:type=sink-task-metrics," + c + ",task=0"));
    server.registerMBean(new Bean().with("total-record-errors", 1L).with("total-record-failures", 1L)
        .with("deadletterqueue-produce-requests", 1L).with("total-errors-logged", 1L),
        new ObjectName("kafka.connect:type=task-error-metrics," + c + ",task=0"));
    System.out.println("registered");
    Thread.sleep(Long.MAX_VALUE);
  }
}
`;

/** The kafka_connect_* samples (name{labels} value) the real JMX exporter agent serves with `rulesFile`. */
export async function jmxConnectSamples(rulesFile: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chippy-connect-beans-'));
  const source = path.join(dir, 'FakeConnectBeans.java');
  writeFileSync(source, FAKE_CONNECT_BEANS);
  const port = await freePort();
  const child = spawn('java', [`-javaagent:${jmxAgentJar()}=127.0.0.1:${port}:${rulesFile}`, source], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let registered = false;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (registered ||= chunk.toString().includes('registered')));
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (registered) {
        try {
          const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          return text.split('\n').filter((l) => l.startsWith('kafka_connect_'));
        } catch {
          // not listening yet
        }
      }
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(
      `the fake Connect worker with the JMX exporter agent did not answer: ${stderr.slice(-400)}`,
    );
  } finally {
    child.kill();
  }
}
