package io.sluice.streams;

import io.sluice.streams.internals.Change;
import io.sluice.streams.internals.ChangeSerde;
import io.sluice.streams.internals.ContextProcessor;
import io.sluice.streams.internals.StoreDef;
import io.sluice.streams.internals.TopologyDef;
import io.sluice.streams.processor.ProcessorContext;
import io.sluice.streams.processor.Record;
import io.sluice.streams.state.KeyValueStore;

import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * A table: the node its changes leave from (as {@link Change}s: new and old value), and the store holding it.
 */
final class KTableImpl<K, V> implements KTable<K, V>
{
    /**
     * Which keys a table-table join gives a result for.
     */
    private enum JoinKind
    {
        INNER("KTABLE-JOIN"), LEFT("KTABLE-LEFTJOIN"), OUTER("KTABLE-OUTERJOIN");

        final String prefix;

        JoinKind(final String prefix)
        {
            this.prefix = prefix;
        }

        boolean hasResult(final Object left, final Object right)
        {
            return switch (this)
            {
                case INNER -> null != left && null != right;
                case LEFT -> null != left;
                case OUTER -> null != left || null != right;
            };
        }
    }

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
        def.addProcessor(name, () -> new ContextProcessor<K, Change<V>>()
        {
            public void process(final Record<K, Change<V>> record)
            {
                context.forward(record.withValue(record.value().newValue()));
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

    public <VO, VR> KTable<K, VR> join(final KTable<K, VO> other,
        final BiFunction<? super V, ? super VO, ? extends VR> joiner, final Materialized<K, VR> materialized)
    {
        return joinTable(other, joiner, materialized, JoinKind.INNER);
    }

    public <VO, VR> KTable<K, VR> leftJoin(final KTable<K, VO> other,
        final BiFunction<? super V, ? super VO, ? extends VR> joiner, final Materialized<K, VR> materialized)
    {
        return joinTable(other, joiner, materialized, JoinKind.LEFT);
    }

    public <VO, VR> KTable<K, VR> outerJoin(final KTable<K, VO> other,
        final BiFunction<? super V, ? super VO, ? extends VR> joiner, final Materialized<K, VR> materialized)
    {
        return joinTable(other, joiner, materialized, JoinKind.OUTER);
    }

    public <KR, VR> KGroupedTable<KR, VR> groupBy(final BiFunction<? super K, ? super V, KeyValue<KR, VR>> selector,
        final Grouped<KR, VR> grouped)
    {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(grouped, "grouped");
        final String name = def.newName("KTABLE-SELECT");
        def.addProcessor(name, () -> new ContextProcessor<K, Change<V>>()
        {
            public void process(final Record<K, Change<V>> record)
            {
                // The old value leaves its group first, then the new one joins its group: Kafka Streams' order.
                if (null != record.value().oldValue())
                {
                    final KeyValue<KR, VR> old = selector.apply(record.key(), record.value().oldValue());
                    forward(old, new Change<>(null, old.value()), record.timestamp());
                }
                if (null != record.value().newValue())
                {
                    final KeyValue<KR, VR> mapped = selector.apply(record.key(), record.value().newValue());
                    forward(mapped, new Change<>(mapped.value(), null), record.timestamp());
                }
            }

            private void forward(final KeyValue<KR, VR> mapped, final Change<VR> change, final long timestamp)
            {
                if (null != mapped.key() && null != mapped.value())
                {
                    context.forward(new Record<>(mapped.key(), change, timestamp)); // no group for a null key
                }
            }
        }, node);
        final String base = null != grouped.name() ? grouped.name() : def.newName("KTABLE-AGGREGATE");
        final String topic = base + "-repartition";
        final ChangeSerde<VR> changeSerde = new ChangeSerde<>(grouped.valueSerde());
        def.addSink(def.newName("KTABLE-SINK"), topic, true, Produced.with(grouped.keySerde(), changeSerde), name);
        final String source = def.newName("KTABLE-SOURCE");
        def.addSource(source, List.of(topic), true, Consumed.with(grouped.keySerde(), changeSerde));
        return new KGroupedTableImpl<>(def, source, grouped);
    }

    public String queryableStoreName()
    {
        return storeName;
    }

    /**
     * A primary-key join of two tables in one task (their stores join the two in one sub-topology): each side's
     * processor recomputes the key's result from its new value and the other table's store, and the result is kept
     * in a store of its own; a key without a result is deleted there, and forwarded as a tombstone only if it had
     * one.
     */
    private <VO, VR> KTable<K, VR> joinTable(final KTable<K, VO> other,
        final BiFunction<? super V, ? super VO, ? extends VR> joiner, final Materialized<K, VR> materialized,
        final JoinKind kind)
    {
        final KTableImpl<K, VO> that = (KTableImpl<K, VO>)Objects.requireNonNull(other, "other");
        Objects.requireNonNull(joiner, "joiner");
        Objects.requireNonNull(materialized, "materialized");
        if (null == materialized.valueSerde())
        {
            throw new IllegalArgumentException("a table join needs the results' serde for its store: " +
                "Materialized.with(keySerde, resultSerde) or .withValueSerde(..)");
        }
        final String name = def.newName(kind.prefix);
        final String joinStore = null != materialized.storeName() ? materialized.storeName() : name + "-STATE-STORE";
        final String thisSide = name + "-THIS";
        final String otherSide = name + "-OTHER";
        final String thisStore = storeName;
        final String otherStore = that.storeName;
        def.addProcessor(thisSide, () -> new TableJoinSide<K, V, VO, VR>(joinStore, otherStore, kind, true, joiner),
            node);
        def.addProcessor(otherSide, () -> new TableJoinSide<K, VO, V, VR>(joinStore, thisStore, kind, false,
            (o, t) -> joiner.apply(t, o)), that.node);
        def.connect(thisStore, otherSide);
        def.connect(otherStore, thisSide);
        final Serde<K> resultKeySerde = null != materialized.keySerde() ? materialized.keySerde() : keySerde;
        def.addStore(new StoreDef(joinStore, resultKeySerde, materialized.valueSerde()), thisSide, otherSide);
        def.addProcessor(name, () -> new ContextProcessor<K, Change<VR>>()
        {
            public void process(final Record<K, Change<VR>> record)
            {
                context.forward(record);
            }
        }, thisSide, otherSide);
        return new KTableImpl<>(def, name, joinStore, resultKeySerde, materialized.valueSerde());
    }

    /**
     * One side of a table-table join: a change of this side's table updates the key's result.
     */
    private static final class TableJoinSide<K, V, VO, VR> extends ContextProcessor<K, Change<V>>
    {
        private final String joinStore;
        private final String otherStore;
        private final JoinKind kind;
        private final boolean leftSide;
        private final BiFunction<? super V, ? super VO, ? extends VR> joiner;
        private KeyValueStore<K, VR> results;
        private KeyValueStore<K, VO> others;

        /**
         * @param leftSide whether this side is the joining table (the other is the joined one).
         * @param joiner   this side's value first.
         */
        TableJoinSide(final String joinStore, final String otherStore, final JoinKind kind, final boolean leftSide,
            final BiFunction<? super V, ? super VO, ? extends VR> joiner)
        {
            this.joinStore = joinStore;
            this.otherStore = otherStore;
            this.kind = kind;
            this.leftSide = leftSide;
            this.joiner = joiner;
        }

        public void init(final ProcessorContext context)
        {
            super.init(context);
            results = context.stateStore(joinStore);
            others = context.stateStore(otherStore);
        }

        public void process(final Record<K, Change<V>> record)
        {
            if (null == record.key())
            {
                return;
            }
            final V own = record.value().newValue();
            final VO them = others.get(record.key());
            final boolean hasResult = leftSide ? kind.hasResult(own, them) : kind.hasResult(them, own);
            final VR result = hasResult ? joiner.apply(own, them) : null;
            final VR old = results.get(record.key());
            if (null == result && null == old)
            {
                return; // no result before or now: nothing to delete downstream
            }
            results.put(record.key(), result);
            context.forward(record.withValue(new Change<>(result, old)));
        }
    }

    /**
     * A table computed from this one's changes, kept in a store of its own: a deletion (or a value the function
     * turns into null) deletes the key there, and is forwarded only if the key was there.
     */
    private <V2> KTable<K, V2> derive(final String prefix, final BiFunction<K, V, V2> function,
        final Materialized<K, V2> materialized)
    {
        final String name = def.newName(prefix);
        final String derivedStore = null != materialized.storeName() ? materialized.storeName() :
            name + "-STATE-STORE";
        def.addProcessor(name, () -> new ContextProcessor<K, Change<V>>()
        {
            private KeyValueStore<K, V2> store;

            public void init(final ProcessorContext context)
            {
                super.init(context);
                store = context.stateStore(derivedStore);
            }

            public void process(final Record<K, Change<V>> record)
            {
                final V newValue = record.value().newValue();
                final V2 value = null == newValue ? null : function.apply(record.key(), newValue);
                if (null == value)
                {
                    final V2 old = store.delete(record.key());
                    if (null != old)
                    {
                        context.forward(record.withValue(new Change<>(null, old)));
                    }
                    return;
                }
                final V2 old = store.get(record.key());
                store.put(record.key(), value);
                context.forward(record.withValue(new Change<>(value, old)));
            }
        }, node);
        final Serde<K> derivedKeySerde = null != materialized.keySerde() ? materialized.keySerde() : keySerde;
        def.addStore(new StoreDef(derivedStore, derivedKeySerde, materialized.valueSerde()), name);
        return new KTableImpl<>(def, name, derivedStore, derivedKeySerde, materialized.valueSerde());
    }
}
