package io.sluice.connect;

import java.util.Map;
import java.util.Objects;

/**
 * A record a source task read, with where it was read from: {@code sourcePartition} names a stream of the external
 * system (a file, a table) and {@code sourceOffset} the position after this record in it. The runtime stores the
 * latest offset of each source partition once the record is acknowledged, and gives it back to the task after a
 * restart ({@link SourceTaskContext#offset}).
 *
 * @param sourcePartition which stream of the external system, JSON-like (strings, numbers, booleans).
 * @param sourceOffset    the position after this record in it, JSON-like.
 * @param topic           to write to.
 * @param partition       to write to, or null for the key's hash (round robin without a key).
 * @param key             the key, converted by the connector's key converter; may be null.
 * @param value           the value, converted by its value converter; may be null.
 * @param timestamp       epoch ms, or null for now.
 */
public record SourceRecord(Map<String, ?> sourcePartition, Map<String, ?> sourceOffset, String topic,
    Integer partition, Object key, Object value, Long timestamp)
{
    public SourceRecord
    {
        Objects.requireNonNull(sourcePartition, "sourcePartition");
        Objects.requireNonNull(sourceOffset, "sourceOffset");
        Objects.requireNonNull(topic, "topic");
    }

    /**
     * @return this record, to another topic.
     * @param newTopic the topic.
     */
    public SourceRecord withTopic(final String newTopic)
    {
        return new SourceRecord(sourcePartition, sourceOffset, newTopic, partition, key, value, timestamp);
    }

    /**
     * @return this record with another value.
     * @param newValue the value.
     */
    public SourceRecord withValue(final Object newValue)
    {
        return new SourceRecord(sourcePartition, sourceOffset, topic, partition, key, newValue, timestamp);
    }
}
