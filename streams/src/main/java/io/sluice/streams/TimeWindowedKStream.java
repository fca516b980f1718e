package io.sluice.streams;

import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * A grouped stream aggregated per key and time window. Results are keyed by {@link Windowed}; a window's entry
 * leaves the store once the window closes (stream time past its end plus grace), so the store holds only open
 * windows.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public interface TimeWindowedKStream<K, V>
{
    /**
     * @param strategy every update (default) or the final result per window.
     * @return this.
     */
    TimeWindowedKStream<K, V> emitStrategy(EmitStrategy strategy);

    /**
     * @return records per key and window.
     */
    KTable<Windowed<K>, Long> count(Materialized<K, Long> materialized);

    /**
     * @return values per key and window, combined in order.
     */
    KTable<Windowed<K>, V> reduce(BinaryOperator<V> reducer, Materialized<K, V> materialized);

    /**
     * @return the aggregate per key and window; {@code materialized} must give the aggregate's serde.
     */
    <VA> KTable<Windowed<K>, VA> aggregate(Supplier<VA> initializer, Aggregator<? super K, ? super V, VA> aggregator,
        Materialized<K, VA> materialized);
}
