package io.sluice.streams;

import io.sluice.streams.internals.ContextProcessor;
import io.sluice.streams.internals.JoinBuffer;
import io.sluice.streams.internals.StoreDef;
import io.sluice.streams.internals.TimestampedValuesSerde;
import io.sluice.streams.internals.TopologyDef;
import io.sluice.streams.processor.Record;
import io.sluice.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * A stream: the node its records leave from, the serdes known for them (null after a map), and whether its key
 * changed since the source (a grouping then repartitions).
 */
final class KStreamImpl<K, V> implements KStream<K, V>
{
    private final TopologyDef def;
    final String node;
    final Serde<K> keySerde;
    final Serde<V> valueSerde;
    private final boolean keyChanged;

    KStreamImpl(final TopologyDef def, final String node, final Serde<K> keySerde, final Serde<V> valueSerde,
        final boolean keyChanged)
    {
        this.def = def;
        this.node = node;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
        this.keyChanged = keyChanged;
    }

    public KStream<K, V> filter(final BiPredicate<? super K, ? super V> predicate)
    {
        Objects.requireNonNull(predicate, "predicate");
        return same(add("KSTREAM-FILTER", (context, record) ->
        {
            if (predicate.test(record.key(), record.value()))
            {
                context.forward(record);
            }
        }));
    }

    public KStream<K, V> filterNot(final BiPredicate<? super K, ? super V> predicate)
    {
        Objects.requireNonNull(predicate, "predicate");
        return filter((k, v) -> !predicate.test(k, v));
    }

    public <K2, V2> KStream<K2, V2> map(final BiFunction<? super K, ? super V, KeyValue<K2, V2>> mapper)
    {
        Objects.requireNonNull(mapper, "mapper");
        final String name = add("KSTREAM-MAP", (context, record) ->
        {
            final KeyValue<K2, V2> mapped = mapper.apply(record.key(), record.value());
            context.forward(new Record<>(mapped.key(), mapped.value(), record.timestamp()));
        });
        return new KStreamImpl<>(def, name, null, null, true);
    }

    public <V2> KStream<K, V2> mapValues(final Function<? super V, ? extends V2> mapper)
    {
        Objects.requireNonNull(mapper, "mapper");
        final String name = add("KSTREAM-MAPVALUES",
            (context, record) -> context.forward(record.withValue(mapper.apply(record.value()))));
        return new KStreamImpl<>(def, name, keySerde, null, keyChanged);
    }

    public <K2> KStream<K2, V> selectKey(final BiFunction<? super K, ? super V, ? extends K2> mapper)
    {
        Objects.requireNonNull(mapper, "mapper");
        final String name = add("KSTREAM-KEY-SELECT",
            (context, record) -> context.forward(record.withKey(mapper.apply(record.key(), record.value()))));
        return new KStreamImpl<>(def, name, null, valueSerde, true);
    }

    public <K2, V2> KStream<K2, V2> flatMap(
        final BiFunction<? super K, ? super V, ? extends Iterable<KeyValue<K2, V2>>> mapper)
    {
        Objects.requireNonNull(mapper, "mapper");
        final String name = add("KSTREAM-FLATMAP", (context, record) ->
        {
            for (final KeyValue<K2, V2> mapped : mapper.apply(record.key(), record.value()))
            {
                context.forward(new Record<>(mapped.key(), mapped.value(), record.timestamp()));
            }
        });
        return new KStreamImpl<>(def, name, null, null, true);
    }

    public <V2> KStream<K, V2> flatMapValues(final Function<? super V, ? extends Iterable<? extends V2>> mapper)
    {
        Objects.requireNonNull(mapper, "mapper");
        final String name = add("KSTREAM-FLATMAPVALUES", (context, record) ->
        {
            for (final V2 value : mapper.apply(record.value()))
            {
                context.forward(record.withValue(value));
            }
        });
        return new KStreamImpl<>(def, name, keySerde, null, keyChanged);
    }

    public KStream<K, V> peek(final BiConsumer<? super K, ? super V> action)
    {
        Objects.requireNonNull(action, "action");
        return same(add("KSTREAM-PEEK", (context, record) ->
        {
            action.accept(record.key(), record.value());
            context.forward(record);
        }));
    }

    public KStream<K, V> merge(final KStream<K, V> other)
    {
        final KStreamImpl<K, V> that = (KStreamImpl<K, V>)Objects.requireNonNull(other, "other");
        final String name = def.newName("KSTREAM-MERGE");
        def.addProcessor(name, () -> new ContextProcessor<K, V>()
        {
            public void process(final Record<K, V> record)
            {
                context.forward(record);
            }
        }, node, that.node);
        return new KStreamImpl<>(def, name, null == keySerde ? that.keySerde : keySerde,
            null == valueSerde ? that.valueSerde : valueSerde, keyChanged || that.keyChanged);
    }

