package io.sluice.streams.internals;

import io.sluice.client.Deserializer;
import io.sluice.client.Header;
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

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One sub-topology's processors and stores for one input partition. A record is processed depth first: the source
 * deserializes it and forwards it, each processor forwards to its children before returning, sinks and store changes
 * go to the {@link RecordCollector} as they happen; store changes are collected once per key per epoch, when the epoch
 * ends. Single-threaded. Not part of the API.
 * <p>
 * <b>Epochs and checkpoints.</b> {@link #snapshot()} ends an epoch: it logs each key the epoch changed once, with its
 * value now, and returns the {@link Checkpoint} that makes the epoch durable once written, after those entries;
 * {@link #checkpointAcknowledged()} says it was. Each changelog entry carries, in one header ({@value #CHANGE_HEADER}),
 * its epoch and the value its key had at the last acknowledged checkpoint, which is the one a restorer rolls back to
 * when it finds the entry's epoch uncommitted. Logging every change as it happens, as Kafka Streams without a cache
 * does, would write nothing a restorer uses: the entries of an epoch are either all committed, when only the last of
 * each key counts, or all rolled back. A restore ({@link #beginRestore}, {@link #restore(String, byte[], byte[], List)},
 * {@link #finishRestore()}) puts back the entries of committed epochs, puts back the prior value of every key an
 * uncommitted epoch changed (a crash's work, which the records after the checkpoint will redo) and logs it again, so
 * the state is the checkpoint's exactly even where compaction removed the committed entry. Records before the
 * checkpoint's positions are skipped, and records of a repartition topic whose {@link Checkpoint.Origin} was taken
 * already (an upstream task that redid its work) are dropped.
 */
public final class StreamTask implements ProcessorContext
{
    /**
     * The changelog header of a change: its epoch (8 bytes, big-endian), then the key's values at earlier checkpoints
     * (its priors): a count (1 byte), then for each an epoch (8 bytes), 0 for no value or 1 then a length (4 bytes)
     * and the value. The task writes one prior, the last acknowledged checkpoint's; changelogs written before
     * 2026-12-08, when every change was logged as it happened, may carry a second, the value at the checkpoint being
     * written then, and restore as before. One header rather than two: its name and lengths are in every changelog
     * record.
     */
    public static final String CHANGE_HEADER = "__sluice.change";

    private static final Logger LOG = LoggerFactory.getLogger(StreamTask.class);
    /** A prior that is no value (package-private for tests). */
    static final byte[] NO_VALUE = new byte[0];

    private final String applicationId;
    private final Topology.Subtopology subtopology;
    private final int partition;
    private final RecordCollector collector;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Source> sources = new HashMap<>();
    private final Map<String, LoggedStore<?, ?>> stores = new LinkedHashMap<>();
    private Node current;
    private String currentTopic;
    private long currentOffset = -1;
    private long streamTime = Long.MIN_VALUE;
    private long skipped;
    private long dropped;

    // Epochs, positions and origins (see the class comment).
    private long epoch = 1;
    /** The epoch of the last acknowledged checkpoint (0: none). */
    private long acknowledgedEpoch;
    /** The epoch of the checkpoint being written, or -1. */
    private long inFlightEpoch = -1;
    /** Positions a restored checkpoint gave for topics this task does not read, carried into its checkpoints. */
    private final Map<String, Long> foreignPositions = new HashMap<>();
    private final Map<String, Checkpoint.Origin> origins = new HashMap<>();
    /** The source partition of the record being processed, as origins name it, in UTF-8; null outside one. */
    private byte[] currentSource;
    private int outputIndex;
    private long restoreCommittedEpoch;
    private long restoreMaxEpoch;

    /**
     * A topic this task reads, found with one look-up per record: its source node, whether it is a repartition topic,
     * the task's partition of it as origins name it ("topic-partition", UTF-8), and the next offset to process.
     */
    private static final class Source
    {
        final Node node;
        final boolean repartition;
        final byte[] originName;
        /** The offset after the last one processed or restored from a checkpoint; -1 for none. */
        long position = -1;

        Source(final Node node, final boolean repartition, final byte[] originName)
        {
            this.node = node;
            this.repartition = repartition;
            this.originName = originName;
        }
    }

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
                    final String name = Topology.topicName(applicationId, topic, def.internalTopic);
                    sources.put(name, new Source(node, def.internalTopic,
                        (name + "-" + partition).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
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
        return sources.keySet();
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
     * @return repartition records dropped because their origin was taken already.
     */
    public long dropped()
    {
        return dropped;
    }

    /**
     * Put a changelog record back into its store, without logging it again, as a committed change: restoration
     * before processing, without epochs (the test driver's, and changelogs written before epochs).
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
     * Start restoring: the task takes the checkpoint's positions, stream time and origins, and its epoch as the last
     * committed one.
     *
     * @param checkpoint the task's last acknowledged checkpoint, or null for none.
     */
    public void beginRestore(final Checkpoint checkpoint)
    {
        for (final Source source : sources.values())
        {
            source.position = -1;
        }
        foreignPositions.clear();
        origins.clear();
        restoreCommittedEpoch = 0;
        if (null != checkpoint)
        {
            for (final Map.Entry<String, Long> position : checkpoint.positions().entrySet())
            {
                final Source source = sources.get(position.getKey());
                if (null == source)
                {
                    foreignPositions.put(position.getKey(), position.getValue());
                }
                else
                {
                    source.position = position.getValue();
                }
            }
            origins.putAll(checkpoint.origins());
            streamTime = checkpoint.streamTime();
            restoreCommittedEpoch = checkpoint.epoch();
        }
        restoreMaxEpoch = restoreCommittedEpoch;
    }

    /**
     * Put one changelog entry back: applied if its epoch is committed (or it has none), remembered for a roll-back
     * otherwise.
     *
     * @param store   name.
     * @param key     serialized.
     * @param value   serialized; null deletes.
     * @param headers of the changelog record.
     * @throws IllegalArgumentException if the epoch header is not 8 bytes.
     */
    public void restore(final String store, final byte[] key, final byte[] value, final List<Header> headers)
    {
        byte[] change = null;
        for (final Header header : headers)
        {
            if (CHANGE_HEADER.equals(header.key()))
            {
                change = header.value();
            }
        }
        if (null == change)
        {
            stores.get(store).restore(key, value);
            return;
        }
        if (change.length < Long.BYTES + 1)
        {
            throw new IllegalArgumentException("a changelog entry of store " + store + " with a " + CHANGE_HEADER +
                " header of " + change.length + " bytes");
        }
        final long entryEpoch = ByteBuffer.wrap(change).getLong();
        restoreMaxEpoch = Math.max(restoreMaxEpoch, entryEpoch);
        if (entryEpoch <= restoreCommittedEpoch)
        {
            stores.get(store).restore(key, value);
        }
        else
        {
            stores.get(store).rememberRollback(key, priorAt(store, change, restoreCommittedEpoch));
        }
    }

    /**
     * End a restore: every key an uncommitted epoch changed gets its prior value back, logged again in this task's
     * new epoch, which comes after every epoch seen.
     *
     * @return the keys rolled back.
     */
    public int finishRestore()
    {
        epoch = restoreMaxEpoch + 1;
        acknowledgedEpoch = restoreCommittedEpoch;
        inFlightEpoch = -1;
        int rolledBack = 0;
        for (final LoggedStore<?, ?> store : stores.values())
        {
            rolledBack += store.rollBack();
        }
        return rolledBack;
    }

    /**
     * End the epoch: each key a store changed in it goes to the collector, once, with its value now; what the task
     * has processed becomes durable once the returned checkpoint is written, after every record the task sent before
     * it, those entries included. At most one may be unacknowledged.
     *
     * @return the checkpoint to write.
     * @throws IllegalStateException if the previous one is not acknowledged.
     */
    public Checkpoint snapshot()
    {
        if (inFlightEpoch >= 0)
        {
            throw new IllegalStateException("task " + subtopology.id() + "_" + partition +
                ": the checkpoint of epoch " + inFlightEpoch + " is not acknowledged yet");
        }
        for (final LoggedStore<?, ?> store : stores.values())
        {
            store.logChanges();
        }
        final Map<String, Long> positions = new HashMap<>(foreignPositions);
        for (final Map.Entry<String, Source> source : sources.entrySet())
        {
            if (source.getValue().position >= 0)
            {
                positions.put(source.getKey(), source.getValue().position);
            }
        }
        final Checkpoint checkpoint = new Checkpoint(epoch, streamTime, positions, origins);
        inFlightEpoch = epoch;
        epoch++;
        return checkpoint;
    }

    /**
     * The checkpoint of the last {@link #snapshot()} is written: the priors of the changelog entries are now relative
     * to it.
     */
    public void checkpointAcknowledged()
    {
        if (inFlightEpoch < 0)
        {
            throw new IllegalStateException("task " + subtopology.id() + "_" + partition + ": no checkpoint written");
        }
        acknowledgedEpoch = inFlightEpoch;
        inFlightEpoch = -1;
    }

    /**
     * @return the epoch of the changes the task writes now.
     */
    public long epoch()
    {
        return epoch;
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
    public void process(final String topic, final long offset, final long timestamp, final byte[] key,
        final byte[] value)
    {
        process(topic, offset, timestamp, key, value, List.of());
    }

    /**
     * Process one input record, unless the task's checkpoint covers it already (its offset is before the position
     * restored) or it is a repartition record whose origin the task has taken.
     *
     * @param topic     it came from (its name in the cluster).
     * @param offset    in its partition.
     * @param timestamp the record's own timestamp.
     * @param key       serialized; may be null.
     * @param value     serialized; may be null.
     * @param headers   of the record.
     * @return false if the record was before the checkpoint's position, so it was not processed and need not be.
     */
    @SuppressWarnings("unchecked")
    public boolean process(final String topic, final long offset, final long timestamp, final byte[] key,
        final byte[] value, final List<Header> headers)
    {
        final Source source = sources.get(topic);
        if (null == source)
        {
            throw new IllegalArgumentException("task " + subtopology.id() + "_" + partition + " does not read " + topic);
        }
        if (offset < source.position)
        {
            return false;
        }
        source.position = offset + 1;
        if (!headers.isEmpty() && source.repartition && isTakenAlready(headers))
        {
            dropped++;
            return true;
        }
        final Consumed<Object, Object> consumed = (Consumed<Object, Object>)source.node.def.consumed;
        final Object k = consumed.keySerde().deserializer().deserialize(topic, key);
        final Object v = consumed.valueSerde().deserializer().deserialize(topic, value);
        final long eventTime = consumed.timestampExtractor().extract(topic, k, v, timestamp);
        if (eventTime < 0)
        {
            skipped++;
            LOG.warn("{}: skipped a record of {} at offset {}: negative event time {}", applicationId, topic, offset,
                eventTime);
            return true;
        }
        currentTopic = topic;
        currentOffset = offset;
        currentSource = source.originName;
        outputIndex = 0;
        streamTime = Math.max(streamTime, eventTime);
        current = source.node;
        try
        {
            forward(new Record<>(k, v, eventTime));
        }
        finally
        {
            current = null;
            currentSource = null;
        }
        return true;
    }

    /**
     * @param store  for the message.
     * @param change a {@value #CHANGE_HEADER} header's value, at least 9 bytes.
     * @param wanted the epoch rolled back to.
     * @return the value at that epoch, {@link #NO_VALUE} for none.
     * @throws IllegalArgumentException if the header is malformed or has no value for that epoch.
     */
    static byte[] priorAt(final String store, final byte[] change, final long wanted)
    {
        try
        {
            final ByteBuffer buffer = ByteBuffer.wrap(change, Long.BYTES, change.length - Long.BYTES);
            final int count = buffer.get();
            for (int i = 0; i < count; i++)
            {
                final long at = buffer.getLong();
                byte[] value = NO_VALUE;
                if (buffer.get() != 0)
                {
                    final int length = buffer.getInt();
                    if (length < 0 || length > buffer.remaining())
                    {
                        throw new IllegalArgumentException("a " + CHANGE_HEADER + " prior of " + length + " bytes");
                    }
                    value = new byte[length];
                    buffer.get(value);
                }
                if (at == wanted)
                {
                    return value;
                }
            }
        }
        catch (final java.nio.BufferUnderflowException ex)
        {
            throw new IllegalArgumentException("a " + CHANGE_HEADER + " header cut short in store " + store, ex);
        }
        throw new IllegalArgumentException("an uncommitted changelog entry of store " + store +
            " has no value for epoch " + wanted + ", the checkpoint's");
    }

    /**
     * @param acknowledged the key's serialized value at the last acknowledged checkpoint, {@link #NO_VALUE} for none.
     * @return a {@value #CHANGE_HEADER} header's value: the current epoch, then that value as the one prior.
     */
    private byte[] encodeChange(final byte[] acknowledged)
    {
        final boolean none = acknowledged == NO_VALUE;
        final ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES + 1 + 9 + (none ? 0 : 4 + acknowledged.length))
            .putLong(epoch).put((byte)1).putLong(acknowledgedEpoch);
        if (none)
        {
            buffer.put((byte)0);
        }
        else
        {
            buffer.put((byte)1).putInt(acknowledged.length).put(acknowledged);
        }
        return buffer.array();
    }

    private boolean isTakenAlready(final List<Header> headers)
    {
        for (final Header header : headers)
        {
            if (Checkpoint.Origin.HEADER.equals(header.key()))
            {
                final Checkpoint.Origin origin = Checkpoint.Origin.decode(header.value());
                final Checkpoint.Origin last = origins.get(origin.source());
                if (null != last && !origin.isAfter(last))
                {
                    return true;
                }
                origins.put(origin.source(), origin);
                return false;
            }
        }
        return false;
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
            final byte[] key = keySerializer.serialize(topic, record.key());
            final byte[] value = valueSerializer.serialize(topic, record.value());
            if (null == currentSource)
            {
                collector.send(topic, -1, key, value, record.timestamp());
            }
            else
            {
                collector.send(topic, -1, key, value, record.timestamp(), List.of(new Header(
                    Checkpoint.Origin.HEADER, Checkpoint.Origin.encode(currentSource, currentOffset, outputIndex++))));
            }
        }
    }

    /**
     * An in-memory store whose changes go to its changelog topic, to this task's partition, once per key per epoch,
     * when the epoch ends: the key's value then, with the epoch and the key's value at the last acknowledged checkpoint.
     */
    private final class LoggedStore<K, V> implements KeyValueStore<K, V>
    {
        private final InMemoryKeyValueStore<K, V> inner;
        private final String changelog;
        private final Serializer<K> keySerializer;
        private final Serializer<V> valueSerializer;
        private final Deserializer<K> keyDeserializer;
        private final Deserializer<V> valueDeserializer;
        /**
         * Keys changed in this epoch, in the order of their first change, and their serialized values when it began,
         * which are the last acknowledged checkpoint's ({@link #NO_VALUE}: none, so that one look-up tells both
         * whether a key changed and its prior).
         */
        private final Map<K, byte[]> epochPriors = new LinkedHashMap<>();
        /** Keys an uncommitted epoch changed, met while restoring, and their prior values ({@link #NO_VALUE}: none). */
        private final Map<ByteBuffer, byte[]> rollbacks = new LinkedHashMap<>();

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
            rememberPrior(key);
            inner.put(key, value);
        }

        public V delete(final K key)
        {
            if (null == inner.get(key))
            {
                return null;
            }
            rememberPrior(key);
            return inner.delete(key);
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

        void rememberRollback(final byte[] key, final byte[] prior)
        {
            // Every uncommitted entry of a key carries the same value for the checkpoint's epoch: any one will do.
            rollbacks.putIfAbsent(ByteBuffer.wrap(key), prior);
        }

        /**
         * Give each remembered key its prior value and log it again in the current epoch.
         *
         * @return the keys rolled back.
         */
        int rollBack()
        {
            final int count = rollbacks.size();
            for (final Map.Entry<ByteBuffer, byte[]> rollback : rollbacks.entrySet())
            {
                final K k = keyDeserializer.deserialize(changelog, rollback.getKey().array());
                final byte[] prior = rollback.getValue();
                final V value = prior == NO_VALUE ? null : valueDeserializer.deserialize(changelog, prior);
                inner.put(k, value);
                // Now, and even if the store had it: the uncommitted entry must go, whatever this epoch does next.
                log(k, prior, encodeChange(prior));
            }
            rollbacks.clear();
            return count;
        }

        /**
         * The epoch ends: log each key it changed with its value now, unless the key had none before and has none now
         * (a window opened and closed within the epoch).
         */
        void logChanges()
        {
            for (final Map.Entry<K, byte[]> change : epochPriors.entrySet())
            {
                final V value = inner.get(change.getKey());
                final byte[] prior = change.getValue();
                if (null != value || prior != NO_VALUE)
                {
                    log(change.getKey(), null == value ? NO_VALUE : valueSerializer.serialize(changelog, value),
                        encodeChange(prior));
                }
            }
            epochPriors.clear();
        }

        /**
         * Before a key's change: its value is its prior unless it changed already in this epoch.
         */
        private void rememberPrior(final K key)
        {
            if (null == epochPriors.get(key))
            {
                final V value = inner.get(key);
                epochPriors.put(key, null == value ? NO_VALUE : valueSerializer.serialize(changelog, value));
            }
        }

        /**
         * @param value  serialized, {@link #NO_VALUE} for a tombstone.
         * @param change the {@value #CHANGE_HEADER} header's value: epoch and prior.
         */
        private void log(final K key, final byte[] value, final byte[] change)
        {
            collector.send(changelog, partition, keySerializer.serialize(changelog, key),
                value == NO_VALUE ? null : value, streamTime == Long.MIN_VALUE ? 0 : streamTime,
                List.of(new Header(CHANGE_HEADER, change)));
        }
    }
}
