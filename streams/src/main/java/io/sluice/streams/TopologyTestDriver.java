package io.sluice.streams;

import io.sluice.client.Deserializer;
import io.sluice.client.Serializer;
import io.sluice.streams.internals.SessionWindowedSerde;
import io.sluice.streams.internals.StoreDef;
import io.sluice.streams.internals.StreamTask;
import io.sluice.streams.internals.WindowedSerde;
import io.sluice.streams.internals.WindowedStoreView;
import io.sluice.streams.state.KeyValueStore;
import io.sluice.streams.state.ReadOnlySessionStore;
import io.sluice.streams.state.ReadOnlyWindowStore;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs a topology without a broker, for tests of a topology (as Kafka Streams' {@code TopologyTestDriver}): one
 * task per sub-topology on partition 0, records piped in through {@link TestInputTopic}s, every record written to
 * a topic kept for {@link TestOutputTopic}s. A record written to a topic the topology reads (a repartition topic) is
 * processed at once, before {@link TestInputTopic#pipeInput} returns; changelog records are kept too. The driver
 * commits after every record, as Kafka Streams' does: a record's store changes reach the changelogs, once per key,
 * after its other outputs. Single threaded.
 */
public final class TopologyTestDriver implements AutoCloseable
{
    /**
     * A record written to a topic.
     */
    record Output(byte[] key, byte[] value, long timestamp)
    {
    }

    private record Pending(String topic, byte[] key, byte[] value, long timestamp)
    {
    }

    private final String applicationId;
    private final List<StreamTask> tasks = new ArrayList<>();
    private final Map<String, StreamTask> tasksByTopic = new HashMap<>();
    private final Map<String, ArrayDeque<Output>> outputs = new HashMap<>();
    private final Map<String, Long> nextOffsets = new HashMap<>();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private boolean draining;

    /**
     * @param topology to run.
     */
    public TopologyTestDriver(final Topology topology)
    {
        this(topology, "test-app");
    }

    /**
     * @param topology      to run.
     * @param applicationId prefixes internal topics ({@code <id>-...-repartition}, {@code <id>-<store>-changelog}).
     */
    public TopologyTestDriver(final Topology topology, final String applicationId)
    {
        this.applicationId = Objects.requireNonNull(applicationId, "applicationId");
        for (final Topology.Subtopology subtopology : topology.subtopologies())
        {
            final StreamTask task = new StreamTask(applicationId, subtopology, 0,
                (topic, partition, key, value, timestamp) -> pending.addLast(new Pending(topic, key, value, timestamp)));
            tasks.add(task);
            for (final String topic : task.sourceTopics())
            {
                tasksByTopic.put(topic, task);
            }
        }
        commitAll(); // what processors wrote from init
        drain();
    }

    /**
     * @return an input topic of the topology.
     * @throws IllegalArgumentException if no source of the topology reads it.
     */
    public <K, V> TestInputTopic<K, V> createInputTopic(final String topic, final Serializer<K> keySerializer,
        final Serializer<V> valueSerializer)
    {
        if (!tasksByTopic.containsKey(topic))
        {
            throw new IllegalArgumentException("the topology reads no topic " + topic + "; it reads " +
                new TreeSet<>(tasksByTopic.keySet()));
        }
        return new TestInputTopic<>(this, topic, keySerializer, valueSerializer);
    }

    /**
     * @return a topic the topology writes (or may write: nothing checks, a topic never written stays empty).
     */
    public <K, V> TestOutputTopic<K, V> createOutputTopic(final String topic, final Deserializer<K> keyDeserializer,
        final Deserializer<V> valueDeserializer)
    {
        return new TestOutputTopic<>(this, topic, keyDeserializer, valueDeserializer);
    }

    /**
     * @param name of a store of the topology.
     * @return the store, to read (and, for a test's setup, write: writes are logged like the topology's).
     * @throws IllegalArgumentException for an unknown store.
     */
    @SuppressWarnings("unchecked")
    public <K, V> KeyValueStore<K, V> keyValueStore(final String name)
    {
        for (final StreamTask task : tasks)
        {
            final KeyValueStore<?, ?> store = task.stores().get(name);
            if (null != store)
            {
                return (KeyValueStore<K, V>)store;
            }
        }
        throw new IllegalArgumentException("the topology has no store " + name);
    }

    /**
     * @param name of a windowed aggregation's store ({@link TimeWindows} or {@link SlidingWindows}).
     * @return a read-only view of its windows.
     * @throws IllegalArgumentException for an unknown store, or one that does not hold such windows.
     */
    public <K, V> ReadOnlyWindowStore<K, V> windowStore(final String name)
    {
        if (!(storeDef(name).keySerde() instanceof WindowedSerde))
        {
            throw new IllegalArgumentException("store " + name + " is not a time or sliding window store");
        }
        return new WindowedStoreView<K, V>(keyValueStore(name));
    }

    /**
     * @param name of a session-windowed aggregation's store.
     * @return a read-only view of its sessions.
     * @throws IllegalArgumentException for an unknown store, or one that does not hold sessions.
     */
    public <K, V> ReadOnlySessionStore<K, V> sessionStore(final String name)
    {
        if (!(storeDef(name).keySerde() instanceof SessionWindowedSerde))
        {
            throw new IllegalArgumentException("store " + name + " is not a session store");
        }
        return new WindowedStoreView<K, V>(keyValueStore(name));
    }

    /**
     * @return every topic written so far, internal ones included.
     */
    public Set<String> producedTopicNames()
    {
        return new TreeSet<>(outputs.keySet());
    }

    /**
     * @return the application id given.
     */
    public String applicationId()
    {
        return applicationId;
    }

    private StoreDef storeDef(final String name)
    {
        for (final StreamTask task : tasks)
        {
            for (final StoreDef store : task.subtopology().stores())
            {
                if (store.name().equals(name))
                {
                    return store;
                }
            }
        }
        throw new IllegalArgumentException("the topology has no store " + name);
    }

    public void close()
    {
        for (final StreamTask task : tasks)
        {
            task.close();
        }
    }

    void pipe(final String topic, final byte[] key, final byte[] value, final long timestamp)
    {
        commitAll(); // what a test wrote to a store
        process(topic, key, value, timestamp);
        drain();
    }

    Output poll(final String topic)
    {
        final ArrayDeque<Output> queue = outputs.get(topic);
        return null == queue ? null : queue.pollFirst();
    }

    int queueSize(final String topic)
    {
        final ArrayDeque<Output> queue = outputs.get(topic);
        return null == queue ? 0 : queue.size();
    }

    private void process(final String topic, final byte[] key, final byte[] value, final long timestamp)
    {
        final StreamTask task = tasksByTopic.get(topic);
        final long offset = nextOffsets.merge(topic, 1L, Long::sum) - 1;
        task.process(topic, offset, timestamp, key, value);
        commit(task);
    }

    private void commitAll()
    {
        for (final StreamTask task : tasks)
        {
            commit(task);
        }
    }

    /**
     * End the task's epoch, its store changes to the changelogs, and take its checkpoint as written.
     */
    private static void commit(final StreamTask task)
    {
        task.snapshot();
        task.checkpointAcknowledged();
    }

    private void drain()
    {
        if (draining)
        {
            return;
        }
        draining = true;
        try
        {
            Pending next;
            while (null != (next = pending.pollFirst()))
            {
                outputs.computeIfAbsent(next.topic(), (t) -> new ArrayDeque<>())
                    .addLast(new Output(next.key(), next.value(), next.timestamp()));
                if (tasksByTopic.containsKey(next.topic()))
                {
                    process(next.topic(), next.key(), next.value(), next.timestamp());
                }
            }
        }
        finally
        {
            draining = false;
        }
    }
}
