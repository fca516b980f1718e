package io.sluice.streams;

/**
 * A record read from a {@link TestOutputTopic}.
 *
 * @param key       deserialized.
 * @param value     deserialized.
 * @param timestamp its timestamp (the event time of the record that produced it).
 * @param <K>       key type.
 * @param <V>       value type.
 */
public record TestRecord<K, V>(K key, V value, long timestamp)
{
    /**
     * @return the key and value.
     */
    public KeyValue<K, V> keyValue()
    {
        return new KeyValue<>(key, value);
    }
}
