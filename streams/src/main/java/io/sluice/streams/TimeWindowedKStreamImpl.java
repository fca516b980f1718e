package io.sluice.streams;

import io.sluice.streams.internals.Change;
import io.sluice.streams.internals.ContextProcessor;
import io.sluice.streams.internals.StoreDef;
import io.sluice.streams.internals.TopologyDef;
import io.sluice.streams.internals.WindowedSerde;
import io.sluice.streams.processor.ProcessorContext;
import io.sluice.streams.processor.Record;
import io.sluice.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Windowed aggregations: a store keyed by {@link Windowed} (logged with {@link WindowedSerde}), the windows a record
 * falls in updated unless closed, closed windows emitted (on close) and removed from the store as stream time
 * passes their end plus grace.
 */
final class TimeWindowedKStreamImpl<K, V> extends WindowedAggregations<K, V>
{
    private static final Logger LOG = LoggerFactory.getLogger(TimeWindowedKStreamImpl.class);

    private final TimeWindows windows;

    TimeWindowedKStreamImpl(final TopologyDef def, final String node, final Grouped<K, V> grouped,
        final TimeWindows windows)
    {
        super(def, node, grouped, "KSTREAM-WINDOWED");
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
        final TimeWindows windows = this.windows;
        final boolean emitOnClose = strategy == EmitStrategy.ON_WINDOW_CLOSE;
        def.addProcessor(name, () -> new ContextProcessor<K, V>()
        {
            private KeyValueStore<Windowed<K>, VA> store;
            /** Open windows by the stream time at which they close; built from the store on first use. */
            private TreeMap<Long, List<Windowed<K>>> byCloseTime;

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
                    for (final KeyValue<Windowed<K>, VA> entry : store.all()) // restored from the changelog
                    {
                        index(entry.key());
                    }
                }
                final long streamTime = context.streamTime();
                for (final Window window : windows.windowsFor(record.timestamp()))
                {
                    if (window.end() + windows.graceMs() <= streamTime)
                    {
                        LOG.debug("{}: late record for {} in window [{}, {}) at stream time {}: dropped", name,
                            record.key(), window.start(), window.end(), streamTime);
                        continue;
                    }
                    final Windowed<K> key = new Windowed<>(record.key(), window);
                    final VA old = store.get(key);
                    final VA updated = aggregator.apply(record.key(), record.value(),
                        null == old ? initializer.get() : old);
                    store.put(key, updated);
                    if (null == old)
                    {
                        index(key);
                    }
                    if (!emitOnClose)
                    {
                        context.forward(new Record<>(key, new Change<>(updated, old), record.timestamp()));
                    }
                }
                expire(streamTime);
            }

            private void index(final Windowed<K> key)
            {
                byCloseTime.computeIfAbsent(key.window().end() + windows.graceMs(), (t) -> new ArrayList<>()).add(key);
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
                            context.forward(new Record<>(key, new Change<>(result, null), key.window().end() - 1));
                        }
                    }
                }
            }
        }, node);
        final Serde<K> keySerde = null != materialized.keySerde() ? materialized.keySerde() : grouped.keySerde();
        final WindowedSerde<K> windowedSerde = new WindowedSerde<>(keySerde, windows.sizeMs());
        def.addStore(new StoreDef(storeName, windowedSerde, materialized.valueSerde()), name);
        return new KTableImpl<>(def, name, storeName, windowedSerde, materialized.valueSerde());
    }
}
