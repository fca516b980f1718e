package io.sluice.streams;

import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * A changelog stream read as a table: the latest value per key, a null value deleting it. Every table is kept in a
 * state store, which {@link #queryableStoreName()} names.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public interface KTable<K, V>
{
    /**
     * @return every change of the table as a stream (a deletion as a null value).
     */
    KStream<K, V> toStream();

    /**
     * @return the entries for which the predicate holds; an entry that stops matching is deleted downstream.
     */
    KTable<K, V> filter(BiPredicate<? super K, ? super V> predicate);

    /**
     * @return the table with each value mapped.
     */
    <V2> KTable<K, V2> mapValues(Function<? super V, ? extends V2> mapper, Materialized<K, V2> materialized);

    /**
     * @return the name of the store holding the table, for {@link TopologyTestDriver#keyValueStore} and queries.
     */
    String queryableStoreName();
}
