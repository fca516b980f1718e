package io.sluice.streams;

import io.sluice.client.SluiceClient;
import io.sluice.streams.internals.SessionWindowedSerde;
import io.sluice.streams.internals.StoreDef;
import io.sluice.streams.internals.StreamTask;
import io.sluice.streams.internals.WindowedSerde;
import io.sluice.streams.internals.WindowedStoreView;
import io.sluice.streams.runtime.InternalTopics;
import io.sluice.streams.runtime.LocalStores;
import io.sluice.streams.runtime.StreamThread;
import io.sluice.streams.state.ReadOnlyKeyValueStore;
import io.sluice.streams.state.ReadOnlySessionStore;
import io.sluice.streams.state.ReadOnlyWindowStore;
import org.agrona.CloseHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a {@link Topology} against brokers, as Kafka Streams' {@code KafkaStreams}: the instances started with one
 * application id form a consumer group that shares the input partitions; each instance runs a task per
 * sub-topology and partition it is assigned, restores the task's stores from their changelogs first, and commits an
 * input record's offset only once everything the record caused is acknowledged by the broker (at least once).
 * <p>
 * Lifecycle: {@link #start()} once, {@link #close()} once or more. {@link #state()}, {@link #tasks()} and the store
 * queries may be called from any thread at any time.
 */
public final class StreamsApp implements AutoCloseable
{
    /**
     * The application's state, as Kafka Streams names them.
     */
    public enum State
    {
        /** Made, not started. */
        CREATED,
        /** Started, waiting for the group to assign partitions (or without any task after a rebalance). */
        REBALANCING,
        /** Restoring a new task's stores from their changelogs: the stream thread processes nothing meanwhile. */
        RESTORING,
        /** Processing, with at least one task. */
        RUNNING,
        /** Stopped by a failure (a send, a task, the consumer); close it. */
        ERROR,
        /** Closed. */
        NOT_RUNNING
    }

    /**
     * A task: a sub-topology on a partition of its sources.
     *
     * @param subtopology the sub-topology's id.
     * @param partition   the partition of its source topics.
     */
    public record TaskId(int subtopology, int partition)
    {
        public String toString()
        {
            return subtopology + "_" + partition;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);

    private final Topology topology;
    private final StreamsConfig config;
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    private final SluiceClient sharedClient;
    private SluiceClient client;
    private volatile StreamThread thread;

    /**
     * An application with a client of its own, made from {@link StreamsConfig#clientOptions()} at {@link #start()}
     * and closed with the application.
     *
     * @param topology to run.
     * @param config   of the application.
     */
    public StreamsApp(final Topology topology, final StreamsConfig config)
    {
        this.topology = Objects.requireNonNull(topology, "topology");
        this.config = Objects.requireNonNull(config, "config");
        this.sharedClient = null;
    }

    /**
     * An application over a client the caller owns, shared with the caller's own producers and consumers: one client
     * thread (and media driver connection) for the process instead of one each, as Aeron applications run one
     * client per process. The application never closes it; close it after the application. The client's options
     * apply (bootstrap, idle profile, timeouts); of {@link StreamsConfig#clientOptions()} only the request timeout is
     * used, for creating the internal topics.
     *
     * @param topology to run.
     * @param config   of the application.
     * @param client   to run over, open.
     */
    public StreamsApp(final Topology topology, final StreamsConfig config, final SluiceClient client)
    {
        this.topology = Objects.requireNonNull(topology, "topology");
        this.config = Objects.requireNonNull(config, "config");
        this.sharedClient = Objects.requireNonNull(client, "client");
    }

    /**
     * Connect, create the internal topics that are missing, join the group and start processing what it assigns.
     * Returns once the consumer is subscribed (state {@link State#REBALANCING}); joining the group, and the tasks,
     * follow asynchronously ({@link #state()}, {@link #tasks()}).
     *
     * @throws IllegalStateException if started before, if a source topic is missing, or if the topics of a
     *                               sub-topology are not co-partitioned.
     */
    public synchronized void start()
    {
        if (!state.compareAndSet(State.CREATED, State.REBALANCING))
        {
            throw new IllegalStateException("application " + config.applicationId() + " is " + state.get() +
                ": start it once");
        }
        try
        {
            client = null != sharedClient ? sharedClient : SluiceClient.create(config.clientOptions());
            new InternalTopics(config.applicationId(), topology, client.admin(),
                config.clientOptions().requestTimeout())
                .ensure(config.replicationFactor(), config.repartitionPartitions());
            final StreamThread created =
                new StreamThread(config.applicationId(), topology, config, client, this::state);
            created.start();
            thread = created;
            LOG.info("{}: started", config.applicationId());
        }
        catch (final RuntimeException ex)
        {
            state.set(State.ERROR);
            if (null == sharedClient)
            {
                CloseHelper.quietClose(client);
            }
            throw ex;
        }
    }

    /**
     * @return the state now.
     */
    public State state()
    {
        return state.get();
    }

    /**
     * @return the tasks this instance runs now, restored and processing.
     */
    public Set<TaskId> tasks()
    {
        final StreamThread current = thread;
        return null == current ? Set.of() : current.runningTaskIds();
    }

    /**
     * A key-value store of the topology, read across the tasks this instance runs. A key of a partition another
     * instance runs is absent: finding the instance that holds a key (Kafka's metadata for a key) is not done.
     *
     * @param name of the store.
     * @param <K>  key type.
     * @param <V>  value type.
     * @return a read-only view, reading the tasks running at each call; safe from any thread.
     * @throws IllegalArgumentException for a store the topology does not have.
     */
    public <K, V> ReadOnlyKeyValueStore<K, V> store(final String name)
    {
        storeDef(name);
        return new LocalStores<>(name, this::runningTasks);
    }

    /**
     * @param name of a windowed aggregation's store ({@link TimeWindows} or {@link SlidingWindows}).
     * @return a read-only view of its open windows, across this instance's tasks.
     * @throws IllegalArgumentException for an unknown store, or one that does not hold such windows.
     */
    public <K, V> ReadOnlyWindowStore<K, V> windowStore(final String name)
    {
        if (!(storeDef(name).keySerde() instanceof WindowedSerde))
        {
            throw new IllegalArgumentException("store " + name + " is not a time or sliding window store");
        }
        return new WindowedStoreView<K, V>(this.<Windowed<K>, V>store(name));
    }

    /**
     * @param name of a session-windowed aggregation's store.
     * @return a read-only view of its open sessions, across this instance's tasks.
     * @throws IllegalArgumentException for an unknown store, or one that does not hold sessions.
     */
    public <K, V> ReadOnlySessionStore<K, V> sessionStore(final String name)
    {
        if (!(storeDef(name).keySerde() instanceof SessionWindowedSerde))
        {
            throw new IllegalArgumentException("store " + name + " is not a session store");
        }
        return new WindowedStoreView<K, V>(this.<Windowed<K>, V>store(name));
    }

    /**
     * Stop: take no more input, wait for the sends in flight (up to {@link StreamsConfig#closeTimeout()}), end the
     * receive (which commits what is acknowledged and leaves the group, so that other instances take the partitions
     * over), close the tasks and the client with its media driver (not a client given to the constructor).
     * Idempotent.
     */
    public synchronized void close()
    {
        if (state.get() == State.NOT_RUNNING)
        {
            return;
        }
        final StreamThread current = thread;
        if (null != current)
        {
            current.close(config.closeTimeout());
        }
        if (null == sharedClient)
        {
            CloseHelper.quietClose(client);
        }
        state(State.NOT_RUNNING, "closed");
        LOG.info("{}: closed", config.applicationId());
    }

    /**
     * Stop as if the process died: no final commit (the last periodic one stands), sends in flight abandoned.
     */
    synchronized void abort()
    {
        final StreamThread current = thread;
        if (null != current)
        {
            current.abort();
        }
        CloseHelper.quietClose(client);
        state(State.NOT_RUNNING, "aborted");
    }

    /**
     * @return input records processed whose output is not yet acknowledged.
     */
    int inFlightRecords()
    {
        final StreamThread current = thread;
        return null == current ? 0 : current.inFlightRecords();
    }

    /**
     * @return the most input records seen processed and not yet durable at once.
     */
    int maxInFlightRecordsSeen()
    {
        final StreamThread current = thread;
        return null == current ? 0 : current.maxInFlightRecordsSeen();
    }

    void pauseSends()
    {
        thread.pauseSends();
    }

    void holdCheckpoints()
    {
        thread.holdCheckpoints();
    }

    long keysRolledBack()
    {
        final StreamThread current = thread;
        return null == current ? 0 : current.keysRolledBack();
    }

    void resumeSends()
    {
        thread.resumeSends();
    }

    private List<StreamTask> runningTasks()
    {
        final StreamThread current = thread;
        return null == current ? List.of() : current.runningTasks();
    }

    private StoreDef storeDef(final String name)
    {
        for (final Topology.Subtopology subtopology : topology.subtopologies())
        {
            for (final StoreDef store : subtopology.stores())
            {
                if (store.name().equals(name))
                {
                    return store;
                }
            }
        }
        throw new IllegalArgumentException("the topology has no store " + name);
    }

    /**
     * Move to {@code next}, unless closed, or failed (which only closing leaves). Lock-free: the I/O thread may call.
     */
    private void state(final State next, final String reason)
    {
        while (true)
        {
            final State now = state.get();
            if (now == State.NOT_RUNNING || (now == State.ERROR && next != State.NOT_RUNNING) || now == next)
            {
                return;
            }
            if (state.compareAndSet(now, next))
            {
                LOG.info("{}: {} -> {} ({})", config.applicationId(), now, next, reason);
                return;
            }
        }
    }
}
