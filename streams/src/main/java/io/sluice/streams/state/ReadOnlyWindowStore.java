package io.sluice.streams.state;

import io.sluice.streams.KeyValue;
import io.sluice.streams.Windowed;

import java.util.List;

/**
 * The windows of a windowed aggregation ({@link io.sluice.streams.TimeWindows} or
 * {@link io.sluice.streams.SlidingWindows}) as queries see them: per key, each window's aggregate by the window's
 * start. The store holds open windows only (a window leaves it when it closes). Safe to call from any thread while
 * the task writes it.
 *
 * @param <K> key type.
 * @param <V> aggregate type.
 */
public interface ReadOnlyWindowStore<K, V>
{
    /**
     * @param key         not null.
     * @param windowStart the window's start.
     * @return the aggregate of that key and window, or null.
     */
    V fetch(K key, long windowStart);

    /**
     * @param key      not null.
     * @param timeFrom earliest window start, inclusive.
     * @param timeTo   latest window start, inclusive.
     * @return (window start, aggregate) of the key's windows starting in that range, earliest first.
     */
    List<KeyValue<Long, V>> fetch(K key, long timeFrom, long timeTo);

    /**
     * @return every window of every key, earliest first.
     */
    List<KeyValue<Windowed<K>, V>> all();
}
