package io.sluice.streams.internals;

import io.sluice.streams.KeyValue;
import io.sluice.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One side of a stream-stream join: its records per key in a logged store, each kept until stream time passes its
 * time plus the join's difference and grace. Owned by that side's processor. Not part of the API.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public final class JoinBuffer<K, V>
{
    private final KeyValueStore<K, List<TimestampedValuesSerde.Entry<V>>> store;
    private final long retentionMs;
    /** Keys by the time their oldest entry expires; built from the store (restored) on first use. */
    private TreeMap<Long, List<K>> byExpiry;

    /**
     * @param store       the side's store.
     * @param retentionMs the join's time difference plus grace.
     */
    public JoinBuffer(final KeyValueStore<K, List<TimestampedValuesSerde.Entry<V>>> store, final long retentionMs)
    {
        this.store = store;
        this.retentionMs = retentionMs;
    }

    /**
     * @return whether a record of this time is too late to be joined or kept.
     */
    public boolean isLate(final long timestamp, final long streamTime)
    {
        return timestamp + retentionMs < streamTime;
    }

    /**
     * Keep a record.
     */
    public void add(final K key, final long timestamp, final V value)
    {
        index();
        final List<TimestampedValuesSerde.Entry<V>> kept = store.get(key);
        final List<TimestampedValuesSerde.Entry<V>> updated = null == kept ? new ArrayList<>() : new ArrayList<>(kept);
        updated.add(new TimestampedValuesSerde.Entry<>(timestamp, value));
        store.put(key, updated);
        byExpiry.computeIfAbsent(timestamp + retentionMs, (t) -> new ArrayList<>()).add(key);
    }

    /**
     * @return the records kept for a key.
     */
    public List<TimestampedValuesSerde.Entry<V>> get(final K key)
    {
        final List<TimestampedValuesSerde.Entry<V>> kept = store.get(key);
        return null == kept ? List.of() : kept;
    }

    /**
     * Drop the records whose retention stream time has passed.
     */
    public void expire(final long streamTime)
    {
        index();
        Map.Entry<Long, List<K>> due;
        while (null != (due = byExpiry.firstEntry()) && due.getKey() < streamTime)
        {
            byExpiry.pollFirstEntry();
            for (final K key : due.getValue())
            {
                final List<TimestampedValuesSerde.Entry<V>> kept = store.get(key);
                if (null == kept)
                {
                    continue;
                }
                final List<TimestampedValuesSerde.Entry<V>> left = new ArrayList<>(kept.size());
                for (final TimestampedValuesSerde.Entry<V> entry : kept)
                {
                    if (!isLate(entry.timestamp(), streamTime))
                    {
                        left.add(entry);
                    }
                }
                if (left.size() != kept.size())
                {
                    store.put(key, left.isEmpty() ? null : left);
                }
            }
        }
    }

    private void index()
    {
        if (null != byExpiry)
        {
            return;
        }
        byExpiry = new TreeMap<>();
        for (final KeyValue<K, List<TimestampedValuesSerde.Entry<V>>> entry : store.all())
        {
            for (final TimestampedValuesSerde.Entry<V> kept : entry.value())
            {
                byExpiry.computeIfAbsent(kept.timestamp() + retentionMs, (t) -> new ArrayList<>()).add(entry.key());
            }
        }
    }
}
