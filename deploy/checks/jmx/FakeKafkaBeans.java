import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers MBeans named as a Kafka broker names them (the ones the dashboard's rules read, and the
 * per-topic beans the rules must leave out), then waits to be killed: deploy/checks runs it with the
 * JMX exporter agent and kafka-broker.yml to see the metric names the agent really serves.
 */
public class FakeKafkaBeans {
  public interface MeterMBean {
    long getCount();
  }

  public static class Meter implements MeterMBean {
    public long getCount() {
      return 42;
    }
  }

  public interface GaugeMBean {
    Object getValue();
  }

  public static class Gauge implements GaugeMBean {
    public Object getValue() {
      return 0;
    }
  }

  public static void main(String[] args) throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    for (String name : new String[] {"BytesInPerSec", "BytesOutPerSec", "MessagesInPerSec"}) {
      server.registerMBean(new Meter(), new ObjectName("kafka.server:type=BrokerTopicMetrics,name=" + name));
      server.registerMBean(
          new Meter(), new ObjectName("kafka.server:type=BrokerTopicMetrics,name=" + name + ",topic=orders"));
    }
    for (String name :
        new String[] {"UnderReplicatedPartitions", "UnderMinIsrPartitionCount", "PartitionCount", "LeaderCount"})
      server.registerMBean(new Gauge(), new ObjectName("kafka.server:type=ReplicaManager,name=" + name));
    for (String name : new String[] {"ActiveControllerCount", "OfflinePartitionsCount"})
      server.registerMBean(new Gauge(), new ObjectName("kafka.controller:type=KafkaController,name=" + name));
    System.out.println("registered");
    Thread.sleep(Long.MAX_VALUE);
  }
}
