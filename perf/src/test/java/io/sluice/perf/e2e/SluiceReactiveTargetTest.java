package io.sluice.perf.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SluiceReactiveTargetTest
{
    @TempDir
    File parent;

    private final Set<Thread> threadsBefore = E2eTargetChecks.liveThreads();
    private SluiceReactiveTarget target;

    @AfterEach
    void closeTarget()
    {
        if (null != target)
        {
            target.close();
        }
    }

    private void start(final boolean ipc, final int partitions) throws Exception
    {
        target = new SluiceReactiveTarget(ipc);
        target.start(new E2eSettings("e2e-reactive", partitions, 100, parent));
    }

    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void shouldAckAndConsumeEveryRecordInOrderAndStartConsumersAtTheEnd(final boolean ipc) throws Exception
    {
        start(ipc, 1);

        E2eTargetChecks.shouldAckAndConsumeEveryRecordInOrder(target, 20_000, 100, false);
        // A second round: the new consumer starts at the end, so sequences start at 0 again.
        E2eTargetChecks.shouldAckAndConsumeEveryRecordInOrder(target, 1_000, 100, true);
    }

    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void shouldAckEachProducerItsOwnRecordsWhenTwoProducersSendAtOnce(final boolean ipc) throws Exception
    {
        start(ipc, 1); // the check wants each producer's records in order: one partition

        E2eTargetChecks.shouldAckEachProducerItsOwnRecordsWhenTwoSendAtOnce(target, 5_000);
    }

    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void shouldMeasureEveryPhaseAndLeaveNothingBehind(final boolean ipc) throws Exception
    {
        start(ipc, 2);
        final E2ePhases phases = new E2ePhases(PacingClock.SYSTEM, 100, TimeUnit.SECONDS.toNanos(10));

        final E2ePhases.LatencyResult ack = phases.produceToAck(target, 1_000, 200, 800);
        final E2ePhases.LatencyResult consume = phases.produceToConsume(target, 1_000, 200, 800);
        final E2ePhases.ThroughputResult throughput = phases.maxThroughput(
            target, TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.MILLISECONDS.toNanos(300), 0);

        assertEquals(0, ack.missing());
        assertEquals(800, ack.histogram.getTotalCount());
        assertEquals(0, consume.missing());
        assertEquals(800, consume.histogram.getTotalCount());
        assertEquals(0, throughput.errors);
        assertTrue(throughput.records > 0, "records acknowledged in the throughput window");

        target.close();
        target.close();
        assertEquals(0, parent.list().length, () -> "left behind: " + String.join(", ", parent.list()));
        final List<String> threads = E2eTargetChecks.threadsLeftBehind(threadsBefore, Set.of());
        assertTrue(threads.isEmpty(), () -> "threads left behind: " + threads);
    }
}
