package io.sluice.perf.e2e;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.broker.SluiceBroker;
import io.sluice.codecs.client.Acks;
import io.sluice.engine.LogConfig;
import io.sluice.transport.ClientConnection;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.HostPort;
import io.sluice.transport.SluiceClientException;
import io.sluice.transport.TopicDescription;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Three Sluice brokers in cluster mode, each in a child JVM ({@link SluiceCluster}), and one topic with replication
 * factor {@value #REPLICATION_FACTOR} and {@code min.insync.replicas} {@value #MIN_INSYNC_REPLICAS}: what a
 * replicated deployment pays, next to {@code kafka-cluster}.
 * <ul>
 *   <li>brokers: Sluice's defaults (replication, ISR and controller timeouts) except the idle strategy
 *   ({@code backoff}, the broker's default; {@code -D}{@value #IDLE_PROP_NAME}{@code =yielding} for the latency
 *   profile of {@link SluiceTarget}: see below), segments pre-touched 64 MiB ahead and
 *   terms of 16 MiB as {@link SluiceTarget}; the media driver is {@code SHARED} (a cluster member needs it); JVM
 *   flags as Kafka's brokers get ({@link SluiceCluster#JVM_FLAGS});</li>
 *   <li>clients: the low-level client of {@link SluiceTarget} (same producer and consumer), through a media driver
 *   in this JVM ({@code SHARED}, same idle strategy) over UDP loopback; each partition is produced to and fetched
 *   from its leader, found in the metadata (the partition's leader and the brokers' addresses). A record's
 *   acknowledgement with {@code --acks all} is the leader's answer once the high watermark passed it, that is once
 *   every replica of the ISR has it; a consumer reads only below the high watermark, so produce-to-consume includes
 *   the replication at any acks;</li>
 *   <li>start waits until every partition has a leader and all {@value #REPLICATION_FACTOR} replicas in its ISR,
 *   and is led by its preferred replica (the controller moves leadership there within a second or two); then it
 *   writes the brokers' files to the disk ({@link SluiceCluster#flushToDisk()}: each new replica writes over
 *   500 MiB of segments and indexes, which the kernel would write back half a minute later, in the measurement)
 *   and checks the topic again; close reports on the error stream a partition whose leader moved or whose ISR
 *   shrank during the run.</li>
 * </ul>
 * Why backoff: with yielding idle strategies the six threads of three brokers that never block (agent and media
 * driver each), the client's driver and the harness's sender and consumer take turns on 2 cores. When that started,
 * it measured a lower p50 and p99; but the machine's load average reached 30, the kernel's write-back of the new
 * segments took over a minute, brokers' agents stalled until clients timed out, and most starts with three
 * partitions failed (see the README). Backoff parks an idle thread for up to 1 ms, which every hop of a record can
 * pay.
 * <p>
 * Threads: as {@link E2eTarget}.
 */
final class SluiceClusterTarget implements E2eTarget
{
    static final String NAME = "sluice-cluster";
    static final int BROKERS = 3;
    static final int REPLICATION_FACTOR = 3;
    static final int MIN_INSYNC_REPLICAS = 2;
    static final int TERM_LENGTH = 16 * 1024 * 1024;
    /** System property: {@code backoff} (default) or {@code yielding}, for the brokers and the client's driver. */
    static final String IDLE_PROP_NAME = "sluice.e2e.clusterIdle";
    /**
     * System property: the brokers' {@code segment.bytes} (default: the broker's, 256 MiB). Each new replica
     * zero-fills its first segment on the broker's agent thread; the tests use small segments (see the README).
     */
    static final String SEGMENT_BYTES_PROP_NAME = "sluice.e2e.clusterSegmentBytes";
    static final long START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(120);
    /** The longest start waits for the machine's write-back after flushing the cluster's files. */
    static final long WRITE_BACK_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    private static final long PRETOUCH_BYTES = Long.getLong("sluice.e2e.pretouchBytes", 64L * 1024 * 1024);

    private final String idle = System.getProperty(IDLE_PROP_NAME, "backoff").toLowerCase(Locale.ROOT);
    /** Closes the client's media driver (and so removes its directory) if this JVM exits first (Ctrl-C). */
    private final Thread driverCleanup = new Thread(() -> CloseHelper.quietClose(this.clientDriver),
        "sluice-perf-cluster-driver-cleanup");
    private SluiceCluster cluster;
    private volatile MediaDriver clientDriver;
    private ClientConnection admin;
    private E2eSettings settings;
    private int topicId;
    private int adminBroker;
    private TopicDescription started;
    private Map<Integer, HostPort> brokers;

    public String name()
    {
        return NAME;
    }

    public void start(final E2eSettings settings) throws Exception
    {
        this.settings = settings;
        final IdleStrategy clientIdle = switch (idle)
        {
            case "backoff" -> new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
            case "yielding" -> new YieldingIdleStrategy();
            default -> throw new IllegalArgumentException(
                "-D" + IDLE_PROP_NAME + " must be backoff or yielding: '" + idle + "'");
        };
        cluster = SluiceCluster.start(settings.directory(), BROKERS, brokerProperties(idle));
        clientDriver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(clientIdle)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        Runtime.getRuntime().addShutdownHook(driverCleanup);
        final long deadlineNs = System.nanoTime() + START_TIMEOUT_NS;
        topicId = createTopic(deadlineNs);
        try
        {
            awaitSteady(deadlineNs);
            // The new replicas write their segments in full: measure after that reached the disk, and check again,
            // as a broker's agent may have stalled meanwhile (see the README).
            cluster.flushToDisk();
            SluiceCluster.awaitWriteBack(Math.min(WRITE_BACK_TIMEOUT_NS, Math.max(0, deadlineNs - System.nanoTime())));
            started = awaitSteady(deadlineNs);
        }
        catch (final IllegalStateException ex)
        {
            throw new IllegalStateException(ex.getMessage() + cluster.state(), ex);
        }
        brokers = new HashMap<>(admin().brokers());
        // An idle connection is closed by the broker after client.timeout.ms: a new one is made for the end.
        dropAdmin();
    }

    public String description()
    {
        return BROKERS + " Sluice brokers in cluster mode, each in a child JVM (" +
            String.join(" ", SluiceCluster.JVM_FLAGS) + "), " + idle + " idle, media driver SHARED; topic with " +
            settings.partitions() + " partition(s), replication factor " + REPLICATION_FACTOR +
            ", min.insync.replicas " + MIN_INSYNC_REPLICAS + "; leaders " + leaders(started) + "\n" +
            "clients: the low-level client to each partition's leader over UDP loopback, through a media driver in " +
            "this JVM (SHARED, " + idle + "); producer: send at once below " + SluiceTarget.MAX_IN_FLIGHT +
            " requests in flight, else batch up to " + SluiceTarget.MAX_BATCH_BYTES + " bytes; consumer: fetch " +
            "sessions with " + SluiceTarget.CREDIT_WINDOW + " records of credit";
    }

    public E2eProducer newProducer(
        final int acks, final ProducerProfile profile, final E2eProducer.AckListener listener)
    {
        return new SluiceTarget.Producer(leaderConnections(), topicId, settings.partitions(),
            0 == acks ? Acks.NONE : 1 == acks ? Acks.LEADER : Acks.ALL, listener);
    }

    public E2eConsumer newConsumer()
    {
        return new SluiceTarget.Consumer(leaderConnections(), topicId, settings.partitions());
    }

    public void close()
    {
        if (null != cluster && null != started)
        {
            reportChanges();
        }
        CloseHelper.quietClose(admin);
        admin = null;
        if (null != cluster)
        {
            cluster.close();
            cluster = null;
        }
        if (null != clientDriver)
        {
            CloseHelper.quietClose(clientDriver);
            clientDriver = null;
            try
            {
                Runtime.getRuntime().removeShutdownHook(driverCleanup);
            }
            catch (final IllegalStateException ignore)
            {
                // the JVM is shutting down: the hook does the same
            }
        }
        started = null;
    }

    /**
     * The cluster, for tests.
     *
     * @return the running cluster, or null.
     */
    SluiceCluster cluster()
    {
        return cluster;
    }

    /**
     * The client's media driver, for tests.
     *
     * @return the driver, or null.
     */
    MediaDriver clientDriver()
    {
        return clientDriver;
    }

    /**
     * The brokers' settings: Sluice's defaults but for the idle strategy, pre-touching and terms.
     *
     * @param idle {@code backoff} or {@code yielding}.
     * @return broker properties.
     */
    static Map<String, String> brokerProperties(final String idle)
    {
        final Map<String, String> properties = new LinkedHashMap<>();
        properties.put(SluiceBroker.Context.IDLE_STRATEGY_PROP, idle);
        properties.put(SluiceBroker.Context.CLIENT_TERM_LENGTH_PROP, Integer.toString(TERM_LENGTH));
        properties.put(SluiceBroker.Context.LOG_PREFIX + LogConfig.PRETOUCH_BYTES, Long.toString(PRETOUCH_BYTES));
        final long segmentBytes = Long.getLong(SEGMENT_BYTES_PROP_NAME, 0);
        if (segmentBytes > 0)
        {
            properties.put(SluiceBroker.Context.LOG_PREFIX + LogConfig.SEGMENT_BYTES, Long.toString(segmentBytes));
        }
        return properties;
    }

    /**
     * Every partition with a full ISR and led by its preferred replica: the controller may first give a partition to
     * another replica and move it back within a second or two, and producing then would meet NOT_LEADER.
     */
    private TopicDescription awaitSteady(final long deadlineNs) throws InterruptedException
    {
        final int partitions = settings.partitions();
        SluiceCluster.awaitTopic(this::describe, partitions, REPLICATION_FACTOR,
            Math.max(0, deadlineNs - System.nanoTime()));
        final TopicDescription preferred =
            SluiceCluster.awaitPreferredLeaders(this::describe, Math.max(0, deadlineNs - System.nanoTime()));
        if (null != preferred && SluiceCluster.hasFullIsr(preferred, partitions, REPLICATION_FACTOR))
        {
            return preferred;
        }
        return SluiceCluster.awaitTopic(this::describe, partitions, REPLICATION_FACTOR,
            Math.max(TimeUnit.SECONDS.toNanos(10), deadlineNs - System.nanoTime()));
    }

    /**
     * Create the topic through any broker, moving to the next when one does not answer (a broker's agent may stall
     * while its new logs are written: see the README). An earlier attempt may have created it already.
     */
    private int createTopic(final long deadlineNs) throws InterruptedException
    {
        RuntimeException last;
        do
        {
            try
            {
                final ClientConnection connection = admin();
                try
                {
                    return connection.createTopic(settings.topic(), settings.partitions(), REPLICATION_FACTOR,
                        Map.of("min.insync.replicas", Integer.toString(MIN_INSYNC_REPLICAS)));
                }
                catch (final SluiceClientException ex)
                {
                    if (ErrorCode.TOPIC_EXISTS != ex.errorCode())
                    {
                        throw ex;
                    }
                    return connection.describeTopic(settings.topic()).topicId();
                }
            }
            catch (final RuntimeException ex)
            {
                // no quorum yet (the controller answers once a leader is elected), or the broker did not answer
                last = ex;
                dropAdmin();
                Thread.sleep(200);
            }
        }
        while (System.nanoTime() - deadlineNs < 0);
        throw new IllegalStateException("the cluster did not create the topic in time: " + last + cluster.state(),
            last);
    }

    /**
     * Describe the topic through the admin connection, or a new one to the next broker if that fails.
     */
    private TopicDescription describe()
    {
        try
        {
            return admin().describeTopic(settings.topic());
        }
        catch (final RuntimeException ex)
        {
            dropAdmin();
            throw ex;
        }
    }

    private ClientConnection admin()
    {
        if (null == admin)
        {
            admin = connect(cluster.address(adminBroker));
        }
        return admin;
    }

    private void dropAdmin()
    {
        CloseHelper.quietClose(admin);
        admin = null;
        adminBroker = (adminBroker + 1) % cluster.size();
    }

    private ClientConnection[] leaderConnections()
    {
        final int partitions = settings.partitions();
        final ClientConnection[] connections = new ClientConnection[partitions];
        final Map<Integer, ClientConnection> byLeader = new HashMap<>();
        try
        {
            for (final TopicDescription.PartitionDescription partition : started.partitions())
            {
                final int leader = partition.leader();
                ClientConnection connection = byLeader.get(leader);
                if (null == connection)
                {
                    final HostPort address = brokers.get(leader);
                    if (null == address)
                    {
                        throw new IllegalStateException("leader " + leader + " of partition " +
                            partition.partition() + " is not among the brokers " + brokers);
                    }
                    connection = connect(address.toString());
                    byLeader.put(leader, connection);
                }
                connections[partition.partition()] = connection;
            }
            return connections;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(byLeader.values());
            throw new IllegalStateException("cannot connect to the partitions' leaders: " + ex + cluster.state(), ex);
        }
    }

    private ClientConnection connect(final String address)
    {
        return ClientConnection.connect(new ClientConnection.Context()
            .bootstrap(address)
            .aeronDirectoryName(clientDriver.aeronDirectoryName())
            .termLength(TERM_LENGTH)
            .clientName("sluice-e2e-cluster"));
    }

    private void reportChanges()
    {
        try
        {
            TopicDescription described;
            try
            {
                described = describe();
            }
            catch (final RuntimeException ex)
            {
                described = describe(); // the next broker
            }
            final TopicDescription now = described;
            for (final TopicDescription.PartitionDescription partition : now.partitions())
            {
                final TopicDescription.PartitionDescription before = started.partitions().get(partition.partition());
                if (partition.leader() != before.leader() || partition.leaderEpoch() != before.leaderEpoch() ||
                    partition.isr().size() != REPLICATION_FACTOR)
                {
                    System.err.println("perf: " + NAME + ": partition " + partition.partition() + " changed during " +
                        "the run: leader " + before.leader() + " (epoch " + before.leaderEpoch() + ") -> " +
                        partition.leader() + " (epoch " + partition.leaderEpoch() + "), ISR " + partition.isr());
                }
            }
        }
        catch (final RuntimeException ex)
        {
            System.err.println("perf: " + NAME + ": could not describe the topic at the end: " + ex);
        }
    }

    private static String leaders(final TopicDescription description)
    {
        final StringBuilder leaders = new StringBuilder();
        final List<TopicDescription.PartitionDescription> partitions = description.partitions();
        for (int i = 0; i < partitions.size() && i < 8; i++)
        {
            leaders.append(0 == i ? "" : ",").append(partitions.get(i).leader());
        }
        return leaders.append(partitions.size() > 8 ? ",..." : "").toString();
    }
}
