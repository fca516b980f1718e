package io.sluice.streams.runtime;

import io.sluice.streams.KeyValue;
import io.sluice.streams.internals.StreamTask;
import io.sluice.streams.state.KeyValueStore;
import io.sluice.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One store of the topology read across the tasks this instance runs now: each task holds the keys of its own
 * partition, so a key is in at most one of them, and a key of a partition another instance runs is absent. Each call
 * reads the tasks running at that moment; the stores are {@code ConcurrentHashMap}s, so reading them from any thread
 * while the stream thread writes sees whole entries. Not part of the API.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public final class LocalStores<K, V> implements ReadOnlyKeyValueStore<K, V>
{
    private final String name;
    private final Supplier<List<StreamTask>> tasks;

    /**
     * @param name  of the store.
     * @param tasks the tasks running now (restored), read on each call.
     */
    public LocalStores(final String name, final Supplier<List<StreamTask>> tasks)
    {
        this.name = name;
        this.tasks = tasks;
    }

    public V get(final K key)
    {
        for (final StreamTask task : tasks.get())
        {
            final KeyValueStore<K, V> store = storeOf(task);
            if (null != store)
            {
                final V value = store.get(key);
                if (null != value)
                {
                    return value;
                }
            }
        }
        return null;
    }

    public List<KeyValue<K, V>> all()
    {
        final List<KeyValue<K, V>> all = new ArrayList<>();
        for (final StreamTask task : tasks.get())
        {
            final KeyValueStore<K, V> store = storeOf(task);
            if (null != store)
            {
                all.addAll(store.all());
            }
        }
        return all;
    }

    public long approximateNumEntries()
    {
        long entries = 0;
        for (final StreamTask task : tasks.get())
        {
            final KeyValueStore<K, V> store = storeOf(task);
            if (null != store)
            {
                entries += store.approximateNumEntries();
            }
        }
        return entries;
    }

    @SuppressWarnings("unchecked")
    private KeyValueStore<K, V> storeOf(final StreamTask task)
    {
        return (KeyValueStore<K, V>)task.stores().get(name);
    }
}
