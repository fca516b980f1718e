package io.sluice.perf.e2e;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static io.sluice.perf.e2e.E2ePayloadDescriptor.BYTE_ORDER;
import static io.sluice.perf.e2e.E2ePayloadDescriptor.DUE_TIME_OFFSET;
import static io.sluice.perf.e2e.E2ePayloadDescriptor.SEQUENCE_OFFSET;

/**
 * The measuring loops of {@link E2eBenchmark}, one target at a time:
 * <ul>
 *   <li><b>produce to ack</b>: open loop at a fixed rate: record i is due at {@code start + i / rate}; the sender
 *   waits for that time (parking or yielding, see {@link PacingClock}), stamps the due time and the sequence into the
 *   record and sends it; its latency is the time its acknowledgement arrives minus its due time. A stall of the
 *   producer or the broker, and back-pressure, are charged to every record they delay (no coordinated omission).</li>
 *   <li><b>produce to consume</b>: the same sending, with a consumer thread (positioned at the end before the first
 *   send) that takes {@link PacingClock#nanoTime()} when a record is handed to it and subtracts the due time it
 *   carries.</li>
 *   <li><b>max throughput</b>: one sender, as fast as the producer takes records (its own batching and back-pressure);
 *   acknowledged records per second over a window after a warm-up.</li>
 * </ul>
 * The first {@code warmupRecords} records of a paced phase are sent and consumed like the others but not recorded.
 * <p>
 * Threads: the caller is the sender. Acknowledgements are recorded on whichever thread delivers them (an HdrHistogram
 * {@link Recorder}, safe for that), consumed records on the consumer thread this class starts and joins.
 * Allocation: none per record in these loops; what the target allocates is the target's.
 */
