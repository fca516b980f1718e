package io.sluice.perf.e2e;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class E2ePhasesTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final ManualClock clock = new ManualClock();
    private final FakeTarget target = new FakeTarget("fake", clock);
    private final E2ePhases phases = new E2ePhases(clock, 100, DRAIN_TIMEOUT_NS);

    @Test
    void shouldChargeAStallToEveryRecordItDelaysWhenMeasuringAcks() throws Exception
    {
        // 1,000 msgs/s: a 100 ms stall while taking record 500 delays records 500..599 by 100..1 ms.
        target.stallSequence = 500;
        target.stallNs = 100 * MS;

        final E2ePhases.LatencyResult result = phases.produceToAck(target, 1_000, 0, 2_000);

        final Histogram h = result.histogram;
        assertEquals(2_000, h.getTotalCount());
        assertEquals(0, result.missing());
        // The 20 slowest of 2,000 (p99) waited 81..100 ms: timed from the send instead, only one record would.
        assertTrue(h.getValueAtPercentile(99) >= 80 * MS, () -> "p99 " + h.getValueAtPercentile(99));
        assertEquals(51, h.getCountBetweenValues(50 * MS, 100 * MS), "records delayed 50..100 ms");
        assertTrue(h.getMaxValue() >= 100 * MS, () -> "max " + h.getMaxValue());
        assertEquals(0, h.getValueAtPercentile(90));
        assertEquals(0, target.producersOpen.get());
    }

    @Test
    void shouldChargeBackPressureToEveryRecordItDelaysWhenMeasuringAcks() throws Exception
    {
        // Each refusal idles the manual clock 1 us: 100,000 refusals hold record 300 back for 100 ms.
        target.rejectSequence = 300;
        target.rejections = 100_000;

        final E2ePhases.LatencyResult result = phases.produceToAck(target, 1_000, 0, 2_000);

        final Histogram h = result.histogram;
        assertEquals(2_000, h.getTotalCount());
        assertTrue(h.getValueAtPercentile(99) >= 80 * MS, () -> "p99 " + h.getValueAtPercentile(99));
        assertTrue(h.getMaxValue() >= 100 * MS, () -> "max " + h.getMaxValue());
    }

    @Test
    void shouldRecordNothingOfTheWarmUpWhenTheStallFallsInIt() throws Exception
    {
        target.stallSequence = 500;
        target.stallNs = 100 * MS;

        final E2ePhases.LatencyResult result = phases.produceToAck(target, 1_000, 1_000, 2_000);

        assertEquals(2_000, result.histogram.getTotalCount());
        assertEquals(0, result.histogram.getMaxValue());
        assertEquals(1_000.0, result.achievedRate, 1.0);
    }

    @Test
    void shouldReportALowerAchievedRateWhenTheSenderFallsBehind() throws Exception
    {
        // Every send costs 2 ms at 1,000 msgs/s: the sender can only manage 500 msgs/s and latency keeps growing.
        target.sendCostNs = 2 * MS;

        final E2ePhases.LatencyResult result = phases.produceToAck(target, 1_000, 0, 1_000);

        assertEquals(500.0, result.achievedRate, 1.0);
        assertTrue(result.histogram.getMaxValue() >= 990 * MS, () -> "max " + result.histogram.getMaxValue());
    }

    @Test
    void shouldChargeAStallToEveryRecordItDelaysWhenMeasuringConsumption() throws Exception
    {
        target.stallSequence = 500;
        target.stallNs = 100 * MS;

        final E2ePhases.LatencyResult result = phases.produceToConsume(target, 1_000, 100, 2_000);

        final Histogram h = result.histogram;
        assertEquals(2_000, h.getTotalCount(), "every measured record consumed, none of the warm-up");
        assertEquals(0, result.missing());
        // Lower bounds only: the consumer thread reads a clock the sender keeps moving.
        assertTrue(h.getValueAtPercentile(99) >= 80 * MS, () -> "p99 " + h.getValueAtPercentile(99));
        assertEquals(0, target.producersOpen.get());
        assertEquals(0, target.consumersOpen.get());
    }

    @Test
    void shouldCountAcksOverTheWindowWhenMeasuringThroughput() throws Exception
    {
        target.sendCostNs = 1_000;

        final E2ePhases.ThroughputResult result = phases.maxThroughput(target, MS, 10 * MS, 0);

        assertEquals(1_000_000.0, result.recordsPerSecond(), 1_000.0);
        assertEquals(100.0, result.megabytesPerSecond(), 0.1);
        assertEquals(0, result.errors);
    }

    @Test
    void shouldEndTheWindowAfterTheGivenAcksWhenMeasuringThroughputByCount() throws Exception
    {
        target.sendCostNs = 1_000;

        final E2ePhases.ThroughputResult result = phases.maxThroughput(target, MS, 10 * MS, 5_000);

        assertEquals(5_000, result.records);
        assertEquals(5 * MS, result.elapsedNs);
    }

    @Test
    void shouldSendEachRecordAtItsDueTimeWhenTheTargetKeepsUp() throws Exception
    {
        // Rate control: at 1,000 msgs/s record i is sent 1 ms after record i - 1, never earlier, never in a burst.
        target.sendTimesNs = new long[2_000];

        phases.produceToAck(target, 1_000, 500, 1_500);

        final long[] sent = target.sendTimesNs;
        for (int i = 1; i < sent.length; i++)
        {
            assertEquals(MS, sent[i] - sent[i - 1], "gap before record " + i);
        }
    }

    @Test
    void shouldTakeAnAcknowledgementWhenItArrivesWhenOnlyPollingDeliversIt() throws Exception
    {
        // Each record is acknowledged 10 us after it is taken, by a poll: the sender must keep polling rather than
        // idle until the next record is due, 1 ms later, and charge that wait to the acknowledgement.
        target.ackDelayNs = 10_000;
        target.acksInPoll = true;

        final Histogram h = phases.produceToAck(target, 1_000, 0, 1_000).histogram;

        assertEquals(1_000, h.getTotalCount());
        assertTrue(h.getMaxValue() <= 11_000 + ManualClock.BACK_PRESSURE_IDLE_NS, () -> "max " + h.getMaxValue());
    }

    @Test
    void shouldNotPollForAcknowledgementsWhenTheClientDeliversThemItself() throws Exception
    {
        // The same delay, but the target says its client acknowledges on its own: the sender idles to the next
        // due time (this fake only acknowledges in a poll, so the wait shows).
        target.ackDelayNs = 10_000;

        final Histogram h = phases.produceToAck(target, 1_000, 0, 1_000).histogram;

        assertTrue(h.getValueAtPercentile(50) >= 990_000, () -> "p50 " + h.getValueAtPercentile(50));
    }

    @Test
    void shouldSplitTheRateOverProducersWhenThereAreSeveral()
    {
        final E2ePhases.Workload workload = new E2ePhases.Workload(1, 1_001, 3, 0, 1);

        assertEquals(334, workload.rateOf(0));
        assertEquals(334, workload.rateOf(1));
        assertEquals(333, workload.rateOf(2));
        assertThrows(IllegalArgumentException.class, () -> new E2ePhases.Workload(1, 2, 3, 0, 1));
    }

    @Test
    void shouldPaceEveryProducerAndConsumeAllTheirRecordsWhenThereAreSeveral() throws Exception
    {
        // 3 producers at 3,000 msgs/s together, 1 s of warm-up then 2 s measured: each sends 1,000 msgs/s.
        final E2ePhases.LatencyResult result = phases.latency(target, E2ePhases.LatencyKind.PRODUCE_TO_CONSUME,
            new E2ePhases.Workload(1, 3_000, 3, 3_000, 6_000), E2ePhases.PhaseProgress.NONE);

        assertEquals(6_000, result.expected, "measured records of all producers");
        assertEquals(6_000, result.histogram.getTotalCount(), "each consumed once, none of the warm-up");
        assertEquals(9_000, target.taken.get());
        assertEquals(3, target.producersCreated.get());
        assertEquals(0, target.producersOpen.get());
        assertEquals(0, target.consumersOpen.get());
    }

    @Test
    void shouldCloseEveryProducerAndRethrowWhenOneFailsToOpen()
    {
        final FakeTarget failing = new FakeTarget("failing", clock)
        {
            private final AtomicInteger asked = new AtomicInteger();

            public E2eProducer newProducer(
                final int acks, final ProducerProfile profile, final E2eProducer.AckListener listener)
            {
                if (2 == asked.getAndIncrement())
                {
                    throw new IllegalStateException("no more producers");
                }
                return super.newProducer(acks, profile, listener);
            }
        };

        failing.sendCostNs = 1_000;

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> phases.maxThroughput(
            failing, 1, 3, MS, MS, 0, E2ePhases.PhaseProgress.NONE));

        assertEquals("no more producers", ex.getMessage());
        assertEquals(0, failing.producersOpen.get());
    }

    @Test
    void shouldComputeDueTimesWithoutOverflowWhenSequencesAreLarge()
    {
        assertEquals(333_333_333L, E2ePhases.offsetNs(1, 3));
        assertEquals(TimeUnit.HOURS.toNanos(1), E2ePhases.offsetNs(3_600L * 10_000_000L, 10_000_000L));
        assertEquals(TimeUnit.HOURS.toNanos(1) + 100, E2ePhases.offsetNs(3_600L * 10_000_000L + 1, 10_000_000L));
    }
}
