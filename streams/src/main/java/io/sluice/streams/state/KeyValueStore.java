package io.sluice.streams.state;

/**
 * A key-value store a processor reads and writes. Every change is logged to the store's changelog topic when the
 * store is logged (the default), and restored from it when a task starts.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public interface KeyValueStore<K, V> extends ReadOnlyKeyValueStore<K, V>
{
    /**
     * @return the store's name.
     */
    String name();

    /**
     * @param key   not null.
     * @param value null deletes the key.
     */
    void put(K key, V value);

    /**
     * @param key not null.
     * @return the value it had, or null.
     */
    V delete(K key);
}
