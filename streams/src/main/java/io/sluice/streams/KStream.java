package io.sluice.streams;

import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * A stream of records: each is an independent event. Operations add nodes to the builder's topology and return the
 * stream they produce; nothing runs until the topology does.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public interface KStream<K, V>
{
    /**
     * @return the records for which the predicate holds.
     */
    KStream<K, V> filter(BiPredicate<? super K, ? super V> predicate);

    /**
     * @return the records for which the predicate does not hold.
     */
    KStream<K, V> filterNot(BiPredicate<? super K, ? super V> predicate);

    /**
     * A new key and value per record. A later grouping repartitions, the key having changed.
     */
    <K2, V2> KStream<K2, V2> map(BiFunction<? super K, ? super V, KeyValue<K2, V2>> mapper);

    /**
     * A new value per record; the key and so the partitioning stay.
     */
    <V2> KStream<K, V2> mapValues(Function<? super V, ? extends V2> mapper);

    /**
     * A new key per record. A later grouping repartitions.
     */
    <K2> KStream<K2, V> selectKey(BiFunction<? super K, ? super V, ? extends K2> mapper);

    /**
     * Zero or more records per record. A later grouping repartitions.
     */
    <K2, V2> KStream<K2, V2> flatMap(BiFunction<? super K, ? super V, ? extends Iterable<KeyValue<K2, V2>>> mapper);

    /**
     * Zero or more values per record, each with the record's key.
     */
    <V2> KStream<K, V2> flatMapValues(Function<? super V, ? extends Iterable<? extends V2>> mapper);

    /**
     * Call an action on each record and pass it on unchanged.
     */
    KStream<K, V> peek(BiConsumer<? super K, ? super V> action);

    /**
     * @return the records of both streams, each in its own order.
     */
    KStream<K, V> merge(KStream<K, V> other);

    /**
     * Route each record to the first branch whose predicate it matches.
     *
     * @param name prefixes the branches' names; null for a generated one.
     * @return the branches to add.
     */
    BranchedKStream<K, V> split(String name);

    /**
     * Write every record to a topic, with this stream's serdes (from its source or last grouping).
     *
     * @throws IllegalStateException if this stream's serdes are not known (after a map): use
     *                               {@link #to(String, Produced)}.
     */
    void to(String topic);

    /**
     * Write every record to a topic.
     */
    void to(String topic, Produced<K, V> produced);

    /**
     * Group by the current key, with this stream's serdes.
     */
    KGroupedStream<K, V> groupByKey();

    /**
     * Group by the current key. If the key was changed upstream (map, selectKey, flatMap), records first go through
     * a repartition topic so that each key is aggregated by one task.
     */
    KGroupedStream<K, V> groupByKey(Grouped<K, V> grouped);

    /**
     * Group by a new key: always through a repartition topic.
     */
    <K2> KGroupedStream<K2, V> groupBy(BiFunction<? super K, ? super V, ? extends K2> selector, Grouped<K2, V> grouped);

    /**
     * Join each record with the table's current value of its key: dropped when the table has none. The stream and
     * the table must be partitioned alike (same key, same partition count).
     */
    <VT, VR> KStream<K, VR> join(KTable<K, VT> table, BiFunction<? super V, ? super VT, ? extends VR> joiner);

    /**
     * Join with another stream: each pair of records with the same key whose event times differ by at most the
     * windows' time difference, whichever arrives first, gives one result with the later of the two times. Both
     * streams must be partitioned alike; each side's records are kept in a logged store for the other's.
     */
    <VO, VR> KStream<K, VR> join(KStream<K, VO> other, BiFunction<? super V, ? super VO, ? extends VR> joiner,
        JoinWindows windows, StreamJoined<K, V, VO> serdes);

    /**
     * As {@link #join(KStream, BiFunction, JoinWindows, StreamJoined)}, but a record of this stream that joins no
     * record of the other is emitted once, joined with null, when its window closes (stream time past its time plus
     * the difference plus grace), not before: a match arriving in time leaves no null result behind.
     */
    <VO, VR> KStream<K, VR> leftJoin(KStream<K, VO> other, BiFunction<? super V, ? super VO, ? extends VR> joiner,
        JoinWindows windows, StreamJoined<K, V, VO> serdes);

    /**
     * As {@link #leftJoin(KStream, BiFunction, JoinWindows, StreamJoined)}, for the records of both streams: a
     * record of the other stream that joins nothing is emitted with null for this one when its window closes.
     */
    <VO, VR> KStream<K, VR> outerJoin(KStream<K, VO> other, BiFunction<? super V, ? super VO, ? extends VR> joiner,
        JoinWindows windows, StreamJoined<K, V, VO> serdes);

    /**
     * As {@link #join(KTable, BiFunction)}, but a record whose key the table lacks is joined with null.
     */
    <VT, VR> KStream<K, VR> leftJoin(KTable<K, VT> table, BiFunction<? super V, ? super VT, ? extends VR> joiner);
}
