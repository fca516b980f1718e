package io.sluice.streams;

/**
 * A key and a value: what {@link KStream#map} and {@link KStream#flatMap} return, and what test output topics read.
 *
 * @param key   may be null.
 * @param value may be null.
 * @param <K>   key type.
 * @param <V>   value type.
 */
public record KeyValue<K, V>(K key, V value)
{
    /**
     * @return a pair.
     */
    public static <K, V> KeyValue<K, V> pair(final K key, final V value)
    {
        return new KeyValue<>(key, value);
    }
}
