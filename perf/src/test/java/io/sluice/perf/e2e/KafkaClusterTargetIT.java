package io.sluice.perf.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kafka-cluster}: three KRaft nodes in child JVMs, a topic with replication factor 3 (about 30 s here).
 */
class KafkaClusterTargetIT
{
    @TempDir
    File parent;

    private KafkaTarget target;

    @AfterEach
    void closeTarget()
    {
        if (null != target)
        {
            target.close();
        }
    }

    @Test
    void shouldAckWithAllReplicasAndConsumeEveryRecordInOrderThenLeaveNothingBehind() throws Exception
    {
        target = new KafkaTarget(KafkaTarget.CLUSTER_BROKERS);
        target.start(new E2eSettings("e2e-kafka-cluster", 1, 100, parent));
        assertEquals("kafka-cluster", target.name());
        assertTrue(target.description().contains("3 brokers") &&
            target.description().contains("replication factor 3, min.insync.replicas 2"), target.description());
        final List<ProcessHandle> brokers = target.broker().processHandles();
        assertEquals(3, brokers.size());
        final File directory = target.broker().directory();

        E2eTargetChecks.shouldAckAndConsumeEveryRecordInOrder(target, 3_000, 100, false, -1);
        target.close();
        target.close();

        for (final ProcessHandle broker : brokers)
        {
            assertFalse(broker.isAlive(), "broker JVM still running: " + broker.pid());
        }
        assertFalse(directory.exists(), "left behind: " + directory);
        assertEquals(0, parent.list().length, () -> "left behind: " + String.join(", ", parent.list()));
    }
}
