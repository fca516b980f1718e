package io.sluice.streams;

import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * A changelog stream read as a table: the latest value per key, a null value deleting it. Every table is kept in a
 * state store, which {@link #queryableStoreName()} names. Inside the topology a table's changes carry the key's old
 * value with the new one, so that a {@link #groupBy} aggregation can take the old value out.
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
     * Join with another table on the key (both partitioned alike): a key has a result while both tables have it;
     * an update of either side updates it, and the deletion of either side deletes it (a tombstone, sent only if
     * the key had a result).
     *
     * @param materialized the result's store: its value serde is required.
     * @return the joined table, kept in its own store.
     */
    <VO, VR> KTable<K, VR> join(KTable<K, VO> other, BiFunction<? super V, ? super VO, ? extends VR> joiner,
        Materialized<K, VR> materialized);

    /**
     * As {@link #join}, but a key this table has and the other lacks is joined with null: the result follows this
     * table's entries.
     */
    <VO, VR> KTable<K, VR> leftJoin(KTable<K, VO> other, BiFunction<? super V, ? super VO, ? extends VR> joiner,
        Materialized<K, VR> materialized);

    /**
     * As {@link #join}, but a key either table has gives a result, the missing side as null; the result is deleted
     * when both sides are.
     */
    <VO, VR> KTable<K, VR> outerJoin(KTable<K, VO> other, BiFunction<? super V, ? super VO, ? extends VR> joiner,
        Materialized<K, VR> materialized);

    /**
     * Re-key the table to aggregate it: each entry is mapped to a new key and value, and every change goes through
     * the repartition topic {@code <application id>-<name>-repartition} as the old mapped value taken out of its
     * group, then the new one added to its (possibly other) group. An entry mapped to a null key joins no group.
     *
     * @param selector the entry's group key and the value to aggregate.
     * @param grouped  the serdes of the mapped keys and values, and the repartition topic's name.
     * @return the grouped table.
     */
    <KR, VR> KGroupedTable<KR, VR> groupBy(BiFunction<? super K, ? super V, KeyValue<KR, VR>> selector,
        Grouped<KR, VR> grouped);

    /**
     * @return the name of the store holding the table, for {@link TopologyTestDriver#keyValueStore} and queries.
     */
    String queryableStoreName();
}
