package io.sluice.streams.state;

import io.sluice.streams.KeyValue;

import java.util.List;

/**
 * A key-value store as queries see it: safe to call from any thread while the task writes it.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public interface ReadOnlyKeyValueStore<K, V>
{
    /**
     * @param key to look up; not null.
     * @return its value, or null.
     */
    V get(K key);

    /**
     * @return a snapshot of every entry, in no particular order.
     */
    List<KeyValue<K, V>> all();

    /**
     * @return how many entries it holds.
     */
    long approximateNumEntries();
}
