package io.sluice.streams.internals;

import io.sluice.client.Deserializer;
import io.sluice.client.Serializer;
import io.sluice.streams.Consumed;
import io.sluice.streams.Produced;
import io.sluice.streams.Topology;
import io.sluice.streams.processor.Processor;
import io.sluice.streams.processor.ProcessorContext;
import io.sluice.streams.processor.Record;
import io.sluice.streams.state.InMemoryKeyValueStore;
import io.sluice.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One sub-topology's processors and stores for one input partition. A record is processed depth first: the source
 * deserializes it and forwards it, each processor forwards to its children before returning, sinks and store changes
 * go to the {@link RecordCollector} as they happen. Single-threaded. Not part of the API.
 */
public final class StreamTask implements ProcessorContext
{
    private static final Logger LOG = LoggerFactory.getLogger(StreamTask.class);

    private final String applicationId;
    private final Topology.Subtopology subtopology;
    private final int partition;
    private final RecordCollector collector;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Node> sourcesByTopic = new HashMap<>();
    private final Map<String, LoggedStore<?, ?>> stores = new LinkedHashMap<>();
    private Node current;
    private String currentTopic;
    private long currentOffset = -1;
    private long streamTime = Long.MIN_VALUE;
    private long skipped;

    /**
     * A node made for this task.
     */
    private static final class Node
    {
        final NodeDef def;
        final Processor<Object, Object> processor;
        final List<Node> children = new ArrayList<>();

        Node(final NodeDef def, final Processor<Object, Object> processor)
        {
            this.def = def;
            this.processor = processor;
        }
    }

    /**
     * @param applicationId prefixes internal topics.
     * @param subtopology   what to run.
     * @param partition     the input partition.
     * @param collector     takes the output.
     */
    @SuppressWarnings("unchecked")
    public StreamTask(
        final String applicationId,
        final Topology.Subtopology subtopology,
        final int partition,
        final RecordCollector collector)
    {
        this.applicationId = applicationId;
        this.subtopology = subtopology;
        this.partition = partition;
        this.collector = collector;
        for (final StoreDef store : subtopology.stores())
        {
            stores.put(store.name(), new LoggedStore<>(store));
        }
        for (final NodeDef def : subtopology.nodes())
        {
            final Processor<Object, Object> processor = switch (def.kind)
            {
                case SOURCE -> null;
                case PROCESSOR -> (Processor<Object, Object>)def.supplier.get();
                case SINK -> new SinkProcessor(def);
            };
            final Node node = new Node(def, processor);
            nodes.put(def.name, node);
            if (def.kind == NodeDef.Kind.SOURCE)
            {
                for (final String topic : def.topics)
                {
                    sourcesByTopic.put(Topology.topicName(applicationId, topic, def.internalTopic), node);
                }
            }
        }
        for (final Node node : nodes.values())
        {
            for (final String child : node.def.children)
            {
                node.children.add(nodes.get(child));
            }
        }
        for (final Node node : nodes.values())
        {
            if (null != node.processor)
            {
                current = node;
                node.processor.init(this);
            }
        }
        current = null;
    }

    public Topology.Subtopology subtopology()
    {
        return subtopology;
    }

    /**
     * @return every topic this task reads.
     */
    public Set<String> sourceTopics()
    {
        return sourcesByTopic.keySet();
    }

    /**
     * @return the task's stores by name.
     */
    public Map<String, ? extends KeyValueStore<?, ?>> stores()
    {
        return stores;
    }

    /**
     * @return records dropped because their event time was negative.
     */
    public long skipped()
    {
        return skipped;
    }

    /**
     * Put a changelog record back into its store, without logging it again: restoration before processing.
     *
     * @param store name.
     * @param key   serialized.
     * @param value serialized; null deletes.
     */
    public void restore(final String store, final byte[] key, final byte[] value)
    {
        stores.get(store).restore(key, value);
    }

    /**
     * Process one input record.
     *
     * @param topic     it came from (its name in the cluster).
     * @param offset    in its partition.
     * @param timestamp the record's own timestamp.
     * @param key       serialized; may be null.
     * @param value     serialized; may be null.
     */
    @SuppressWarnings("unchecked")
    public void process(final String topic, final long offset, final long timestamp, final byte[] key,
        final byte[] value)
    {
        final Node source = sourcesByTopic.get(topic);
        if (null == source)
        {
            throw new IllegalArgumentException("task " + subtopology.id() + "_" + partition + " does not read " + topic);
        }
        final Consumed<Object, Object> consumed = (Consumed<Object, Object>)source.def.consumed;
        final Object k = consumed.keySerde().deserializer().deserialize(topic, key);
        final Object v = consumed.valueSerde().deserializer().deserialize(topic, value);
        final long eventTime = consumed.timestampExtractor().extract(topic, k, v, timestamp);
        if (eventTime < 0)
        {
            skipped++;
            LOG.warn("{}: skipped a record of {} at offset {}: negative event time {}", applicationId, topic, offset,
                eventTime);
            return;
        }
        currentTopic = topic;
        currentOffset = offset;
        streamTime = Math.max(streamTime, eventTime);
        current = source;
        try
        {
            forward(new Record<>(k, v, eventTime));
        }
        finally
        {
            current = null;
        }
    }

