package io.sluice.perf.e2e;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.File;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AeronRawTargetTest
{
    @TempDir
    File parent;

    private final Set<Thread> threadsBefore = E2eTargetChecks.liveThreads();
    private final AeronRawTarget target = new AeronRawTarget();

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
    void shouldConsumeOnlyRecordsSentAfterTheConsumerWasCreatedWhenRunTwice() throws Exception
    {
        target.start(settings(100));
        E2eTargetChecks.shouldAckAndConsumeEveryRecordInOrder(target, 1_000, 100, false);

        E2eTargetChecks.shouldAckAndConsumeEveryRecordInOrder(target, 1_000, 100, false);
    }

    @Test
    void shouldClosePongPublicationWhenItsProducerCloses() throws Exception
    {
        target.start(settings(100));
        E2eTargetChecks.shouldAckAndConsumeEveryRecordInOrder(target, 100, 100, false);
        E2eTargetChecks.shouldAckEachProducerItsOwnRecordsWhenTwoSendAtOnce(target, 100);

        final long deadlineNs = System.nanoTime() + E2eTargetChecks.TIMEOUT_NS;
        while (target.echoSessions() > 0 && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }

        assertEquals(0, target.echoSessions());
    }

    @Test
    void shouldAckAtSendAndStillDrainThePongsWhenAcksIsZero() throws Exception
    {
        target.start(settings(100));
        final E2eTargetChecks.CountingListener acks = new E2eTargetChecks.CountingListener(50_000);
        final AtomicLong consumed = new AtomicLong();

        try (E2eConsumer consumer = target.newConsumer();
            E2eProducer producer = target.newProducer(0, E2eTarget.ProducerProfile.THROUGHPUT, acks))
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[100]);
            // Far more than the pong and ping windows hold: the sends only go through if poll drains the pongs.
            for (int sequence = 0; sequence < 50_000; sequence++)
            {
                while (!producer.send(payload, 0, payload.capacity(), sequence))
                {
                    producer.poll();
                    consumer.poll((buffer, offset, length) -> consumed.incrementAndGet());
                }
                consumer.poll((buffer, offset, length) -> consumed.incrementAndGet());
                assertEquals(sequence + 1, acks.total.get());
            }
            assertTrue(producer.flush(0));
            final long deadlineNs = System.nanoTime() + E2eTargetChecks.TIMEOUT_NS;
            while (consumed.get() < 50_000 && System.nanoTime() - deadlineNs < 0)
            {
                producer.poll();
                consumer.poll((buffer, offset, length) -> consumed.incrementAndGet());
            }
        }

        acks.assertEachOnce(50_000);
        assertEquals(50_000, consumed.get());
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
    void shouldLeaveNoDirectoryNorThreadsBehindWhenClosedTwice() throws Exception
    {
        target.start(settings(100));
        final File aeronDirectory = target.aeronDirectory();
        assertNotNull(aeronDirectory);
        assertTrue(aeronDirectory.isDirectory());
        E2eTargetChecks.shouldAckAndConsumeEveryRecordInOrder(target, 100, 100, false);
        assertTrue(threadNames().contains(AeronRawTarget.ECHO_ROLE_NAME), () -> "threads: " + threadNames());

        target.close();
        target.close();

        assertFalse(aeronDirectory.exists(), () -> "left behind: " + aeronDirectory);
        assertEquals(0, parent.list().length, () -> "left behind: " + String.join(", ", parent.list()));
        final List<String> threads = E2eTargetChecks.threadsLeftBehind(threadsBefore, Set.of());
        assertTrue(threads.isEmpty(), () -> "threads left behind: " + threads);
    }

    @Test
    void shouldCloseQuietlyWhenNeverStarted()
    {
        target.close();
        target.close();
    }

    private static Set<String> threadNames()
    {
        final Set<String> names = new HashSet<>();
        for (final Thread thread : E2eTargetChecks.liveThreads())
        {
            names.add(thread.getName());
        }
        return names;
    }

    private E2eSettings settings(final int recordSize)
    {
        return new E2eSettings("sluice-e2e", 2, recordSize, parent);
    }
}
