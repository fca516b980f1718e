package io.sluice.streams.internals;

import io.sluice.streams.KeyValue;
import io.sluice.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records per key in a logged store, each kept until stream time passes its time plus a retention: one side of a
 * stream-stream join (retention: the join's difference plus grace), the records of a left or outer join side that
 * joined nothing yet (kept until their window closes, then emitted with null), or the records of a sliding-window
 * aggregation. Owned by the one processor that made it (its index of expiry times sees only its own writes). Not
 * part of the API.
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
     * Forget one record kept for a key (the first equal one), as when it joined.
     *
     * @return whether it was kept.
     */
    public boolean remove(final K key, final TimestampedValuesSerde.Entry<V> entry)
    {
        final List<TimestampedValuesSerde.Entry<V>> kept = store.get(key);
        if (null == kept || !kept.contains(entry))
        {
            return false;
        }
        final List<TimestampedValuesSerde.Entry<V>> left = new ArrayList<>(kept);
        left.remove(entry);
        store.put(key, left.isEmpty() ? null : left); // its expiry index entry stays: expire skips what is gone
        return true;
    }

    /**
     * Drop the records whose retention stream time has passed.
     *
     * @return the records dropped, earliest first.
     */
    public List<KeyValue<K, TimestampedValuesSerde.Entry<V>>> expire(final long streamTime)
    {
        index();
        final List<KeyValue<K, TimestampedValuesSerde.Entry<V>>> expired = new ArrayList<>();
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
                    if (isLate(entry.timestamp(), streamTime))
                    {
                        expired.add(KeyValue.pair(key, entry));
                    }
                    else
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
        expired.sort(Comparator.comparingLong((e) -> e.value().timestamp()));
        return expired;
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