final class E2ePhases
{
    static final int ACKS = 1;
    static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);
    static final int SIGNIFICANT_DIGITS = 3;
    /** Upper bound of a window measured by record count, so that a target that stops acknowledging cannot hang. */
    static final long MAX_THROUGHPUT_WINDOW_NS = TimeUnit.MINUTES.toNanos(10);

    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
    /** Between taking the start time and the first due time: the first record is not late by construction. */
    private static final long START_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long DRAIN_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    /** What a latency phase measures. */
    enum LatencyKind
    {
        PRODUCE_TO_ACK("produce-to-ack"),
        PRODUCE_TO_CONSUME("produce-to-consume");

        final String label;

        LatencyKind(final String label)
        {
            this.label = label;
        }
    }

    /** One latency phase of one target. */
    static final class LatencyResult
    {
        final String target;
        final LatencyKind kind;
        final long rate;
        final Histogram histogram;
        final long expected;
        final double achievedRate;
        final long errors;
        final Throwable firstError;

        LatencyResult(
            final String target,
            final LatencyKind kind,
            final long rate,
            final Histogram histogram,
            final long expected,
            final double achievedRate,
            final long errors,
            final Throwable firstError)
        {
            this.target = target;
            this.kind = kind;
            this.rate = rate;
            this.histogram = histogram;
            this.expected = expected;
            this.achievedRate = achievedRate;
            this.errors = errors;
            this.firstError = firstError;
        }

        /**
         * Measured records that were sent but never recorded: failed, or not acknowledged or received in time.
         *
         * @return 0 if all arrived.
         */
        long missing()
        {
            return Math.max(0, expected - histogram.getTotalCount());
        }
    }

    /** The throughput phase of one target. */
    static final class ThroughputResult
    {
        final String target;
        final int recordSize;
        final long records;
        final long elapsedNs;
        final long errors;
        final Throwable firstError;

        ThroughputResult(
            final String target,
            final int recordSize,
            final long records,
            final long elapsedNs,
            final long errors,
            final Throwable firstError)
        {
            this.target = target;
            this.recordSize = recordSize;
            this.records = records;
            this.elapsedNs = elapsedNs;
            this.errors = errors;
            this.firstError = firstError;
        }

        double recordsPerSecond()
        {
            return records * 1e9 / Math.max(1, elapsedNs);
        }

        /**
         * Payload megabytes (10^6 bytes) per second: records times the record size.
         *
         * @return MB/s.
         */
        double megabytesPerSecond()
        {
            return recordsPerSecond() * recordSize / 1e6;
        }
    }

    private final PacingClock clock;
    private final int recordSize;
    private final long drainTimeoutNs;
    private final UnsafeBuffer payload;

    /**
     * @param clock          the time of the phases and how the sender waits.
     * @param recordSize     bytes of every record's value.
     * @param drainTimeoutNs the longest a phase waits after its last send for acknowledgements and consumed records.
     */
    E2ePhases(final PacingClock clock, final int recordSize, final long drainTimeoutNs)
    {
        if (recordSize < E2ePayloadDescriptor.MIN_LENGTH)
        {
            throw new IllegalArgumentException("record size below " + E2ePayloadDescriptor.MIN_LENGTH + ": " +
                recordSize);
        }
        this.clock = clock;
        this.recordSize = recordSize;
        this.drainTimeoutNs = drainTimeoutNs;
        this.payload = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(recordSize, Long.BYTES), Long.BYTES), 0, recordSize);
    }

    /**
     * Nanoseconds from the start of a paced phase to the due time of a record, without overflow for any sequence a
     * run can reach.
     *
     * @param sequence of the record.
     * @param rate     records per second.
     * @return {@code sequence * 10^9 / rate}, rounded down.
     */
    static long offsetNs(final long sequence, final long rate)
    {
        return (sequence / rate) * NANOS_PER_SECOND + (sequence % rate) * NANOS_PER_SECOND / rate;
    }

    /**
     * Produce at {@code rate} and record each record's time from due to acknowledged.
     *
     * @param target        started.
     * @param rate          records per second.
     * @param warmupRecords sent first, not recorded.
     * @param records       measured.
     * @return the result.
     * @throws Exception if the target fails.
     */
    LatencyResult produceToAck(final E2eTarget target, final long rate, final long warmupRecords, final long records)
        throws Exception
    {
        final PacedAcks acks = new PacedAcks(clock, rate, warmupRecords);
        try (E2eProducer producer = target.newProducer(ACKS, E2eTarget.ProducerProfile.LATENCY, acks))
        {
            final long start = clock.nanoTime() + START_DELAY_NS;
            acks.start(start);
            final long lastSendNs = sendPaced(producer, start, rate, warmupRecords + records);
            producer.flush(drainTimeoutNs);
            return new LatencyResult(target.name(), LatencyKind.PRODUCE_TO_ACK, rate, acks.histogram(), records,
                achievedRate(start, rate, warmupRecords, records, lastSendNs), acks.errors(), acks.firstError());
        }
    }

    /**
     * Produce at {@code rate} and record each record's time from due to handed to a consumer.
     *
     * @param target        started.
     * @param rate          records per second.
     * @param warmupRecords sent first, not recorded.
     * @param records       measured.
     * @return the result.
     * @throws Exception if the target or the consumer thread fails.
     */
    LatencyResult produceToConsume(
        final E2eTarget target, final long rate, final long warmupRecords, final long records) throws Exception
    {
        final long total = warmupRecords + records;
        final PacedAcks acks = new PacedAcks(clock, rate, warmupRecords);
        try (E2eConsumer consumer = target.newConsumer())
        {
            final ConsumerLoop loop = new ConsumerLoop(consumer, clock, warmupRecords);
            final Thread thread = new Thread(loop, "sluice-e2e-consumer");
            thread.setDaemon(true);
            thread.start();
            final double achievedRate;
            try (E2eProducer producer = target.newProducer(ACKS, E2eTarget.ProducerProfile.LATENCY, acks))
            {
                final long start = clock.nanoTime() + START_DELAY_NS;
                acks.start(start);
                final long lastSendNs = sendPaced(producer, start, rate, total);
                achievedRate = achievedRate(start, rate, warmupRecords, records, lastSendNs);
                producer.flush(drainTimeoutNs);
                final long deadline = System.nanoTime() + drainTimeoutNs;
                while (loop.received() < total && thread.isAlive() && System.nanoTime() - deadline < 0)
                {
                    LockSupport.parkNanos(DRAIN_CHECK_NS);
                }
            }
            finally
            {
                loop.stop();
                thread.join();
            }
            if (null != loop.failure)
            {
                throw new IllegalStateException(target.name() + " consumer failed", loop.failure);
            }
            return new LatencyResult(target.name(), LatencyKind.PRODUCE_TO_CONSUME, rate, loop.histogram, records,
                achievedRate, acks.errors(), acks.firstError());
        }
    }

    /**
     * Produce as fast as the producer takes records for {@code warmupNs}, then count acknowledgements over a window
     * of {@code durationNs}, or until {@code records} more are acknowledged if {@code records > 0}.
     *
     * @param target     started.
     * @param warmupNs   before the window.
     * @param durationNs of the window, if {@code records == 0}.
     * @param records    acknowledgements that end the window, or 0 to end it by time.
     * @return the result.
     * @throws Exception if the target fails.
     */
    ThroughputResult maxThroughput(
        final E2eTarget target, final long warmupNs, final long durationNs, final long records) throws Exception
    {
        final CountingAcks acks = new CountingAcks();
        try (E2eProducer producer = target.newProducer(ACKS, E2eTarget.ProducerProfile.THROUGHPUT, acks))
        {
            long sequence = 0;
            final long warmupEnd = clock.nanoTime() + warmupNs;
            while (clock.nanoTime() - warmupEnd < 0)
            {
                sendNow(producer, sequence++);
            }
            final long windowStart = clock.nanoTime();
            final long ackedBefore = acks.acked.get();
            final long windowLimitNs = records > 0 ? MAX_THROUGHPUT_WINDOW_NS : durationNs;
            long now;
            long acked;
            do
            {
                sendNow(producer, sequence++);
                now = clock.nanoTime();
                acked = acks.acked.get() - ackedBefore;
            }
            while ((records <= 0 || acked < records) && now - windowStart < windowLimitNs);
            producer.flush(drainTimeoutNs);
            return new ThroughputResult(
                target.name(), recordSize, acked, now - windowStart, acks.errors.get(), acks.firstError.get());
        }
    }

    private long sendPaced(final E2eProducer producer, final long start, final long rate, final long count)
    {
        final PacingClock clock = this.clock;
        final UnsafeBuffer payload = this.payload;
        for (long sequence = 0; sequence < count; sequence++)
        {
            final long due = start + offsetNs(sequence, rate);
            long now;
            while ((now = clock.nanoTime()) - due < 0)
            {
                if (0 == producer.poll())
                {
                    clock.idle(due - now);
                }
            }
            payload.putLong(DUE_TIME_OFFSET, due, BYTE_ORDER);
            payload.putLong(SEQUENCE_OFFSET, sequence, BYTE_ORDER);
            offer(producer, sequence);
        }
        return clock.nanoTime();
    }

    private void sendNow(final E2eProducer producer, final long sequence)
    {
        payload.putLong(DUE_TIME_OFFSET, clock.nanoTime(), BYTE_ORDER);
        payload.putLong(SEQUENCE_OFFSET, sequence, BYTE_ORDER);
        offer(producer, sequence);
    }

    private void offer(final E2eProducer producer, final long sequence)
    {
        while (!producer.send(payload, 0, recordSize, sequence))
        {
            if (0 == producer.poll())
            {
                clock.idle(0);
            }
        }
        producer.poll();
    }

    /**
     * Measured records per second actually sent: from the due time of the first measured record to the end of the
     * last send. Below the rate when the sender fell behind and never caught up.
     */
    private static double achievedRate(
        final long start, final long rate, final long warmupRecords, final long records, final long lastSendNs)
    {
        final long firstDue = start + offsetNs(warmupRecords, rate);
        return records * 1e9 / Math.max(1, lastSendNs - firstDue);
    }

    static void record(final Histogram histogram, final long valueNs)
    {
        histogram.recordValue(clamp(valueNs));
    }

    private static long clamp(final long valueNs)
    {
        return Math.min(Math.max(valueNs, 0), HIGHEST_TRACKABLE_NS);
    }

    /**
     * Records the latency of each measured acknowledgement from its record's due time, computed from the sequence.
     */
    static final class PacedAcks implements E2eProducer.AckListener
    {
        private final PacingClock clock;
        private final long rate;
        private final long warmupRecords;
        private final Recorder recorder = new Recorder(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
        private final AtomicLong errors = new AtomicLong();
        private final AtomicReference<Throwable> firstError = new AtomicReference<>();
        /** Set by the sender before its first send; read by whichever thread acknowledges. */
        private volatile long startNs;

        PacedAcks(final PacingClock clock, final long rate, final long warmupRecords)
        {
            this.clock = clock;
            this.rate = rate;
            this.warmupRecords = warmupRecords;
        }

        void start(final long startNs)
        {
            this.startNs = startNs;
        }

        public void onAck(final long sequence)
        {
            final long now = clock.nanoTime();
            if (sequence >= warmupRecords)
            {
                recorder.recordValue(clamp(now - (startNs + offsetNs(sequence, rate))));
            }
        }

        public void onError(final long sequence, final Throwable error)
        {
            errors.incrementAndGet();
            firstError.compareAndSet(null, error);
        }

        /**
         * What was recorded so far; call once, at the end.
         *
         * @return the latencies of the measured acknowledgements.
         */
        Histogram histogram()
        {
            return recorder.getIntervalHistogram();
        }

        long errors()
        {
            return errors.get();
        }

        Throwable firstError()
        {
            return firstError.get();
        }
    }

    /** Counts acknowledgements, for the throughput phase. */
    static final class CountingAcks implements E2eProducer.AckListener
    {
        final AtomicLong acked = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicReference<Throwable> firstError = new AtomicReference<>();

        public void onAck(final long sequence)
        {
            acked.incrementAndGet();
        }

        public void onError(final long sequence, final Throwable error)
        {
            errors.incrementAndGet();
            firstError.compareAndSet(null, error);
        }
    }

    /**
     * The consumer thread of a produce-to-consume phase: polls until stopped, yielding when a poll returns nothing,
     * and records each measured record's time from due to received. Owns its histogram until joined.
     */
    static final class ConsumerLoop implements Runnable, E2eConsumer.RecordHandler
    {
        final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
        volatile Throwable failure;

        private final E2eConsumer consumer;
        private final PacingClock clock;
        private final long warmupRecords;
        /** Written by the consumer thread only; read by the sender to know when all arrived. */
        private final AtomicLong received = new AtomicLong();
        private volatile boolean running = true;

        ConsumerLoop(final E2eConsumer consumer, final PacingClock clock, final long warmupRecords)
        {
            this.consumer = consumer;
            this.clock = clock;
            this.warmupRecords = warmupRecords;
        }

        public void run()
        {
            try
            {
                while (running)
                {
                    if (0 == consumer.poll(this))
                    {
                        Thread.yield();
                    }
                }
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
        }

        public void onRecord(final DirectBuffer buffer, final int offset, final int length)
        {
            final long now = clock.nanoTime();
            final long sequence = buffer.getLong(offset + SEQUENCE_OFFSET, BYTE_ORDER);
            if (sequence >= warmupRecords)
            {
                record(histogram, now - buffer.getLong(offset + DUE_TIME_OFFSET, BYTE_ORDER));
            }
            received.lazySet(received.get() + 1);
        }

        long received()
        {
            return received.get();
        }

        void stop()
        {
            running = false;
        }
    }
}