    /**
     * Close every processor.
     */
    public void close()
    {
        for (final Node node : nodes.values())
        {
            if (null != node.processor)
            {
                node.processor.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ context

    public <K, V> void forward(final Record<K, V> record)
    {
        final Node parent = current;
        @SuppressWarnings("unchecked") final Record<Object, Object> forwarded = (Record<Object, Object>)record;
        for (final Node child : parent.children)
        {
            current = child;
            try
            {
                child.processor.process(forwarded);
            }
            finally
            {
                current = parent;
            }
        }
    }

    /**
     * Send a record to one child of the calling processor.
     *
     * @param record    to forward.
     * @param childName the child's node name.
     */
    public <K, V> void forward(final Record<K, V> record, final String childName)
    {
        final Node parent = current;
        for (final Node child : parent.children)
        {
            if (child.def.name.equals(childName))
            {
                current = child;
                try
                {
                    @SuppressWarnings("unchecked") final Record<Object, Object> forwarded =
                        (Record<Object, Object>)record;
                    child.processor.process(forwarded);
                }
                finally
                {
                    current = parent;
                }
                return;
            }
        }
        throw new IllegalArgumentException(parent.def.name + " has no child " + childName);
    }

    @SuppressWarnings("unchecked")
    public <S> S stateStore(final String name)
    {
        if (null == current || !current.def.stores.contains(name))
        {
            throw new IllegalArgumentException("store " + name + " is not connected to " +
                (null == current ? "this caller" : current.def.name));
        }
        return (S)stores.get(name);
    }

    public String applicationId()
    {
        return applicationId;
    }

    public int partition()
    {
        return partition;
    }

    public String topic()
    {
        return currentTopic;
    }

    public long offset()
    {
        return currentOffset;
    }

    public long streamTime()
    {
        return streamTime;
    }

    // ------------------------------------------------------------------------------------------------ internals

    /**
     * Serializes what reaches a sink and hands it to the collector.
     */
    private final class SinkProcessor implements Processor<Object, Object>
    {
        private final String topic;
        private final Serializer<Object> keySerializer;
        private final Serializer<Object> valueSerializer;

        @SuppressWarnings("unchecked")
        SinkProcessor(final NodeDef def)
        {
            this.topic = Topology.topicName(applicationId, def.topics.get(0), def.internalTopic);
            final Produced<Object, Object> produced = (Produced<Object, Object>)def.produced;
            this.keySerializer = produced.keySerde().serializer();
            this.valueSerializer = produced.valueSerde().serializer();
        }

        public void process(final Record<Object, Object> record)
        {
            collector.send(topic, -1, keySerializer.serialize(topic, record.key()),
                valueSerializer.serialize(topic, record.value()), record.timestamp());
        }
    }

    /**
     * An in-memory store whose every change goes to its changelog topic, to this task's partition.
     */
    private final class LoggedStore<K, V> implements KeyValueStore<K, V>
    {
        private final InMemoryKeyValueStore<K, V> inner;
        private final String changelog;
        private final Serializer<K> keySerializer;
        private final Serializer<V> valueSerializer;
        private final Deserializer<K> keyDeserializer;
        private final Deserializer<V> valueDeserializer;

        @SuppressWarnings("unchecked")
        LoggedStore(final StoreDef def)
        {
            this.inner = new InMemoryKeyValueStore<>(def.name());
            this.changelog = def.changelogTopic(applicationId);
            this.keySerializer = (Serializer<K>)def.keySerde().serializer();
            this.valueSerializer = (Serializer<V>)def.valueSerde().serializer();
            this.keyDeserializer = (Deserializer<K>)def.keySerde().deserializer();
            this.valueDeserializer = (Deserializer<V>)def.valueSerde().deserializer();
        }

        public String name()
        {
            return inner.name();
        }

        public V get(final K key)
        {
            return inner.get(key);
        }

        public List<io.sluice.streams.KeyValue<K, V>> all()
        {
            return inner.all();
        }

        public long approximateNumEntries()
        {
            return inner.approximateNumEntries();
        }

        public void put(final K key, final V value)
        {
            inner.put(key, value);
            log(key, value);
        }

        public V delete(final K key)
        {
            final V old = inner.delete(key);
            if (null != old)
            {
                log(key, null);
            }
            return old;
        }

        void restore(final byte[] key, final byte[] value)
        {
            final K k = keyDeserializer.deserialize(changelog, key);
            if (null == value)
            {
                inner.delete(k);
            }
            else
            {
                inner.put(k, valueDeserializer.deserialize(changelog, value));
            }
        }

        private void log(final K key, final V value)
        {
            collector.send(changelog, partition, keySerializer.serialize(changelog, key),
                null == value ? null : valueSerializer.serialize(changelog, value),
                streamTime == Long.MIN_VALUE ? 0 : streamTime);
        }
    }
}