    public BranchedKStream<K, V> split(final String name)
    {
        return new Branches(null == name ? def.newName("KSTREAM-SPLIT") : name);
    }

    public void to(final String topic)
    {
        if (null == keySerde || null == valueSerde)
        {
            throw new IllegalStateException("the serdes of the stream written to " + topic + " are not known (it " +
                "was mapped): use to(topic, Produced.with(keySerde, valueSerde))");
        }
        to(topic, Produced.with(keySerde, valueSerde));
    }

    public void to(final String topic, final Produced<K, V> produced)
    {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(produced, "produced");
        def.addSink(def.newName("KSTREAM-SINK"), topic, false, produced, node);
    }

    public KGroupedStream<K, V> groupByKey()
    {
        if (null == keySerde || null == valueSerde)
        {
            throw new IllegalStateException("the serdes of the grouped stream are not known (it was mapped): use " +
                "groupByKey(Grouped.with(keySerde, valueSerde))");
        }
        return groupByKey(Grouped.with(keySerde, valueSerde));
    }

    public KGroupedStream<K, V> groupByKey(final Grouped<K, V> grouped)
    {
        Objects.requireNonNull(grouped, "grouped");
        if (!keyChanged)
        {
            return new KGroupedStreamImpl<>(def, node, grouped);
        }
        // The key changed: through a repartition topic, so that each key is aggregated by the task of its partition.
        final String base = null != grouped.name() ? grouped.name() : def.newName("KSTREAM-AGGREGATE");
        final String topic = base + "-repartition";
        final String sink = def.newName("KSTREAM-SINK");
        def.addProcessor(sink + "-FILTER", () -> new ContextProcessor<K, V>()
        {
            public void process(final Record<K, V> record)
            {
                if (null != record.key())
                {
                    context.forward(record); // a null key cannot be grouped: dropped before the topic
                }
            }
        }, node);
        def.addSink(sink, topic, true, Produced.with(grouped.keySerde(), grouped.valueSerde()), sink + "-FILTER");
        final String source = def.newName("KSTREAM-SOURCE");
        def.addSource(source, List.of(topic), true, Consumed.with(grouped.keySerde(), grouped.valueSerde()));
        return new KGroupedStreamImpl<>(def, source, grouped);
    }

    public <K2> KGroupedStream<K2, V> groupBy(
        final BiFunction<? super K, ? super V, ? extends K2> selector, final Grouped<K2, V> grouped)
    {
        final KStreamImpl<K2, V> rekeyed = (KStreamImpl<K2, V>)selectKey(selector);
        return rekeyed.groupByKey(grouped);
    }

    public <VT, VR> KStream<K, VR> join(
        final KTable<K, VT> table, final BiFunction<? super V, ? super VT, ? extends VR> joiner)
    {
        return joinTable(table, joiner, false);
    }

    public <VT, VR> KStream<K, VR> leftJoin(
        final KTable<K, VT> table, final BiFunction<? super V, ? super VT, ? extends VR> joiner)
    {
        return joinTable(table, joiner, true);
    }

    public <VO, VR> KStream<K, VR> join(
        final KStream<K, VO> other,
        final BiFunction<? super V, ? super VO, ? extends VR> joiner,
        final JoinWindows windows,
        final StreamJoined<K, V, VO> serdes)
    {
        return joinStream(other, joiner, windows, serdes, StreamJoinKind.INNER);
    }

    public <VO, VR> KStream<K, VR> leftJoin(
        final KStream<K, VO> other,
        final BiFunction<? super V, ? super VO, ? extends VR> joiner,
        final JoinWindows windows,
        final StreamJoined<K, V, VO> serdes)
    {
        return joinStream(other, joiner, windows, serdes, StreamJoinKind.LEFT);
    }

    public <VO, VR> KStream<K, VR> outerJoin(
        final KStream<K, VO> other,
        final BiFunction<? super V, ? super VO, ? extends VR> joiner,
        final JoinWindows windows,
        final StreamJoined<K, V, VO> serdes)
    {
        return joinStream(other, joiner, windows, serdes, StreamJoinKind.OUTER);
    }

