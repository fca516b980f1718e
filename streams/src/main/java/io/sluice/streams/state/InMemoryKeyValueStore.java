package io.sluice.streams.state;

import io.sluice.streams.KeyValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A key-value store in memory (a {@link ConcurrentHashMap}, so queries from other threads see a consistent entry
 * without locking the writer). Its durability is its changelog: it is rebuilt from it on start.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public final class InMemoryKeyValueStore<K, V> implements KeyValueStore<K, V>
{
    private final String name;
    private final ConcurrentHashMap<K, V> entries = new ConcurrentHashMap<>();

    /**
     * @param name of the store.
     */
    public InMemoryKeyValueStore(final String name)
    {
        this.name = Objects.requireNonNull(name, "name");
    }

    public String name()
    {
        return name;
    }

    public V get(final K key)
    {
        return entries.get(Objects.requireNonNull(key, "key"));
    }

    public void put(final K key, final V value)
    {
        if (null == value)
        {
            delete(key);
            return;
        }
        entries.put(Objects.requireNonNull(key, "key"), value);
    }

    public V delete(final K key)
    {
        return entries.remove(Objects.requireNonNull(key, "key"));
    }

    public List<KeyValue<K, V>> all()
    {
        final List<KeyValue<K, V>> all = new ArrayList<>(entries.size());
        for (final Map.Entry<K, V> entry : entries.entrySet())
        {
            all.add(new KeyValue<>(entry.getKey(), entry.getValue()));
        }
        return all;
    }

    public long approximateNumEntries()
    {
        return entries.size();
    }
}
