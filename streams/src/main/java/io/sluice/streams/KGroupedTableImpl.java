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
 * A grouped table: the source of its repartition topic, whose records are {@link Change}s (an old value to take out
 * or a new one to add), and the grouping's serdes.
 */
final class KGroupedTableImpl<K, V> implements KGroupedTable<K, V>
{
    private final TopologyDef def;
    private final String node;
    private final Grouped<K, V> grouped;

    KGroupedTableImpl(final TopologyDef def, final String node, final Grouped<K, V> grouped)
    {
        this.def = def;
        this.node = node;
        this.grouped = grouped;
    }

    public KTable<K, Long> count(final Materialized<K, Long> materialized)
    {
        final Materialized<K, Long> withSerde = materialized.orValueSerde(Serde.longs());
        return aggregate("KTABLE-COUNT", () -> 0L, (key, value, count) -> count + 1,
            (key, value, count) -> count - 1, withSerde);
    }

    public KTable<K, V> reduce(final BinaryOperator<V> adder, final BinaryOperator<V> subtractor,
        final Materialized<K, V> materialized)
    {
        Objects.requireNonNull(adder, "adder");
        Objects.requireNonNull(subtractor, "subtractor");
        final Materialized<K, V> withSerde = materialized.orValueSerde(grouped.valueSerde());
        return aggregate("KTABLE-REDUCE", () -> null,
            (key, value, aggregate) -> null == aggregate ? value : adder.apply(aggregate, value),
            (key, value, aggregate) -> subtractor.apply(aggregate, value), withSerde);
    }

    public <VA> KTable<K, VA> aggregate(
        final Supplier<VA> initializer,
        final Aggregator<? super K, ? super V, VA> adder,
        final Aggregator<? super K, ? super V, VA> subtractor,
        final Materialized<K, VA> materialized)
    {
        return aggregate("KTABLE-AGGREGATE", initializer, adder, subtractor, materialized);
    }

    private <VA> KTable<K, VA> aggregate(
        final String prefix,
        final Supplier<VA> initializer,
        final Aggregator<? super K, ? super V, VA> adder,
        final Aggregator<? super K, ? super V, VA> subtractor,
        final Materialized<K, VA> materialized)
    {
        Objects.requireNonNull(subtractor, "subtractor");
        final String name = def.newName(prefix);
        final String storeName = KGroupedStreamImpl.storeName(name, initializer, adder, materialized);
        def.addProcessor(name, () -> new ContextProcessor<K, Change<V>>()
        {
            private KeyValueStore<K, VA> store;

            public void init(final ProcessorContext context)
            {
                super.init(context);
                store = context.stateStore(storeName);
            }

            public void process(final Record<K, Change<V>> record)
            {
                if (null == record.key() || null == record.value())
                {
                    return;
                }
                final VA old = store.get(record.key());
                VA aggregate = old;
                if (null != record.value().oldValue() && null != aggregate)
                {
                    aggregate = subtractor.apply(record.key(), record.value().oldValue(), aggregate);
                }
                if (null != record.value().newValue())
                {
                    aggregate = adder.apply(record.key(), record.value().newValue(),
                        null == aggregate ? initializer.get() : aggregate);
                }
                store.put(record.key(), aggregate); // a null aggregate (a reduce that took all out) deletes
                context.forward(record.withValue(new Change<>(aggregate, old)));
            }
        }, node);
        final Serde<K> keySerde = null != materialized.keySerde() ? materialized.keySerde() : grouped.keySerde();
        def.addStore(new StoreDef(storeName, keySerde, materialized.valueSerde()), name);
        return new KTableImpl<>(def, name, storeName, keySerde, materialized.valueSerde());
    }
}
