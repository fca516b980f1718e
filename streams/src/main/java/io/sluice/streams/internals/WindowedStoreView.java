package io.sluice.streams.internals;

import io.sluice.streams.KeyValue;
import io.sluice.streams.Windowed;
import io.sluice.streams.state.ReadOnlyKeyValueStore;
import io.sluice.streams.state.ReadOnlySessionStore;
import io.sluice.streams.state.ReadOnlyWindowStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A windowed or session view of a key-value store keyed by {@link Windowed}, the form in which windowed
 * aggregations keep their results (and log them). Each call scans a snapshot of the store: simple and correct,
 * linear in its size. Reads only; safe from any thread. Not part of the API.
 *
 * @param <K> key type.
 * @param <V> aggregate type.
 */
public final class WindowedStoreView<K, V> implements ReadOnlyWindowStore<K, V>, ReadOnlySessionStore<K, V>
{
    private static final Comparator<KeyValue<? extends Windowed<?>, ?>> BY_WINDOW =
        Comparator.comparingLong((KeyValue<? extends Windowed<?>, ?> e) -> e.key().window().start())
            .thenComparingLong((e) -> e.key().window().end());

    private final ReadOnlyKeyValueStore<Windowed<K>, V> store;

    /**
     * @param store keyed by window.
     */
    public WindowedStoreView(final ReadOnlyKeyValueStore<Windowed<K>, V> store)
    {
        this.store = Objects.requireNonNull(store, "store");
    }

    public V fetch(final K key, final long windowStart)
    {
        Objects.requireNonNull(key, "key");
        for (final KeyValue<Windowed<K>, V> entry : store.all())
        {
            if (key.equals(entry.key().key()) && entry.key().window().start() == windowStart)
            {
                return entry.value();
            }
        }
        return null;
    }

    public List<KeyValue<Long, V>> fetch(final K key, final long timeFrom, final long timeTo)
    {
        final List<KeyValue<Long, V>> found = new ArrayList<>();
        for (final KeyValue<Windowed<K>, V> entry : select(key, Long.MIN_VALUE, Long.MAX_VALUE))
        {
            final long start = entry.key().window().start();
            if (start >= timeFrom && start <= timeTo)
            {
                found.add(KeyValue.pair(start, entry.value()));
            }
        }
        return found;
    }

    public List<KeyValue<Windowed<K>, V>> all()
    {
        final List<KeyValue<Windowed<K>, V>> all = store.all();
        all.sort(BY_WINDOW);
        return all;
    }

    public List<KeyValue<Windowed<K>, V>> fetch(final K key)
    {
        return select(key, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    public List<KeyValue<Windowed<K>, V>> findSessions(final K key, final long earliestEnd, final long latestStart)
    {
        return select(key, earliestEnd, latestStart);
    }

    private List<KeyValue<Windowed<K>, V>> select(final K key, final long earliestEnd, final long latestStart)
    {
        Objects.requireNonNull(key, "key");
        final List<KeyValue<Windowed<K>, V>> found = new ArrayList<>();
        for (final KeyValue<Windowed<K>, V> entry : store.all())
        {
            if (key.equals(entry.key().key()) && entry.key().window().end() >= earliestEnd &&
                entry.key().window().start() <= latestStart)
            {
                found.add(entry);
            }
        }
        found.sort(BY_WINDOW);
        return found;
    }
}
