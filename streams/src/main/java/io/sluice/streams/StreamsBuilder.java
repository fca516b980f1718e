package io.sluice.streams;

import io.sluice.streams.internals.Change;
import io.sluice.streams.internals.ContextProcessor;
import io.sluice.streams.internals.StoreDef;
import io.sluice.streams.internals.TopologyDef;
import io.sluice.streams.processor.Record;
import io.sluice.streams.state.KeyValueStore;

import java.util.List;
import java.util.Objects;

/**
 * Builds a topology with the DSL: sources ({@link #stream}, {@link #table}), then operations on the streams and
 * tables they return, then {@link #build()}.
 */
public final class StreamsBuilder
{
    private final TopologyDef def = new TopologyDef();

    /**
     * @return a stream of the topic's records.
     */
    public <K, V> KStream<K, V> stream(final String topic, final Consumed<K, V> consumed)
    {
        return stream(List.of(topic), consumed);
    }

    /**
     * @return one stream of every record of these topics (read with the same serdes).
     */
    public <K, V> KStream<K, V> stream(final List<String> topics, final Consumed<K, V> consumed)
    {
        Objects.requireNonNull(consumed, "consumed");
        if (topics.isEmpty())
        {
            throw new IllegalArgumentException("a stream needs at least one topic");
        }
        final String name = def.newName("KSTREAM-SOURCE");
        def.addSource(name, topics, false, consumed);
        return new KStreamImpl<>(def, name, consumed.keySerde(), consumed.valueSerde(), false);
    }

    /**
     * @return the topic read as a table, kept in a store (named by {@code materialized}, or generated).
     */
    public <K, V> KTable<K, V> table(final String topic, final Consumed<K, V> consumed,
        final Materialized<K, V> materialized)
    {
        Objects.requireNonNull(consumed, "consumed");
        final String source = def.newName("KTABLE-SOURCE");
        def.addSource(source, List.of(topic), false, consumed);
        final String storeName = null != materialized && null != materialized.storeName() ?
            materialized.storeName() : topic + "-STATE-STORE-" + def.newName("").substring(1);
        final String node = def.newName("KTABLE-MATERIALIZE");
        def.addProcessor(node, () -> new ContextProcessor<K, V>()
        {
            private KeyValueStore<K, V> store;

            public void init(final io.sluice.streams.processor.ProcessorContext context)
            {
                super.init(context);
                store = context.stateStore(storeName);
            }

            public void process(final Record<K, V> record)
            {
                if (null == record.key())
                {
                    return; // a table has no entry without a key
                }
                final V old = store.get(record.key());
                store.put(record.key(), record.value());
                context.forward(record.withValue(new Change<>(record.value(), old)));
            }
        }, source);
        def.addStore(new StoreDef(storeName, serde(materialized, consumed.keySerde(), true),
            serde(materialized, consumed.valueSerde(), false)), node);
        return new KTableImpl<>(def, node, storeName, consumed.keySerde(), consumed.valueSerde());
    }

    /**
     * @return a stream of the topic's records, as {@link #table(String, Consumed, Materialized)} with a generated
     * store name.
     */
    public <K, V> KTable<K, V> table(final String topic, final Consumed<K, V> consumed)
    {
        return table(topic, consumed, Materialized.defaults());
    }

    /**
     * @return the topology; build once, after the last operation.
     */
    public Topology build()
    {
        return def.build();
    }

    @SuppressWarnings("unchecked")
    private static <T> Serde<T> serde(final Materialized<?, ?> materialized, final Serde<T> fallback, final boolean key)
    {
        if (null == materialized)
        {
            return fallback;
        }
        final Serde<T> given = (Serde<T>)(key ? materialized.keySerde() : materialized.valueSerde());
        return null == given ? fallback : given;
    }
}
