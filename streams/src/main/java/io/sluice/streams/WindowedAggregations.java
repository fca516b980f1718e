package io.sluice.streams;

import io.sluice.streams.internals.TopologyDef;

import java.util.Objects;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * What the windowed streams of fixed and sliding windows share: the grouped stream they aggregate, the emit
 * strategy, and {@code count} and {@code reduce} as aggregations; a subclass builds the aggregation's processor.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
abstract class WindowedAggregations<K, V> implements TimeWindowedKStream<K, V>
{
    final TopologyDef def;
    final String node;
    final Grouped<K, V> grouped;
    EmitStrategy strategy = EmitStrategy.ON_WINDOW_UPDATE;
    private final String prefix;

    /**
     * @param def     the topology being built.
     * @param node    the grouped stream's node.
     * @param grouped its serdes.
     * @param prefix  of the aggregation nodes' names, e.g. {@code KSTREAM-WINDOWED}.
     */
    WindowedAggregations(final TopologyDef def, final String node, final Grouped<K, V> grouped, final String prefix)
    {
        this.def = def;
        this.node = node;
        this.grouped = grouped;
        this.prefix = prefix;
    }

    public TimeWindowedKStream<K, V> emitStrategy(final EmitStrategy strategy)
    {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        return this;
    }

    public KTable<Windowed<K>, Long> count(final Materialized<K, Long> materialized)
    {
        final Materialized<K, Long> withSerde = materialized.orValueSerde(Serde.longs());
        return aggregate(prefix + "-COUNT", () -> 0L, (key, value, count) -> count + 1, withSerde);
    }

    public KTable<Windowed<K>, V> reduce(final BinaryOperator<V> reducer, final Materialized<K, V> materialized)
    {
        Objects.requireNonNull(reducer, "reducer");
        final Materialized<K, V> withSerde = materialized.orValueSerde(grouped.valueSerde());
        return aggregate(prefix + "-REDUCE", () -> null,
            (key, value, aggregate) -> null == aggregate ? value : reducer.apply(aggregate, value), withSerde);
    }

    public <VA> KTable<Windowed<K>, VA> aggregate(
        final Supplier<VA> initializer,
        final Aggregator<? super K, ? super V, VA> aggregator,
        final Materialized<K, VA> materialized)
    {
        return aggregate(prefix + "-AGGREGATE", initializer, aggregator, materialized);
    }

    /**
     * Add the aggregation's processor and store.
     *
     * @param name        prefix of the processor's name.
     * @param initializer of a new window's aggregate.
     * @param aggregator  adds a value to an aggregate.
     * @param materialized the store's name and serdes.
     * @param <VA>        aggregate type.
     * @return the windowed table.
     */
    abstract <VA> KTable<Windowed<K>, VA> aggregate(
        String name,
        Supplier<VA> initializer,
        Aggregator<? super K, ? super V, VA> aggregator,
        Materialized<K, VA> materialized);
}
