package io.sluice.perf.e2e;

import io.sluice.transport.ClientConnection;
import io.sluice.transport.TopicDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice-cluster}: three brokers in child JVMs. Each test starts a cluster (about 5-10 s on 2 cores), with
 * 16 MiB segments: each new replica zero-fills its first segment on its broker's agent thread, and with the default
 * 256 MiB on a disk still writing back the build an agent stalled past Aeron's 10 s service interval (see the README).
 */
class SluiceClusterTargetIT
{
    @TempDir
    File parent;

    private final Set<Thread> threadsBefore = E2eTargetChecks.liveThreads();
    private SluiceClusterTarget target;

    @BeforeEach
    void smallSegments()
    {
        System.setProperty(SluiceClusterTarget.SEGMENT_BYTES_PROP_NAME, Integer.toString(16 * 1024 * 1024));
    }

    @AfterEach
    void closeTarget()
    {
        System.clearProperty(SluiceClusterTarget.SEGMENT_BYTES_PROP_NAME);
        if (null != target)
        {
            target.close();
        }
    }

    @Test
    void shouldAckWithAllReplicasAndConsumeEveryRecordInOrderThenLeaveNothingBehind() throws Exception
    {
        target = new SluiceClusterTarget();
        target.start(new E2eSettings("e2e-cluster", 1, 100, parent));
        assertTrue(target.description().contains("replication factor 3, min.insync.replicas 2"),
            target.description());

        E2eTargetChecks.shouldAckAndConsumeEveryRecordInOrder(target, 5_000, 100, false, -1);
        // A second round: the new consumer starts at the end, so sequences start at 0 again.
        E2eTargetChecks.shouldAckAndConsumeEveryRecordInOrder(target, 1_000, 100, true, -1);

        assertClosesCleanly();
    }

    @Test
    void shouldProduceToAndConsumeFromEachPartitionsLeaderWhenLeadersDiffer() throws Exception
    {
        target = new SluiceClusterTarget();
        target.start(new E2eSettings("e2e-cluster", 3, 100, parent));
        final Set<Integer> leaders = new HashSet<>();
        final TopicDescription description = SluiceCluster.awaitTopic(
            this::describe, 3, SluiceClusterTarget.REPLICATION_FACTOR, TimeUnit.SECONDS.toNanos(10));
        description.partitions().forEach((partition) -> leaders.add(partition.leader()));
        assertTrue(leaders.size() > 1, "the partitions' leaders should differ: " + description);
        final E2ePhases phases = new E2ePhases(PacingClock.SYSTEM, 100, TimeUnit.SECONDS.toNanos(10));

        final E2ePhases.LatencyResult ack = phases.latency(target, E2ePhases.LatencyKind.PRODUCE_TO_ACK,
            new E2ePhases.Workload(-1, 1_000, 1, 200, 800), E2ePhases.PhaseProgress.NONE);
        final E2ePhases.LatencyResult consume = phases.latency(target, E2ePhases.LatencyKind.PRODUCE_TO_CONSUME,
            new E2ePhases.Workload(-1, 1_000, 2, 200, 800), E2ePhases.PhaseProgress.NONE);

        assertEquals(0, ack.missing());
        assertEquals(0, ack.errors);
        assertEquals(800, ack.histogram.getTotalCount());
        assertEquals(0, consume.missing());
        assertEquals(0, consume.errors);
        assertEquals(800, consume.histogram.getTotalCount());
        assertClosesCleanly();
    }

    private TopicDescription describe()
    {
        try (ClientConnection connection = ClientConnection.connect(new ClientConnection.Context()
            .bootstrap(target.cluster().address(0))
            .aeronDirectoryName(target.clientDriver().aeronDirectoryName())
            .clientName("sluice-e2e-cluster-test")))
        {
            return connection.describeTopic("e2e-cluster");
        }
    }

    private void assertClosesCleanly()
    {
        final SluiceCluster cluster = target.cluster();
        final List<ProcessHandle> brokers = new ArrayList<>();
        final List<File> aeronDirectories = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++)
        {
            brokers.add(cluster.member(i).processHandle());
            aeronDirectories.add(new File(cluster.member(i).aeronDirectory()));
        }
        aeronDirectories.add(new File(target.clientDriver().aeronDirectoryName()));
        aeronDirectories.forEach((directory) -> assertTrue(directory.exists(), directory.getPath()));
        final File clusterDirectory = cluster.directory();

        target.close();
        target.close();

        for (final ProcessHandle broker : brokers)
        {
            assertNotNull(broker);
            assertFalse(broker.isAlive(), "broker JVM still running: " + broker.pid());
        }
        for (final File directory : aeronDirectories)
        {
            assertFalse(directory.exists(), "Aeron directory left behind: " + directory);
        }
        assertFalse(clusterDirectory.exists(), "left behind: " + clusterDirectory);
        assertEquals(0, parent.list().length, () -> "left behind: " + String.join(", ", parent.list()));
        final List<String> threads = E2eTargetChecks.threadsLeftBehind(threadsBefore, Set.of());
        assertTrue(threads.isEmpty(), () -> "threads left behind: " + threads);
    }
}
