package io.sluice.connect;

/**
 * A record a sink task is given: where it was in its topic, and its key and value converted by the connector's
 * converters.
 *
 * @param topic     read from.
 * @param partition read from.
 * @param offset    of the record in the partition.
 * @param key       the key, or null.
 * @param value     the value, or null.
 * @param timestamp epoch ms.
 */
public record SinkRecord(String topic, int partition, long offset, Object key, Object value, long timestamp)
{
}
