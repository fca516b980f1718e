package io.sluice.streams;

import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * A grouped stream aggregated per key and session. Results are keyed by {@link Windowed} with the session as window;
 * when a record merges sessions, each merged-away session is deleted downstream (a tombstone) before the merged
 * session is emitted. A session leaves the store when it closes (stream time past its end plus grace).
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public interface SessionWindowedKStream<K, V>
{
    /**
     * @param strategy every update (default) or the final result per session.
     * @return this.
     */
    SessionWindowedKStream<K, V> emitStrategy(EmitStrategy strategy);

    /**
     * @return records per key and session.
     */
    KTable<Windowed<K>, Long> count(Materialized<K, Long> materialized);

    /**
     * @return values per key and session, combined in order (merged sessions combined with the reducer too).
     */
    KTable<Windowed<K>, V> reduce(BinaryOperator<V> reducer, Materialized<K, V> materialized);

    /**
     * @param initializer  the aggregate of a new session.
     * @param aggregator   folds a record in.
     * @param merger       combines the aggregates of sessions a record merges.
     * @param materialized the store: its value serde is required unless the aggregate's type is the values'.
     * @return the aggregate per key and session.
     */
    <VA> KTable<Windowed<K>, VA> aggregate(Supplier<VA> initializer, Aggregator<? super K, ? super V, VA> aggregator,
        Merger<? super K, VA> merger, Materialized<K, VA> materialized);
}
