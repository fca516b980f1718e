package io.sluice.streams;

import io.sluice.streams.internals.ContextProcessor;
import io.sluice.streams.internals.StoreDef;
import io.sluice.streams.internals.TopologyDef;
import io.sluice.streams.processor.ProcessorContext;
import io.sluice.streams.processor.Record;
import io.sluice.streams.state.KeyValueStore;

import java.util.Objects;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * A table: the node its changes leave from, and the store holding it.
 */
final class KTableImpl<K, V> implements KTable<K, V>
{
    private final TopologyDef def;
    private final String node;
    private final String storeName;
    private final Serde<K> keySerde;
    private final Serde<V> valueSerde;

    KTableImpl(final TopologyDef def, final String node, final String storeName, final Serde<K> keySerde,
        final Serde<V> valueSerde)
    {
        this.def = def;
        this.node = node;
        this.storeName = storeName;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
    }

    public KStream<K, V> toStream()
    {
        final String name = def.newName("KTABLE-TOSTREAM");
        def.addProcessor(name, () -> new ContextProcessor<K, V>()
        {
            public void process(final Record<K, V> record)
            {
                context.forward(record);
            }
        }, node);
        return new KStreamImpl<>(def, name, keySerde, valueSerde, false);
    }

    public KTable<K, V> filter(final BiPredicate<? super K, ? super V> predicate)
    {
        Objects.requireNonNull(predicate, "predicate");
        return derive("KTABLE-FILTER", (key, value) -> predicate.test(key, value) ? value : null,
            Materialized.with(keySerde, valueSerde));
    }

    public <V2> KTable<K, V2> mapValues(final Function<? super V, ? extends V2> mapper,
        final Materialized<K, V2> materialized)
    {
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(materialized, "materialized");
        if (null == materialized.valueSerde())
        {
            throw new IllegalArgumentException("mapValues needs the new values' serde for its store: " +
                "Materialized.with(keySerde, valueSerde)");
        }
        return derive("KTABLE-MAPVALUES", (key, value) -> mapper.apply(value), materialized);
    }

    public String queryableStoreName()
    {
        return storeName;
    }

    /**
     * A table computed from this one's changes, kept in a store of its own: a deletion (or a value the function
     * turns into null) deletes the key there, and is forwarded only if the key was there.
     */
    private <V2> KTable<K, V2> derive(final String prefix, final java.util.function.BiFunction<K, V, V2> function,
        final Materialized<K, V2> materialized)
    {
        final String name = def.newName(prefix);
        final String derivedStore = null != materialized.storeName() ? materialized.storeName() :
            name + "-STATE-STORE";
        def.addProcessor(name, () -> new ContextProcessor<K, V>()
        {
            private KeyValueStore<K, V2> store;

            public void init(final ProcessorContext context)
            {
                super.init(context);
                store = context.stateStore(derivedStore);
            }

            public void process(final Record<K, V> record)
            {
                final V2 value = null == record.value() ? null : function.apply(record.key(), record.value());
                if (null == value)
                {
                    if (null != store.delete(record.key()))
                    {
                        context.forward(record.withValue(null));
                    }
                    return;
                }
                store.put(record.key(), value);
                context.forward(record.withValue(value));
            }
        }, node);
        final Serde<K> derivedKeySerde = null != materialized.keySerde() ? materialized.keySerde() : keySerde;
        def.addStore(new StoreDef(derivedStore, derivedKeySerde, materialized.valueSerde()), name);
        return new KTableImpl<>(def, name, derivedStore, derivedKeySerde, materialized.valueSerde());
    }
}
