package io.sluice.streams.internals;

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
}
