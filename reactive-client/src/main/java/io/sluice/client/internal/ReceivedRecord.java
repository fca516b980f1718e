package io.sluice.client.internal;

import io.sluice.client.ConsumerRecord;

/**
 * A record a consumer emitted. {@link #acknowledge()} is one volatile write; the agent finds acknowledged records
 * at the head of each partition's emitted queue and advances the offset it may commit.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
final class ReceivedRecord<K, V> implements ConsumerRecord<K, V>
{
    private final String topic;
    private final int partition;
    private final long offset;
    private final long timestamp;
    private final K key;
    private final V value;
    private final java.util.List<io.sluice.client.Header> headers;
    /** Index of its partition in the consuming flow. */
    final int slot;
    private volatile boolean acknowledged;

    ReceivedRecord(
        final String topic,
        final int partition,
        final long offset,
        final long timestamp,
        final K key,
        final V value,
        final java.util.List<io.sluice.client.Header> headers,
        final int slot)
    {
        this.headers = headers;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.slot = slot;
    }

    public String topic()
    {
        return topic;
    }

    public int partition()
    {
        return partition;
    }

    public long offset()
    {
        return offset;
    }

    public long timestamp()
    {
        return timestamp;
    }

    public K key()
    {
        return key;
    }

    public V value()
    {
        return value;
    }

    public java.util.List<io.sluice.client.Header> headers()
    {
        return headers;
    }

    public void acknowledge()
    {
        acknowledged = true;
    }

    boolean isAcknowledged()
    {
        return acknowledged;
    }

    /**
     * Records are equal when they are the same record of the log: same topic, partition and offset, whichever
     * subscription received them.
     */
    public boolean equals(final Object other)
    {
        return this == other || other instanceof ReceivedRecord<?, ?> that &&
            offset == that.offset && partition == that.partition && topic.equals(that.topic);
    }

    public int hashCode()
    {
        return 31 * (31 * topic.hashCode() + partition) + Long.hashCode(offset);
    }

    public String toString()
    {
        return "ConsumerRecord{" + topic + "-" + partition + "@" + offset + ", key=" + key + ", value=" + value + "}";
    }
}
