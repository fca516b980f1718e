package io.sluice.streams;

import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * A table re-grouped by {@link KTable#groupBy}, to aggregate. Each change of the source table arrives as the old
 * value to take out of its group (the subtractor) and then the new value to add to its group (the adder): an entry
 * that moves to another group leaves the old one. Results are kept in a logged store and every update is emitted.
 *
 * @param <K> group key type.
 * @param <V> value type.
 */
public interface KGroupedTable<K, V>
{
    /**
     * @return the number of entries per group (a group that loses every entry stays at 0).
     */
    KTable<K, Long> count(Materialized<K, Long> materialized);

    /**
     * @param adder      combines the aggregate with an added value.
     * @param subtractor takes a value out of the aggregate.
     * @return per group, the values combined.
     */
    KTable<K, V> reduce(BinaryOperator<V> adder, BinaryOperator<V> subtractor, Materialized<K, V> materialized);

    /**
     * @param initializer  the aggregate of a new group.
     * @param adder        folds a value in.
     * @param subtractor   takes a value out.
     * @param materialized the store: its value serde is required unless the aggregate's type is the values'.
     * @return per group, the aggregate.
     */
    <VA> KTable<K, VA> aggregate(Supplier<VA> initializer, Aggregator<? super K, ? super V, VA> adder,
        Aggregator<? super K, ? super V, VA> subtractor, Materialized<K, VA> materialized);
}
