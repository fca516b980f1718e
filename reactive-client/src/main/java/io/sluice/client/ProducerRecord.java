package io.sluice.client;

import java.util.Objects;

/**
 * A record to send, with correlation metadata the producer hands back in its {@link SendResult}.
 *
 * @param topic               to send to.
 * @param partition           to send to, or {@code null} to let the producer's partitioning choose.
 * @param timestamp           in epoch milliseconds, or {@code null} for the time of sending.
 * @param key                 may be {@code null}.
 * @param value               may be {@code null} (a tombstone).
 * @param correlationMetadata anything the application wants back with the result; may be {@code null}.
 * @param headers             the record's headers, in order; empty for none.
 * @param <K>                 key type.
 * @param <V>                 value type.
 * @param <T>                 correlation metadata type.
 */
public record ProducerRecord<K, V, T>(
    String topic, Integer partition, Long timestamp, K key, V value, T correlationMetadata, java.util.List<Header> headers)
{
    /**
     * @param topic               to send to.
     * @param partition           to send to, or {@code null} to let the producer's partitioning choose.
     * @param timestamp           in epoch milliseconds, or {@code null} for the time of sending.
     * @param key                 may be {@code null}.
     * @param value               may be {@code null}.
     * @param correlationMetadata may be {@code null}.
     * @param headers             in order; null for none.
     */
    public ProducerRecord
    {
        Objects.requireNonNull(topic, "topic");
        headers = null == headers ? java.util.List.of() : java.util.List.copyOf(headers);
        if (null != partition && partition < 0)
        {
            throw new IllegalArgumentException("partition must not be negative: " + partition);
        }
    }

    /**
     * A record without headers.
     *
     * @param topic               to send to.
     * @param partition           to send to, or {@code null} to let the producer's partitioning choose.
     * @param timestamp           in epoch milliseconds, or {@code null} for the time of sending.
     * @param key                 may be {@code null}.
     * @param value               may be {@code null}.
     * @param correlationMetadata may be {@code null}.
     */
    public ProducerRecord(
        final String topic, final Integer partition, final Long timestamp, final K key, final V value,
        final T correlationMetadata)
    {
        this(topic, partition, timestamp, key, value, correlationMetadata, java.util.List.of());
    }

    /**
     * @param newHeaders the headers, in order.
     * @return this record with those headers.
     */
    public ProducerRecord<K, V, T> withHeaders(final java.util.List<Header> newHeaders)
    {
        return new ProducerRecord<>(topic, partition, timestamp, key, value, correlationMetadata, newHeaders);
    }

    /**
     * A keyed record with correlation metadata, partitioned by the producer.
     *
     * @param topic               to send to.
     * @param key                 may be {@code null}.
     * @param value               may be {@code null}.
     * @param correlationMetadata may be {@code null}.
     * @param <K>                 key type.
     * @param <V>                 value type.
     * @param <T>                 correlation metadata type.
     * @return the record.
     */
    public static <K, V, T> ProducerRecord<K, V, T> of(
        final String topic, final K key, final V value, final T correlationMetadata)
    {
        return new ProducerRecord<>(topic, null, null, key, value, correlationMetadata);
    }

    /**
     * A keyed record without correlation metadata.
     *
     * @param topic to send to.
     * @param key   may be {@code null}.
     * @param value may be {@code null}.
     * @param <K>   key type.
     * @param <V>   value type.
     * @return the record.
     */
    public static <K, V> ProducerRecord<K, V, Void> of(final String topic, final K key, final V value)
    {
        return new ProducerRecord<>(topic, null, null, key, value, null);
    }
}
