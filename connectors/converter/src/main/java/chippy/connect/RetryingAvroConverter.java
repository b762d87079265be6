package chippy.connect;

import io.apicurio.registry.rest.client.exception.RestClientException;
import io.apicurio.registry.utils.converter.AvroConverter;
import java.io.IOException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.RetriableException;

/**
 * Apicurio's Avro converter, with a schema lookup the registry did not answer (unreachable, or a 5xx)
 * thrown as Connect's {@link RetriableException}, so that the worker retries the record for the
 * connector's {@code errors.retry.timeout} instead of sending it to the dead-letter topic at once.
 *
 * <p>Apicurio's converter 2.6 retries a lookup only after an HTTP 429 (its {@code ERCache}), and Connect
 * retries only a {@code RetriableException}:
 * https://github.com/apache/kafka/blob/4.0/connect/runtime/src/main/java/org/apache/kafka/connect/runtime/errors/RetryWithToleranceOperator.java
 * A schema the registry says it does not have, refused credentials, or bytes that are not Avro still fail
 * at once, and with {@code errors.tolerance=all} go to the dead-letter topic with their reason.
 */
public class RetryingAvroConverter<T> extends AvroConverter<T> {

  @Override
  public SchemaAndValue toConnectData(String topic, byte[] value) {
    try {
      return super.toConnectData(topic, value);
    } catch (RuntimeException e) {
      throw retriableIfTransient(e);
    }
  }

  @Override
  public SchemaAndValue toConnectData(String topic, Headers headers, byte[] value) {
    try {
      return super.toConnectData(topic, headers, value);
    } catch (RuntimeException e) {
      throw retriableIfTransient(e);
    }
  }

  static RuntimeException retriableIfTransient(RuntimeException e) {
    if (e instanceof RetriableException || !registryMayAnswerLater(e)) return e;
    return new RetriableException("the schema registry did not answer a schema lookup: " + e, e);
  }

  /**
   * Whether the failure is the registry's and may pass: the REST client reports a network failure as a
   * {@link RestClientException} without a status, and an error answer with its HTTP status.
   */
  static boolean registryMayAnswerLater(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof IOException) return true;
      if (t.getClass() == RestClientException.class) {
        var error = ((RestClientException) t).getError();
        Integer status = error == null ? null : error.getErrorCode();
        return status == null || status == 0 || status == 408 || status >= 500;
      }
    }
    return false;
  }
}
