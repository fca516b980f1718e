package io.sluice.perf.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChronicleTargetTest
{
    /** Chronicle's own threads that live as long as the JVM once started, whoever starts them. */
    private static final Set<String> CHRONICLE_JVM_THREADS = Set.of("background~resource~releaser");

    @TempDir
    File parent;

    private final Set<Thread> threadsBefore = E2eTargetChecks.liveThreads();
    private final ChronicleTarget target = new ChronicleTarget();

    @AfterEach
    void closeTarget()
    {
        target.close();
    }

    @ParameterizedTest
    @CsvSource({ "20000, 100, false", "2000, 100, true", "50, 1000000, false" })
    void shouldAckAndConsumeEveryRecordInOrderWhenProducedAfterTheConsumer(
        final int records, final int recordSize, final boolean heapBuffer) throws Exception
    {
        target.start(settings(recordSize));

        E2eTargetChecks.shouldAckAndConsumeEveryRecordInOrder(target, records, recordSize, heapBuffer);
    }

    @Test
    void shouldAckEachProducerItsOwnRecordsWhenTwoProducersSendAtOnce() throws Exception
    {
        target.start(settings(64));

        E2eTargetChecks.shouldAckEachProducerItsOwnRecordsWhenTwoSendAtOnce(target, 5_000);
    }

    @Test
    void shouldConsumeOnlyRecordsSentAfterTheConsumerWasCreatedWhenTheQueueHasRecords() throws Exception
    {
        target.start(settings(100));
        E2eTargetChecks.shouldAckAndConsumeEveryRecordInOrder(target, 1_000, 100, false);

        // A second round on the same queue: the new consumer starts at the end, so sequences start at 0 again.
        E2eTargetChecks.shouldAckAndConsumeEveryRecordInOrder(target, 1_000, 100, false);
    }

    @Test
    void shouldMeasureEveryPhaseWithoutLosingRecordsWhenDrivenByThePhases() throws Exception
    {
        target.start(settings(100));
        final E2ePhases phases = new E2ePhases(PacingClock.SYSTEM, 100, TimeUnit.SECONDS.toNanos(10));

        final E2ePhases.LatencyResult ack = phases.produceToAck(target, 1_000, 200, 800);
        final E2ePhases.LatencyResult consume = phases.produceToConsume(target, 1_000, 200, 800);
        final E2ePhases.ThroughputResult throughput = phases.maxThroughput(
            target, TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.MILLISECONDS.toNanos(300), 0);

        assertEquals(0, ack.missing());
        assertEquals(0, ack.errors);
        assertEquals(800, ack.histogram.getTotalCount());
        assertEquals(0, consume.missing());
        assertEquals(0, consume.errors);
        assertEquals(800, consume.histogram.getTotalCount());
        assertEquals(0, throughput.errors);
        assertTrue(throughput.records > 0, "records acknowledged in the throughput window");
    }

    @Test
    void shouldLeaveNoFilesNorThreadsBehindWhenClosedTwice() throws Exception
    {
        target.start(settings(100));
        E2eTargetChecks.shouldAckAndConsumeEveryRecordInOrder(target, 100, 100, false);
        assertTrue(target.description().contains("partitions ignored"), target.description());

        target.close();
        target.close();

        assertEquals(0, parent.list().length, () -> "left behind: " + String.join(", ", parent.list()));
        final List<String> threads = E2eTargetChecks.threadsLeftBehind(threadsBefore, CHRONICLE_JVM_THREADS);
        assertTrue(threads.isEmpty(), () -> "threads left behind: " + threads);
    }

    @Test
    void shouldCloseQuietlyWhenStartFailedOrNeverHappened() throws Exception
    {
        target.close();
        final File notADirectory = Files.createFile(new File(parent, "file").toPath()).toFile();

        assertThrows(Exception.class, () -> target.start(new E2eSettings("t", 1, 100, notADirectory)));
        target.close();
        target.close();

        assertEquals(List.of("file"), List.of(parent.list()));
    }

    private E2eSettings settings(final int recordSize)
    {
        return new E2eSettings("sluice-e2e", 2, recordSize, parent);
    }
}
