package io.sluice.streams;

import io.sluice.streams.internals.Change;
import io.sluice.streams.internals.ContextProcessor;
import io.sluice.streams.internals.SessionWindowedSerde;
import io.sluice.streams.internals.StoreDef;
import io.sluice.streams.internals.TopologyDef;
import io.sluice.streams.processor.ProcessorContext;
import io.sluice.streams.processor.Record;
import io.sluice.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * Session-window aggregations ({@link SessionWindows} states the rule): a store keyed by {@link Windowed} sessions
 * (logged with {@link SessionWindowedSerde}); a record finds the open sessions of its key within the inactivity gap,
 * merges them with itself, deletes the merged-away ones (tombstones downstream, when emitting every update) and puts
 * the merged session; closed sessions are emitted (on close) and removed as stream time passes their end plus grace.
 */
final class SessionWindowedKStreamImpl<K, V> implements SessionWindowedKStream<K, V>
{
    private static final Logger LOG = LoggerFactory.getLogger(SessionWindowedKStreamImpl.class);

    private final TopologyDef def;
    private final String node;
    private final Grouped<K, V> grouped;
    private final SessionWindows windows;
    private EmitStrategy strategy = EmitStrategy.ON_WINDOW_UPDATE;

    SessionWindowedKStreamImpl(final TopologyDef def, final String node, final Grouped<K, V> grouped,
        final SessionWindows windows)
    {
        this.def = def;
        this.node = node;
        this.grouped = grouped;
        this.windows = Objects.requireNonNull(windows, "windows");
    }

    public SessionWindowedKStream<K, V> emitStrategy(final EmitStrategy strategy)
    {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        return this;
    }

    public KTable<Windowed<K>, Long> count(final Materialized<K, Long> materialized)
    {
        final Materialized<K, Long> withSerde = materialized.orValueSerde(Serde.longs());
        return aggregate("KSTREAM-SESSIONWINDOW-COUNT", () -> 0L, (key, value, count) -> count + 1,
            (key, first, second) -> first + second, withSerde);
    }

    public KTable<Windowed<K>, V> reduce(final BinaryOperator<V> reducer, final Materialized<K, V> materialized)
    {
        Objects.requireNonNull(reducer, "reducer");
        final Materialized<K, V> withSerde = materialized.orValueSerde(grouped.valueSerde());
        return aggregate("KSTREAM-SESSIONWINDOW-REDUCE", () -> null,
            (key, value, aggregate) -> null == aggregate ? value : reducer.apply(aggregate, value),
            (key, first, second) -> null == first ? second : reducer.apply(first, second), withSerde);
    }

    public <VA> KTable<Windowed<K>, VA> aggregate(
        final Supplier<VA> initializer,
        final Aggregator<? super K, ? super V, VA> aggregator,
        final Merger<? super K, VA> merger,
        final Materialized<K, VA> materialized)
    {
        return aggregate("KSTREAM-SESSIONWINDOW-AGGREGATE", initializer, aggregator, merger, materialized);
    }

