package io.sluice.streams;

import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * A stream grouped by key, to aggregate. Each aggregation keeps its results in a state store logged to a changelog
 * topic and emits every update as a table change (no caching: one output per input record). Records with a null key
 * are dropped, as are null values.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public interface KGroupedStream<K, V>
{
    /**
     * @return the number of records per key.
     */
    KTable<K, Long> count();

    /**
     * @param materialized the store's name (its serdes are the grouping's key serde and longs).
     */
    KTable<K, Long> count(Materialized<K, Long> materialized);

    /**
     * @return per key, the values combined in order.
     */
    KTable<K, V> reduce(BinaryOperator<V> reducer);

    /**
     * @param materialized the store's name and serdes (default: the grouping's).
     */
    KTable<K, V> reduce(BinaryOperator<V> reducer, Materialized<K, V> materialized);

    /**
     * @param initializer  the aggregate of a new key.
     * @param aggregator   folds each record in.
     * @param materialized the store: its value serde is required unless the aggregate's type is the values'.
     * @return per key, the aggregate.
     */
    <VA> KTable<K, VA> aggregate(Supplier<VA> initializer, Aggregator<? super K, ? super V, VA> aggregator,
        Materialized<K, VA> materialized);

    /**
     * @param windows tumbling or hopping, with their grace.
     * @return the stream to aggregate per key and window.
     */
    TimeWindowedKStream<K, V> windowedBy(TimeWindows windows);

    /**
     * @param windows sliding windows of a time difference, with their grace.
     * @return the stream to aggregate per key and sliding window.
     */
    TimeWindowedKStream<K, V> windowedBy(SlidingWindows windows);

    /**
     * @param windows sessions of an inactivity gap, with their grace.
     * @return the stream to aggregate per key and session.
     */
    SessionWindowedKStream<K, V> windowedBy(SessionWindows windows);
}