    /**
     * Which records of a stream-stream join are emitted with null when they join nothing.
     */
    private enum StreamJoinKind
    {
        INNER("KSTREAM-JOIN", false, false),
        LEFT("KSTREAM-LEFTJOIN", true, false),
        OUTER("KSTREAM-OUTERJOIN", true, true);

        final String prefix;
        final boolean thisUnjoined;
        final boolean otherUnjoined;

        StreamJoinKind(final String prefix, final boolean thisUnjoined, final boolean otherUnjoined)
        {
            this.prefix = prefix;
            this.thisUnjoined = thisUnjoined;
            this.otherUnjoined = otherUnjoined;
        }
    }

    /**
     * A record of one side of a stream-stream join, on its way to the join processor.
     *
     * @param thisSide whether it comes from the joining stream (else from the joined one).
     * @param value    the record's value.
     */
    private record Sided(boolean thisSide, Object value)
    {
    }

    private <VO, VR> KStream<K, VR> joinStream(
        final KStream<K, VO> other,
        final BiFunction<? super V, ? super VO, ? extends VR> joiner,
        final JoinWindows windows,
        final StreamJoined<K, V, VO> serdes,
        final StreamJoinKind kind)
    {
        final KStreamImpl<K, VO> that = (KStreamImpl<K, VO>)Objects.requireNonNull(other, "other");
        Objects.requireNonNull(joiner, "joiner");
        Objects.requireNonNull(windows, "windows");
        Objects.requireNonNull(serdes, "serdes");
        if (keyChanged || that.keyChanged)
        {
            throw new IllegalStateException("a joined stream's key changed since its source: the two are not " +
                "partitioned alike; write the re-keyed stream to a topic and join a stream of that topic");
        }
        final String name = def.newName(kind.prefix);
        final StreamJoinStores stores = new StreamJoinStores(name + "-THIS-STORE", name + "-OTHER-STORE",
            kind.thisUnjoined ? name + "-THIS-UNJOINED-STORE" : null,
            kind.otherUnjoined ? name + "-OTHER-UNJOINED-STORE" : null);
        final String thisSide = name + "-THIS";
        final String otherSide = name + "-OTHER";
        def.addProcessor(thisSide, () -> new ContextProcessor<K, V>()
        {
            public void process(final Record<K, V> record)
            {
                context.forward(record.withValue(new Sided(true, record.value())));
            }
        }, node);
        def.addProcessor(otherSide, () -> new ContextProcessor<K, VO>()
        {
            public void process(final Record<K, VO> record)
            {
                context.forward(record.withValue(new Sided(false, record.value())));
            }
        }, that.node);
        def.addProcessor(name, () -> new StreamJoinProcessor<K, V, VO, VR>(stores, windows, joiner),
            thisSide, otherSide);
        final TimestampedValuesSerde<V> thisSerde = new TimestampedValuesSerde<>(serdes.valueSerde());
        final TimestampedValuesSerde<VO> otherSerde = new TimestampedValuesSerde<>(serdes.otherValueSerde());
        def.addStore(new StoreDef(stores.thisStore(), serdes.keySerde(), thisSerde), name);
        def.addStore(new StoreDef(stores.otherStore(), serdes.keySerde(), otherSerde), name);
        if (null != stores.thisUnjoined())
        {
            def.addStore(new StoreDef(stores.thisUnjoined(), serdes.keySerde(), thisSerde), name);
        }
        if (null != stores.otherUnjoined())
        {
            def.addStore(new StoreDef(stores.otherUnjoined(), serdes.keySerde(), otherSerde), name);
        }
        return new KStreamImpl<>(def, name, serdes.keySerde(), null, false);
    }

    /**
     * The stores of a stream-stream join.
     *
     * @param thisStore     the joining stream's records, kept for the other side.
     * @param otherStore    the joined stream's records, kept for this side.
     * @param thisUnjoined  this side's records that joined nothing yet (left and outer joins), or null.
     * @param otherUnjoined the other side's records that joined nothing yet (outer joins), or null.
     */
    private record StreamJoinStores(String thisStore, String otherStore, String thisUnjoined, String otherUnjoined)
    {
    }

    /**
     * A stream-stream join: the one owner of both sides' buffers. Each record joins the other side's kept records of
     * its key within the time difference, then is kept for the other side. In a left or outer join, a record that
     * joins nothing is kept as unjoined too, until a match takes it out or its window closes (stream time past its
     * time plus the difference plus grace): then it is emitted with null for the other side, with its own time.
     */
    private static final class StreamJoinProcessor<K, V, VO, VR> extends ContextProcessor<K, Sided>
    {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StreamJoinProcessor.class);

