package io.sluice.transport.controller;

import io.aeron.CommonContext;
import io.aeron.cluster.service.Cluster;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.codecs.controller.ControllerError;
import io.sluice.transport.HostPort;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The controller quorum on Aeron Cluster, three members in this JVM (each with its own media driver, as each broker
 * has), and three brokers' controller clients: registration and images, topic creation seen by every broker, a
 * broker fenced when its session times out and its partitions led elsewhere, the quorum's leader killed and the
 * metadata still there, and a restart of the whole quorum from its snapshot and log.
 */
class ControllerQuorumTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    @TempDir
    File directory;

    private final Map<Integer, HostPort> members = new HashMap<>();
    private final List<MediaDriver> drivers = new ArrayList<>();
    private final ControllerNode[] nodes = new ControllerNode[3];
    private final ControllerClient[] clients = new ControllerClient[3];
    private final Set<Integer> frozen = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Throwable> clientError = new AtomicReference<>();
    private volatile boolean running = true;
    private Thread clientThread;
    /** The quorum's secret, and each client's; null for none. */
    private ClusterSecret quorumSecret;
    private final ClusterSecret[] clientSecrets = new ClusterSecret[3];

    @AfterEach
    void close() throws InterruptedException
    {
        running = false;
        if (null != clientThread)
        {
            clientThread.join();
        }
        for (final ControllerClient client : clients)
        {
            if (null != client)
            {
                client.onClose();
            }
        }
        CloseHelper.closeAll(nodes);
        CloseHelper.closeAll(drivers);
    }

    @Test
    void shouldKeepTheMetadataThroughBrokerAndControllerFailures() throws Exception
    {
        startQuorum();
        startClients();
        await(() -> allReady(), "every broker registered with an image");

        final ControllerClient.Response created =
            clients[0].createTopic("orders", 3, 3, Map.of("min.insync.replicas", "2")).get(30, TimeUnit.SECONDS);
        assertTrue(created.isOk(), created::toString);
        await(() -> seenByAll((m) -> null != m.topic("orders") && null != m.partition(m.topic("orders").topicId(), 2)),
            "every broker sees the topic");
        final long topicId = snapshotOf(1).topic("orders").topicId();
        final List<Integer> leaders = new ArrayList<>();
        for (int p = 0; p < 3; p++)
        {
            final PartitionInfo partition = snapshotOf(1).partition(topicId, p);
            assertEquals(List.of(0, 1, 2), partition.replicas().stream().sorted().toList());
            assertEquals(partition.replicas(), partition.isr());
            leaders.add(partition.leader());
        }
        assertEquals(3, Set.copyOf(leaders).size(), "leaders spread over the brokers: " + leaders);
        final ControllerClient.Response duplicate =
            clients[2].createTopic("orders", 1, 1, Map.of()).get(30, TimeUnit.SECONDS);
        assertEquals(ControllerError.TOPIC_EXISTS, duplicate.error());

        // Broker 1 stops keeping its session alive: fenced, its partition led by another in-sync replica.
        final int ledByOne = leaders.indexOf(1);
        frozen.add(1);
        await(() -> seenBy(0, (m) -> !m.broker(1).alive() && m.partition(topicId, ledByOne).leader() != 1),
            "broker 1 fenced and its partition led elsewhere");
        final PartitionInfo moved = snapshotOf(0).partition(topicId, ledByOne);
        assertEquals(1, moved.leaderEpoch());
        assertFalse(moved.isr().contains(1));

        // It comes back (same incarnation): alive again, and the preferred-leader check gives its partition back
        // once its leader puts it back in the ISR.
        frozen.remove(1);
        await(() -> seenBy(0, (m) -> m.broker(1).alive()), "broker 1 alive again");
        final PartitionInfo current = snapshotOf(0).partition(topicId, ledByOne);
        final List<Integer> expanded = new ArrayList<>(current.isr());
        expanded.add(1);
        final ControllerClient.Response alter = clients[current.leader()].alterPartition(topicId, ledByOne,
            current.leaderEpoch(), current.partitionEpoch(), expanded).get(30, TimeUnit.SECONDS);
        assertTrue(alter.isOk(), alter::toString);
        await(() -> seenBy(2, (m) -> m.partition(topicId, ledByOne).leader() == 1),
            "preferred leader 1 leads its partition again");

        // The quorum's leader dies: another member leads, with the same metadata, and serves requests.
        final int controllerLeader = leaderIndex();
        nodes[controllerLeader].close();
        nodes[controllerLeader] = null;
        final ControllerClient.Response afterFailover = awaitOk(() ->
            clients[(controllerLeader + 1) % 3].createTopic("audit", 1, 2, Map.of()));
        assertTrue(afterFailover.isOk(), afterFailover::toString);
        await(() -> seenByAll((m) -> null != m.topic("audit") && null != m.topic("orders")),
            "both topics seen by every broker after the failover");
        assertNotEquals(controllerLeader, leaderIndex());
        assertEquals(ControllerError.UNKNOWN_TOPIC,
            clients[0].deleteTopic("nope").get(30, TimeUnit.SECONDS).error());
    }

    @Test
    void shouldRestartTheQuorumFromItsSnapshotAndLog() throws Exception
    {
        startQuorum();
        startClients();
        await(this::allReady, "every broker registered");
        assertTrue(clients[0].createTopic("before-snapshot", 2, 2, Map.of()).get(30, TimeUnit.SECONDS).isOk());
        final int leader = leaderIndex();
        assertTrue(nodes[leader].takeSnapshot());
        awaitSnapshotOn(leader);
        assertTrue(clients[1].createTopic("after-snapshot", 1, 1, Map.of()).get(30, TimeUnit.SECONDS).isOk());
        await(() -> seenByAll((m) -> null != m.topic("after-snapshot")), "seen before the restart");

        // Every process stops; they start again on the same directories: the snapshot plus the log after it.
        running = false;
        clientThread.join();
        clientThread = null;
        for (int i = 0; i < 3; i++)
        {
            clients[i].onClose();
            clients[i] = null;
        }
        CloseHelper.closeAll(nodes);
        CloseHelper.closeAll(drivers);
        drivers.clear();
        startQuorum();
        running = true;
        startClients();
        await(() -> seenByAll((m) -> null != m.topic("before-snapshot") && null != m.topic("after-snapshot")),
            "both topics back after the restart");
        final ControllerClient.Response third = awaitOk(() -> clients[2].createTopic("third", 1, 1, Map.of()));
        assertTrue(third.isOk(), third::toString);
        await(() -> seenBy(2, (m) -> null != m.topic("third")), "a new topic after the restart");
        assertEquals(3, snapshotOf(2).topic("third").topicId(), "topic ids continue, never reused");
    }

    /**
     * A quorum with a secret: brokers that prove they hold it register; one with another secret is rejected by the
     * consensus module's authenticator on every try and never appears in the metadata.
     */
    @Test
    void shouldLetInOnlyTheBrokersThatHoldTheClusterSecret() throws Exception
    {
        quorumSecret = ClusterSecret.of("the-cluster-secret-0123456789");
        clientSecrets[0] = ClusterSecret.of("the-cluster-secret-0123456789");
        clientSecrets[1] = ClusterSecret.of("the-cluster-secret-0123456789");
        clientSecrets[2] = ClusterSecret.of("a-guess-at-the-secret-0123456");
        startQuorum();
        startClients();
        await(() -> clients[0].isReady() && clients[1].isReady(), "the brokers with the secret registered");
        await(() -> seenBy(0, (m) -> m.broker(0).alive() && m.broker(1).alive()), "both alive in the metadata");
        Thread.sleep(3_000); // several connect attempts of the third (one every 500 ms)
        assertFalse(clients[2].isReady(), "the broker without the secret is not let in");
        assertTrue(seenBy(0, (m) -> null == m.broker(2)), "and is not in the metadata");
    }

    private void startQuorum()
    {
        if (members.isEmpty())
        {
            for (int i = 0; i < 3; i++)
            {
                members.put(i, new HostPort("127.0.0.1", ControllerNode.Ports.freeLoopbackBlock()));
            }
        }
        if (drivers.isEmpty())
        {
            for (int i = 0; i < 3; i++)
            {
                drivers.add(MediaDriver.launch(new MediaDriver.Context()
                    .aeronDirectoryName(CommonContext.getAeronDirectoryName() + "-controller-test-" + UUID.randomUUID())
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new BackoffIdleStrategy())
                    .termBufferSparseFile(true)
                    .publicationTermBufferLength(256 * 1024)
                    .ipcTermBufferLength(256 * 1024)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)));
            }
        }
        for (int i = 0; i < 3; i++)
        {
            nodes[i] = ControllerNode.launch(new ControllerNode.Context()
                .nodeId(i)
                .members(members)
                .directory(new File(directory, "controller-" + i))
                .aeronDirectoryName(drivers.get(i).aeronDirectoryName())
                .sessionTimeout(2, TimeUnit.SECONDS)
                .leaderHeartbeatTimeout(1, TimeUnit.SECONDS)
                .leaderHeartbeatInterval(100, TimeUnit.MILLISECONDS)
                .electionTimeout(500, TimeUnit.MILLISECONDS)
                .startupCanvassTimeout(2, TimeUnit.SECONDS)
                .checkIntervalMs(200)
                .secret(quorumSecret)
                .logTermLength(256 * 1024));
        }
    }

    private void startClients()
    {
        for (int i = 0; i < 3; i++)
        {
            clients[i] = new ControllerClient(new ControllerClient.Context()
                .nodeId(i)
                .incarnationId(1000 + i)
                .advertised(new HostPort("127.0.0.1", members.get(i).port()))
                .replicationPort(members.get(i).port() + ControllerNode.Ports.REPLICATION)
                .members(members)
                .aeronDirectoryName(drivers.get(i).aeronDirectoryName())
                .keepAliveInterval(200, TimeUnit.MILLISECONDS)
                .secret(clientSecrets[i])
                .requestTimeout(10, TimeUnit.SECONDS));
        }
        startClientThread();
    }

    private void startClientThread()
    {
        clientThread = new Thread(() ->
        {
            final BackoffIdleStrategy idle = new BackoffIdleStrategy();
            try
            {
                while (running)
                {
                    int work = 0;
                    for (int i = 0; i < 3; i++)
                    {
                        if (!frozen.contains(i))
                        {
                            synchronized (clients[i])
                            {
                                work += clients[i].doWork();
                            }
                        }
                    }
                    idle.idle(work);
                }
            }
            catch (final Throwable ex)
            {
                clientError.set(ex);
            }
        }, "controller-clients");
        clientThread.start();
    }

    /** A copy of broker i's image, taken on the client thread's lock. */
    private ClusterMetadata snapshotOf(final int broker)
    {
        synchronized (clients[broker])
        {
            final ClusterMetadata copy = new ClusterMetadata();
            final ClusterMetadata image = clients[broker].metadata();
            copy.reset(image.version(), image.nextTopicId());
            image.forEachRecord((record) -> copy.apply(record, image.version()));
            return copy;
        }
    }

    private boolean seenBy(final int broker, final Function<ClusterMetadata, Boolean> check)
    {
        try
        {
            return check.apply(snapshotOf(broker));
        }
        catch (final RuntimeException ex)
        {
            return false; // not there yet
        }
    }

    private boolean seenByAll(final Function<ClusterMetadata, Boolean> check)
    {
        return seenBy(0, check) && seenBy(1, check) && seenBy(2, check);
    }

    private boolean allReady()
    {
        for (final ControllerClient client : clients)
        {
            if (!client.isReady())
            {
                return false;
            }
        }
        return true;
    }

    private int leaderIndex()
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (System.nanoTime() - deadline < 0)
        {
            for (int i = 0; i < 3; i++)
            {
                if (null != nodes[i] && nodes[i].role() == Cluster.Role.LEADER)
                {
                    return i;
                }
            }
            sleep();
        }
        throw new AssertionError("no controller leader");
    }

    private void awaitSnapshotOn(final int leader)
    {
        final File clusterDir = new File(new File(directory, "controller-" + leader), "cluster");
        await(() -> new io.aeron.cluster.RecordingLog(clusterDir, false).getLatestSnapshot(0) != null,
            "a snapshot in the leader's recording log");
    }

    private ControllerClient.Response awaitOk(
        final java.util.function.Supplier<java.util.concurrent.CompletableFuture<ControllerClient.Response>> request)
        throws Exception
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        ControllerClient.Response response;
        do
        {
            response = request.get().get(30, TimeUnit.SECONDS);
        }
        while (response.error() == ControllerError.TIMED_OUT && System.nanoTime() - deadline < 0);
        assertNotNull(response);
        return response;
    }

    private void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (null != clientError.get())
            {
                throw new AssertionError("client thread failed", clientError.get());
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out waiting for: " + what + "; broker 0 holds " + snapshotOf(0));
            }
            sleep();
        }
    }

    private static void sleep()
    {
        try
        {
            Thread.sleep(20);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /** A base port whose block of {@link ControllerNode.Ports#COUNT} UDP ports is free now. */
}
