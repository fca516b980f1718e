package io.sluice.streams;

import io.sluice.streams.internals.Change;
import io.sluice.streams.internals.ContextProcessor;
import io.sluice.streams.internals.StoreDef;
import io.sluice.streams.internals.TopologyDef;
import io.sluice.streams.processor.ProcessorContext;
import io.sluice.streams.processor.Record;
import io.sluice.streams.state.KeyValueStore;

import java.util.Objects;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * A grouped stream: the node whose records are aggregated (after any repartition) and the grouping's serdes.
 */
final class KGroupedStreamImpl<K, V> implements KGroupedStream<K, V>
{
    private final TopologyDef def;
    private final String node;
    private final Grouped<K, V> grouped;

    KGroupedStreamImpl(final TopologyDef def, final String node, final Grouped<K, V> grouped)
    {
        this.def = def;
        this.node = node;
        this.grouped = grouped;
    }

    public KTable<K, Long> count()
    {
        return count(Materialized.defaults());
    }

    public KTable<K, Long> count(final Materialized<K, Long> materialized)
    {
        final Materialized<K, Long> withSerde = materialized.orValueSerde(Serde.longs());
        return aggregate("KSTREAM-COUNT", () -> 0L, (key, value, count) -> count + 1, withSerde);
    }

    public KTable<K, V> reduce(final BinaryOperator<V> reducer)
    {
        return reduce(reducer, Materialized.defaults());
    }

    public KTable<K, V> reduce(final BinaryOperator<V> reducer, final Materialized<K, V> materialized)
    {
        Objects.requireNonNull(reducer, "reducer");
        final Materialized<K, V> withSerde = materialized.orValueSerde(grouped.valueSerde());
        return aggregate("KSTREAM-REDUCE", () -> null,
            (key, value, aggregate) -> null == aggregate ? value : reducer.apply(aggregate, value), withSerde);
    }

    public <VA> KTable<K, VA> aggregate(
        final Supplier<VA> initializer,
        final Aggregator<? super K, ? super V, VA> aggregator,
        final Materialized<K, VA> materialized)
    {
        return aggregate("KSTREAM-AGGREGATE", initializer, aggregator, materialized);
    }

    /**
     * Check an aggregation's arguments.
     *
     * @return the name of its store: the one given, or the processor's name and {@code -STATE-STORE}.
     */
    static String storeName(final String processor, final Supplier<?> initializer, final Aggregator<?, ?, ?> aggregator,
        final Materialized<?, ?> materialized)
    {
        Objects.requireNonNull(initializer, "initializer");
        Objects.requireNonNull(aggregator, "aggregator");
        Objects.requireNonNull(materialized, "materialized");
        if (null == materialized.valueSerde())
        {
            throw new IllegalArgumentException("aggregate needs the aggregate's serde for its store and changelog: " +
                "Materialized.with(keySerde, aggregateSerde) or .withValueSerde(..)");
        }
        return null != materialized.storeName() ? materialized.storeName() : processor + "-STATE-STORE";
    }

    public TimeWindowedKStream<K, V> windowedBy(final TimeWindows windows)
    {
        return new TimeWindowedKStreamImpl<>(def, node, grouped, windows);
    }

    public TimeWindowedKStream<K, V> windowedBy(final SlidingWindows windows)
    {
        return new SlidingWindowedKStreamImpl<>(def, node, grouped, windows);
    }

    public SessionWindowedKStream<K, V> windowedBy(final SessionWindows windows)
    {
        return new SessionWindowedKStreamImpl<>(def, node, grouped, windows);
    }

    private <VA> KTable<K, VA> aggregate(
        final String prefix,
        final Supplier<VA> initializer,
        final Aggregator<? super K, ? super V, VA> aggregator,
        final Materialized<K, VA> materialized)
    {
        final String name = def.newName(prefix);
        final String storeName = storeName(name, initializer, aggregator, materialized);
        def.addProcessor(name, () -> new ContextProcessor<K, V>()
        {
            private KeyValueStore<K, VA> store;

            public void init(final ProcessorContext context)
            {
                super.init(context);
                store = context.stateStore(storeName);
            }

            public void process(final Record<K, V> record)
            {
                if (null == record.key() || null == record.value())
                {
                    return; // Kafka Streams drops these too: no group, or nothing to add
                }
                final VA old = store.get(record.key());
                final VA updated = aggregator.apply(record.key(), record.value(), null == old ? initializer.get() : old);
                store.put(record.key(), updated);
                context.forward(record.withValue(new Change<>(updated, old)));
            }
        }, node);
        final Serde<K> keySerde = null != materialized.keySerde() ? materialized.keySerde() : grouped.keySerde();
        def.addStore(new StoreDef(storeName, keySerde, materialized.valueSerde()), name);
        return new KTableImpl<>(def, name, storeName, keySerde, materialized.valueSerde());
    }
}