        private final StreamJoinStores stores;
        private final JoinWindows windows;
        private final long retentionMs;
        private final BiFunction<? super V, ? super VO, ? extends VR> joiner;
        private JoinBuffer<K, V> thisKept;
        private JoinBuffer<K, VO> otherKept;
        private JoinBuffer<K, V> thisUnjoined;
        private JoinBuffer<K, VO> otherUnjoined;

        StreamJoinProcessor(final StreamJoinStores stores, final JoinWindows windows,
            final BiFunction<? super V, ? super VO, ? extends VR> joiner)
        {
            this.stores = stores;
            this.windows = windows;
            this.retentionMs = windows.timeDifferenceMs() + windows.graceMs();
            this.joiner = joiner;
        }

        public void init(final io.sluice.streams.processor.ProcessorContext context)
        {
            super.init(context);
            thisKept = new JoinBuffer<>(context.stateStore(stores.thisStore()), retentionMs);
            otherKept = new JoinBuffer<>(context.stateStore(stores.otherStore()), retentionMs);
            if (null != stores.thisUnjoined())
            {
                thisUnjoined = new JoinBuffer<>(context.stateStore(stores.thisUnjoined()), retentionMs);
            }
            if (null != stores.otherUnjoined())
            {
                otherUnjoined = new JoinBuffer<>(context.stateStore(stores.otherUnjoined()), retentionMs);
            }
        }

        @SuppressWarnings("unchecked")
        public void process(final Record<K, Sided> record)
        {
            if (null == record.key() || null == record.value().value())
            {
                return;
            }
            final long streamTime = context.streamTime();
            emitClosed(streamTime);
            if (thisKept.isLate(record.timestamp(), streamTime))
            {
                LOG.debug("late record for {} at {} (stream time {}): not joined", record.key(), record.timestamp(),
                    streamTime);
                return;
            }
            if (record.value().thisSide())
            {
                final V value = (V)record.value().value();
                boolean joined = false;
                for (final TimestampedValuesSerde.Entry<VO> other : otherKept.get(record.key()))
                {
                    if (Math.abs(other.timestamp() - record.timestamp()) <= windows.timeDifferenceMs())
                    {
                        joined = true;
                        forward(record, joiner.apply(value, other.value()), other.timestamp());
                        forget(otherUnjoined, record.key(), other);
                    }
                }
                keep(thisKept, thisUnjoined, joined, record.key(), record.timestamp(), value);
            }
            else
            {
                final VO value = (VO)record.value().value();
                boolean joined = false;
                for (final TimestampedValuesSerde.Entry<V> kept : thisKept.get(record.key()))
                {
                    if (Math.abs(kept.timestamp() - record.timestamp()) <= windows.timeDifferenceMs())
                    {
                        joined = true;
                        forward(record, joiner.apply(kept.value(), value), kept.timestamp());
                        forget(thisUnjoined, record.key(), kept);
                    }
                }
                keep(otherKept, otherUnjoined, joined, record.key(), record.timestamp(), value);
            }
        }

        private void forward(final Record<K, Sided> record, final VR result, final long otherTime)
        {
            context.forward(new Record<>(record.key(), result, Math.max(record.timestamp(), otherTime)));
        }

        private static <K, T> void forget(final JoinBuffer<K, T> unjoined, final K key,
            final TimestampedValuesSerde.Entry<T> entry)
        {
            if (null != unjoined)
            {
                unjoined.remove(key, entry);
            }
        }

        private static <K, T> void keep(final JoinBuffer<K, T> kept, final JoinBuffer<K, T> unjoined,
            final boolean joined, final K key, final long timestamp, final T value)
        {
            kept.add(key, timestamp, value);
            if (!joined && null != unjoined)
            {
                unjoined.add(key, timestamp, value);
            }
        }

