package io.sluice.streams.internals;

import io.sluice.client.Header;

import java.util.List;

/**
 * Where a task's output goes: sinks, repartition topics and changelogs. Not part of the API.
 */
@FunctionalInterface
public interface RecordCollector
{
    /**
     * @param topic     the topic's name in the cluster.
     * @param partition the partition, or -1 to take the key's hash (the task's partition for a null key).
     * @param key       serialized; may be null.
     * @param value     serialized; may be null (a tombstone).
     * @param timestamp the record's event time.
     */
    void send(String topic, int partition, byte[] key, byte[] value, long timestamp);

    /**
     * A record with headers (a changelog entry's epoch and prior value, a sink record's origin); a collector that
     * keeps no headers (the test driver's) drops them.
     *
     * @param topic     the topic's name in the cluster.
     * @param partition the partition, or -1 to take the key's hash (the task's partition for a null key).
     * @param key       serialized; may be null.
     * @param value     serialized; may be null (a tombstone).
     * @param timestamp the record's event time.
     * @param headers   in order.
     */
    default void send(String topic, int partition, byte[] key, byte[] value, long timestamp, List<Header> headers)
    {
        send(topic, partition, key, value, timestamp);
    }
}
