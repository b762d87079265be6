import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.strimzi.api.kafka.model.connect.KafkaConnect;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads every Strimzi resource of a rendered manifest (the output of `kubectl kustomize`) into Strimzi's
 * own model classes (io.strimzi:api) and prints one line per problem: a kind or apiVersion the release
 * does not serve, a value of the wrong type, and every unknown field. The model does not reject an
 * unknown field: it keeps it in an `additionalProperties` map (as the fabric8 Kubernetes classes inside
 * it do), so the whole object graph is walked and any non-empty map is reported with its path.
 * Usage: java -cp <io.strimzi:api class path> StrimziModelCheck.java rendered.yaml — exit 1 on a problem.
 */
public class StrimziModelCheck {
  static final Map<String, Class<?>> KINDS = Map.of(
      "Kafka", Kafka.class,
      "KafkaNodePool", KafkaNodePool.class,
      "KafkaConnect", KafkaConnect.class,
      "KafkaConnector", KafkaConnector.class,
      "KafkaTopic", KafkaTopic.class,
      "KafkaUser", KafkaUser.class);

  public static void main(String[] args) throws Exception {
    ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
    List<JsonNode> docs = mapper.readerFor(JsonNode.class).<JsonNode>readValues(new File(args[0])).readAll();
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (JsonNode doc : docs) {
      if (doc == null || !doc.isObject()) continue;
      String apiVersion = doc.path("apiVersion").asText();
      if (!apiVersion.endsWith("strimzi.io") && !apiVersion.contains("strimzi.io/")) continue;
      String kind = doc.path("kind").asText();
      String where = kind + "/" + doc.path("metadata").path("name").asText();
      Class<?> type = KINDS.get(kind);
      if (type == null) {
        problems.add(where + ": " + kind + " is not a kind this check knows (" + KINDS.keySet() + ")");
        continue;
      }
      String group = (String) type.getField("RESOURCE_GROUP").get(null);
      @SuppressWarnings("unchecked")
      List<String> versions = (List<String>) type.getField("VERSIONS").get(null);
      String[] parts = apiVersion.split("/", 2);
      if (parts.length != 2 || !parts[0].equals(group) || !versions.contains(parts[1])) {
        problems.add(where + ": apiVersion " + apiVersion + " is not served (" + group + "/" + versions + ")");
        continue;
      }
      Object resource;
      try {
        resource = mapper.treeToValue(doc, type);
      } catch (Exception e) {
        problems.add(where + ": " + e.getMessage().split("\n")[0]);
        continue;
      }
      walk(resource, where, problems, Collections.newSetFromMap(new IdentityHashMap<>()));
      checked++;
    }
    problems.forEach(System.out::println);
    System.err.println("checked " + checked + " Strimzi resources against io.strimzi:api");
    System.exit(problems.isEmpty() ? 0 : 1);
  }

  /** Reports every non-empty additionalProperties map under `value`, with its path. */
  static void walk(Object value, String path, List<String> problems, Set<Object> seen) throws Exception {
    if (value == null || !seen.add(value)) return;
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) walk(e.getValue(), path + "." + e.getKey(), problems, seen);
      return;
    }
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) walk(list.get(i), path + "[" + i + "]", problems, seen);
      return;
    }
    String pkg = value.getClass().getPackageName();
    if (!pkg.startsWith("io.strimzi.") && !pkg.startsWith("io.fabric8.")) return;
    for (Method m : value.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers())) continue;
      String name = m.getName();
      if (!name.startsWith("get") || name.equals("getClass") || name.length() < 4) continue;
      Object child;
      try {
        child = m.invoke(value);
      } catch (Exception e) {
        continue;
      }
      if (name.equals("getAdditionalProperties")) {
        if (child instanceof Map<?, ?> extra && !extra.isEmpty())
          problems.add(path + ": unknown field(s) " + extra.keySet());
        continue;
      }
      String property = Character.toLowerCase(name.charAt(3)) + name.substring(4);
      walk(child, path + "." + property, problems, seen);
    }
  }
}