        /**
         * Expire both sides' kept records, and emit the unjoined ones whose window closed, earliest first, each with
         * null for the side it lacks.
         */
        private void emitClosed(final long streamTime)
        {
            thisKept.expire(streamTime);
            otherKept.expire(streamTime);
            final List<Record<K, VR>> results = new ArrayList<>();
            if (null != thisUnjoined)
            {
                for (final KeyValue<K, TimestampedValuesSerde.Entry<V>> closed : thisUnjoined.expire(streamTime))
                {
                    results.add(new Record<>(closed.key(), joiner.apply(closed.value().value(), null),
                        closed.value().timestamp()));
                }
            }
            if (null != otherUnjoined)
            {
                for (final KeyValue<K, TimestampedValuesSerde.Entry<VO>> closed : otherUnjoined.expire(streamTime))
                {
                    results.add(new Record<>(closed.key(), joiner.apply(null, closed.value().value()),
                        closed.value().timestamp()));
                }
            }
            results.sort(Comparator.comparingLong(Record::timestamp));
            for (final Record<K, VR> result : results)
            {
                context.forward(result);
            }
        }
    }

    private <VT, VR> KStream<K, VR> joinTable(
        final KTable<K, VT> table, final BiFunction<? super V, ? super VT, ? extends VR> joiner, final boolean left)
    {
        Objects.requireNonNull(joiner, "joiner");
        if (keyChanged)
        {
            throw new IllegalStateException("the stream's key changed since its source: it is not partitioned as " +
                "the table is; write it to a topic keyed as the table and join a stream of that topic");
        }
        final String storeName = Objects.requireNonNull(table, "table").queryableStoreName();
        final String name = def.newName(left ? "KSTREAM-LEFTJOIN" : "KSTREAM-JOIN");
        def.addProcessor(name, () -> new ContextProcessor<K, V>()
        {
            private KeyValueStore<K, VT> store;

            public void init(final io.sluice.streams.processor.ProcessorContext context)
            {
                super.init(context);
                store = context.stateStore(storeName);
            }

            public void process(final Record<K, V> record)
            {
                if (null == record.key() || null == record.value())
                {
                    return; // no key to look up, or nothing to join
                }
                final VT tableValue = store.get(record.key());
                if (null != tableValue || left)
                {
                    context.forward(record.withValue(joiner.apply(record.value(), tableValue)));
                }
            }
        }, node);
        def.connect(storeName, name);
        return new KStreamImpl<>(def, name, keySerde, null, false);
    }

    /**
     * A processor body: what one record becomes.
     */
    @FunctionalInterface
    interface Step<K, V>
    {
        void process(io.sluice.streams.processor.ProcessorContext context, Record<K, V> record);
    }

    private String add(final String prefix, final Step<K, V> step)
    {
        final String name = def.newName(prefix);
        def.addProcessor(name, () -> new ContextProcessor<K, V>()
        {
            public void process(final Record<K, V> record)
            {
                step.process(context, record);
            }
        }, node);
        return name;
    }

    private KStream<K, V> same(final String name)
    {
        return new KStreamImpl<>(def, name, keySerde, valueSerde, keyChanged);
    }

    /**
     * The branches of one split: one processor that forwards each record to the first matching branch's node.
     */
    private final class Branches implements BranchedKStream<K, V>
    {
        private final String splitName;
        private final List<String> names = new ArrayList<>();
        private final List<BiPredicate<? super K, ? super V>> predicates = new ArrayList<>();

        Branches(final String splitName)
        {
            this.splitName = splitName;
        }

        public BranchedKStream<K, V> branch(final String name, final BiPredicate<? super K, ? super V> predicate)
        {
            Objects.requireNonNull(predicate, "predicate");
            if (names.contains(splitName + name))
            {
                throw new IllegalArgumentException("split " + splitName + " already has a branch " + name);
            }
            names.add(splitName + name);
            predicates.add(predicate);
            return this;
        }

        public Map<String, KStream<K, V>> defaultBranch(final String name)
        {
            return build(splitName + name);
        }

        public Map<String, KStream<K, V>> noDefaultBranch()
        {
            return build(null);
        }

        private Map<String, KStream<K, V>> build(final String defaultName)
        {
            final List<String> branchNames = List.copyOf(names);
            final List<BiPredicate<? super K, ? super V>> tests = List.copyOf(predicates);
            def.addProcessor(splitName, () -> new ContextProcessor<K, V>()
            {
                public void process(final Record<K, V> record)
                {
                    for (int i = 0; i < tests.size(); i++)
                    {
                        if (tests.get(i).test(record.key(), record.value()))
                        {
                            context.forward(record, branchNames.get(i));
                            return;
                        }
                    }
                    if (null != defaultName)
                    {
                        context.forward(record, defaultName);
                    }
                }
            }, node);
            final Map<String, KStream<K, V>> branches = new LinkedHashMap<>();
            final List<String> all = new ArrayList<>(branchNames);
            if (null != defaultName)
            {
                all.add(defaultName);
            }
            for (final String branch : all)
            {
                def.addProcessor(branch, () -> new ContextProcessor<K, V>()
                {
                    public void process(final Record<K, V> record)
                    {
                        context.forward(record);
                    }
                }, splitName);
                branches.put(branch, new KStreamImpl<>(def, branch, keySerde, valueSerde, keyChanged));
            }
            return branches;
        }
    }
}