    private <VA> KTable<Windowed<K>, VA> aggregate(
        final String prefix,
        final Supplier<VA> initializer,
        final Aggregator<? super K, ? super V, VA> aggregator,
        final Merger<? super K, VA> merger,
        final Materialized<K, VA> materialized)
    {
        Objects.requireNonNull(merger, "merger");
        final String name = def.newName(prefix);
        final String storeName = KGroupedStreamImpl.storeName(name, initializer, aggregator, materialized);
        final SessionWindows windows = this.windows;
        final boolean emitOnClose = strategy == EmitStrategy.ON_WINDOW_CLOSE;
        def.addProcessor(name, () -> new ContextProcessor<K, V>()
        {
            private KeyValueStore<Windowed<K>, VA> store;
            /** Open sessions by the stream time at which they close (some may have been merged away since). */
            private TreeMap<Long, List<Windowed<K>>> byCloseTime;
            /** Each key's open sessions by start (they do not overlap); built from the store with the above. */
            private Map<K, TreeMap<Long, Window>> byKey;

            public void init(final ProcessorContext context)
            {
                super.init(context);
                store = context.stateStore(storeName);
            }

            public void process(final Record<K, V> record)
            {
                if (null == record.key() || null == record.value())
                {
                    return;
                }
                if (null == byCloseTime)
                {
                    byCloseTime = new TreeMap<>();
                    byKey = new HashMap<>();
                    for (final KeyValue<Windowed<K>, VA> entry : store.all()) // restored from the changelog
                    {
                        index(entry.key());
                    }
                }
                final long streamTime = context.streamTime();
                final long time = record.timestamp();
                final List<Windowed<K>> overlapping = overlapping(record.key(), time);
                long start = time;
                long end = time;
                VA aggregate = initializer.get();
                for (final Windowed<K> session : overlapping)
                {
                    aggregate = merger.apply(record.key(), aggregate, store.get(session));
                    start = Math.min(start, session.window().start());
                    end = Math.max(end, session.window().end());
                }
                if (end + windows.graceMs() < streamTime)
                {
                    LOG.debug("{}: late record for {} at {} (stream time {}): its session is closed", name,
                        record.key(), time, streamTime);
                    expire(streamTime);
                    return;
                }
                final Windowed<K> merged = new Windowed<>(record.key(), new Window(start, end));
                VA old = null;
                for (final Windowed<K> session : overlapping)
                {
                    if (session.equals(merged))
                    {
                        old = store.get(session); // the same session grows in place: no tombstone for it
                        continue;
                    }
                    final VA mergedAway = store.delete(session);
                    unindex(session);
                    if (!emitOnClose)
                    {
                        context.forward(new Record<>(session, new Change<>(null, mergedAway), session.window().end()));
                    }
                }
                aggregate = aggregator.apply(record.key(), record.value(), aggregate);
                store.put(merged, aggregate);
                if (null == old)
                {
                    index(merged);
                }
                if (!emitOnClose)
                {
                    context.forward(new Record<>(merged, new Change<>(aggregate, old), end));
                }
                expire(streamTime);
            }

            /**
             * @return the key's open sessions within the gap of {@code time}, earliest first.
             */
            private List<Windowed<K>> overlapping(final K key, final long time)
            {
                final List<Windowed<K>> found = new ArrayList<>();
                final TreeMap<Long, Window> sessions = byKey.get(key);
                if (null != sessions)
                {
                    for (final Window window : sessions.headMap(time + windows.inactivityGapMs(), true).values())
                    {
                        if (window.end() >= time - windows.inactivityGapMs())
                        {
                            found.add(new Windowed<>(key, window));
                        }
                    }
                }
                return found;
            }

            private void index(final Windowed<K> session)
            {
                byCloseTime.computeIfAbsent(session.window().end() + windows.graceMs() + 1, (t) -> new ArrayList<>())
                    .add(session);
                byKey.computeIfAbsent(session.key(), (k) -> new TreeMap<>())
                    .put(session.window().start(), session.window());
            }

            private void unindex(final Windowed<K> session)
            {
                final TreeMap<Long, Window> sessions = byKey.get(session.key());
                if (null != sessions && sessions.remove(session.window().start(), session.window()) &&
                    sessions.isEmpty())
                {
                    byKey.remove(session.key());
                }
            }

            private void expire(final long streamTime)
            {
                Map.Entry<Long, List<Windowed<K>>> closing;
                while (null != (closing = byCloseTime.firstEntry()) && closing.getKey() <= streamTime)
                {
                    byCloseTime.pollFirstEntry();
                    for (final Windowed<K> session : closing.getValue())
                    {
                        final VA result = store.delete(session);
                        if (null == result)
                        {
                            continue; // merged away before it closed
                        }
                        unindex(session);
                        if (emitOnClose)
                        {
                            context.forward(new Record<>(session, new Change<>(result, null), session.window().end()));
                        }
                    }
                }
            }
        }, node);
        final Serde<K> keySerde = null != materialized.keySerde() ? materialized.keySerde() : grouped.keySerde();
        final SessionWindowedSerde<K> sessionSerde = new SessionWindowedSerde<>(keySerde);
        def.addStore(new StoreDef(storeName, sessionSerde, materialized.valueSerde()), name);
        return new KTableImpl<>(def, name, storeName, sessionSerde, materialized.valueSerde());
    }
}
