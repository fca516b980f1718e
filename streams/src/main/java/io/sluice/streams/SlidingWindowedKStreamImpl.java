package io.sluice.streams;

import io.sluice.streams.internals.Change;
import io.sluice.streams.internals.ContextProcessor;
import io.sluice.streams.internals.JoinBuffer;
import io.sluice.streams.internals.StoreDef;
import io.sluice.streams.internals.TimestampedValuesSerde;
import io.sluice.streams.internals.TopologyDef;
import io.sluice.streams.internals.WindowedSerde;
import io.sluice.streams.processor.ProcessorContext;
import io.sluice.streams.processor.Record;
import io.sluice.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Sliding-window aggregations ({@link SlidingWindows} states the rule). Correct rather than fast: the records of each
 * key still inside an open window are kept in a second logged store, {@code <store>-RECORDS} (a
 * {@link JoinBuffer}), and every window a record touches is folded again from them; the results are kept, as for
 * {@link TimeWindows}, in a store keyed by {@link Windowed} that holds open windows only.
 */
final class SlidingWindowedKStreamImpl<K, V> extends WindowedAggregations<K, V>
{
    private static final Logger LOG = LoggerFactory.getLogger(SlidingWindowedKStreamImpl.class);
    private static final Comparator<Window> BY_START = Comparator.comparingLong(Window::start);

    private final SlidingWindows windows;

    SlidingWindowedKStreamImpl(final TopologyDef def, final String node, final Grouped<K, V> grouped,
        final SlidingWindows windows)
    {
        super(def, node, grouped, "KSTREAM-SLIDINGWINDOW");
        this.windows = Objects.requireNonNull(windows, "windows");
    }

    <VA> KTable<Windowed<K>, VA> aggregate(
        final String prefix,
        final Supplier<VA> initializer,
        final Aggregator<? super K, ? super V, VA> aggregator,
        final Materialized<K, VA> materialized)
    {
        final String name = def.newName(prefix);
        final String storeName = KGroupedStreamImpl.storeName(name, initializer, aggregator, materialized);
        final String recordsStore = storeName + "-RECORDS";
        final SlidingWindows windows = this.windows;
        // A record defines the window right after it, open until its time + 1 + difference + grace.
        final long retentionMs = windows.timeDifferenceMs() + windows.graceMs() + 1;
        final boolean emitOnClose = strategy == EmitStrategy.ON_WINDOW_CLOSE;
        def.addProcessor(name, () -> new ContextProcessor<K, V>()
        {
            private KeyValueStore<Windowed<K>, VA> store;
            private JoinBuffer<K, V> records;
            /** Open windows by the stream time at which they close; built from the store on first use. */
            private TreeMap<Long, List<Windowed<K>>> byCloseTime;

            public void init(final ProcessorContext context)
            {
                super.init(context);
                store = context.stateStore(storeName);
                records = new JoinBuffer<>(context.stateStore(recordsStore), retentionMs);
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
                    for (final KeyValue<Windowed<K>, VA> entry : store.all()) // restored from the changelog
                    {
                        index(entry.key());
                    }
                }
                final long streamTime = context.streamTime();
                final long time = record.timestamp();
                if (time + windows.timeDifferenceMs() + windows.graceMs() < streamTime)
                {
                    LOG.debug("{}: late record for {} at {} (stream time {}): every window it could fall in is closed",
                        name, record.key(), time, streamTime);
                    expire(streamTime);
                    return;
                }
                records.add(record.key(), time, record.value());
                records.expire(streamTime);
                final List<TimestampedValuesSerde.Entry<V>> kept = records.get(record.key());

                // The windows the record falls in: its own, the windows of later records reaching back to it, and
                // the windows right after earlier records that reach forward to it.
                final TreeSet<Window> touched = new TreeSet<>(BY_START);
                touched.add(windows.leftWindowOf(time));
                for (final TimestampedValuesSerde.Entry<V> other : kept)
                {
                    final Window left = windows.leftWindowOf(other.timestamp());
                    if (contains(left, time))
                    {
                        touched.add(left);
                    }
                    final Window right = windows.rightWindowOf(other.timestamp());
                    if (other.timestamp() < time && contains(right, time))
                    {
                        touched.add(right);
                    }
                }
                for (final Window window : touched)
                {
                    if (isClosed(window, streamTime))
                    {
                        LOG.debug("{}: late record for {} in window [{}, {}] at stream time {}: dropped", name,
                            record.key(), window.start(), window.end(), streamTime);
                        continue;
                    }
                    update(new Windowed<>(record.key(), window), kept);
                }
                // The window right after this record exists once a record falls in it.
                final Windowed<K> after = new Windowed<>(record.key(), windows.rightWindowOf(time));
                if (null == store.get(after) && !isClosed(after.window(), streamTime) &&
                    kept.stream().anyMatch((other) -> contains(after.window(), other.timestamp())))
                {
                    update(after, kept);
                }
                expire(streamTime);
            }

            /**
             * Fold a window again from the records in it, in their order of arrival, and emit it.
             */
            private void update(final Windowed<K> key, final List<TimestampedValuesSerde.Entry<V>> kept)
            {
                VA aggregate = initializer.get();
                long latest = key.window().start();
                for (final TimestampedValuesSerde.Entry<V> entry : kept)
                {
                    if (contains(key.window(), entry.timestamp()))
                    {
                        aggregate = aggregator.apply(key.key(), entry.value(), aggregate);
                        latest = Math.max(latest, entry.timestamp());
                    }
                }
                final VA old = store.get(key);
                store.put(key, aggregate);
                if (null == old)
                {
                    index(key);
                }
                if (!emitOnClose)
                {
                    context.forward(new Record<>(key, new Change<>(aggregate, old), latest));
                }
            }

            private void index(final Windowed<K> key)
            {
                byCloseTime.computeIfAbsent(key.window().end() + windows.graceMs() + 1, (t) -> new ArrayList<>())
                    .add(key);
            }

            private void expire(final long streamTime)
            {
                Map.Entry<Long, List<Windowed<K>>> closing;
                while (null != (closing = byCloseTime.firstEntry()) && closing.getKey() <= streamTime)
                {
                    byCloseTime.pollFirstEntry();
                    for (final Windowed<K> key : closing.getValue())
                    {
                        final VA result = store.delete(key);
                        if (emitOnClose && null != result)
                        {
                            context.forward(new Record<>(key, new Change<>(result, null), key.window().end()));
                        }
                    }
                }
            }

            private boolean isClosed(final Window window, final long streamTime)
            {
                return window.end() + windows.graceMs() < streamTime;
            }
        }, node);
        final Serde<K> keySerde = null != materialized.keySerde() ? materialized.keySerde() : grouped.keySerde();
        final WindowedSerde<K> windowedSerde = new WindowedSerde<>(keySerde, windows.timeDifferenceMs());
        def.addStore(new StoreDef(storeName, windowedSerde, materialized.valueSerde()), name);
        def.addStore(new StoreDef(recordsStore, keySerde, new TimestampedValuesSerde<>(grouped.valueSerde())), name);
        return new KTableImpl<>(def, name, storeName, windowedSerde, materialized.valueSerde());
    }

    private static boolean contains(final Window window, final long time)
    {
        return window.start() <= time && time <= window.end();
    }
}
