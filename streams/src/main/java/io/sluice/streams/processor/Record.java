package io.sluice.streams.processor;

/**
 * A record inside a topology: its key, value and event time (the record's timestamp, or what the source's
 * {@link io.sluice.streams.TimestampExtractor} made of it).
 *
 * @param key       may be null.
 * @param value     may be null (a table's tombstone: the key is deleted).
 * @param timestamp event time, epoch milliseconds.
 * @param <K>       key type.
 * @param <V>       value type.
 */
public record Record<K, V>(K key, V value, long timestamp)
{
    /**
     * @return this record with another key.
     */
    public <K2> Record<K2, V> withKey(final K2 key)
    {
        return new Record<>(key, value, timestamp);
    }

    /**
     * @return this record with another value.
     */
    public <V2> Record<K, V2> withValue(final V2 value)
    {
        return new Record<>(key, value, timestamp);
    }

    /**
     * @return this record with another timestamp.
     */
    public Record<K, V> withTimestamp(final long timestamp)
    {
        return new Record<>(key, value, timestamp);
    }
}
