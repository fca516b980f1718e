package io.sluice.streams.state;

import io.sluice.streams.KeyValue;
import io.sluice.streams.Windowed;

import java.util.List;

/**
 * The sessions of a session-windowed aggregation as queries see them. The store holds open sessions only (a session
 * leaves it when it closes, or when a record merges it into a larger one). Safe to call from any thread while the
 * task writes it.
 *
 * @param <K> key type.
 * @param <V> aggregate type.
 */
public interface ReadOnlySessionStore<K, V>
{
    /**
     * @param key not null.
     * @return the key's sessions with their aggregates, earliest first.
     */
    List<KeyValue<Windowed<K>, V>> fetch(K key);

    /**
     * @param key         not null.
     * @param earliestEnd sessions ending before this are left out.
     * @param latestStart sessions starting after this are left out.
     * @return the key's sessions overlapping {@code [earliestEnd, latestStart]}, earliest first.
     */
    List<KeyValue<Windowed<K>, V>> findSessions(K key, long earliestEnd, long latestStart);
}
