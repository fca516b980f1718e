package io.sluice.perf.e2e;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import static io.sluice.perf.e2e.E2ePayloadDescriptor.BYTE_ORDER;
import static io.sluice.perf.e2e.E2ePayloadDescriptor.DUE_TIME_OFFSET;
import static io.sluice.perf.e2e.E2ePayloadDescriptor.SEQUENCE_OFFSET;

/**
 * The measuring loops of {@link E2eBenchmark}, one target at a time:
 * <ul>
 *   <li><b>produce to ack</b>: open loop at a fixed rate: record i is due at {@code start + i / rate}; the sender
 *   waits for that time (parking or yielding, see {@link PacingClock}; only yielding while a record awaits an
 *   acknowledgement that only its polling can deliver, see {@link E2eProducer#acksArriveInPoll()}), stamps the due time and the sequence into the
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

    /**
     * What a phase sends: how, how fast and by how many producers.
     *
     * @param acks          acknowledgement level as in Kafka: 0, 1, or -1 for all.
     * @param rate          records per second of all producers together (paced phases); the producers share it.
     * @param producers     sending threads, each with a producer of its own; at least 1 and at most {@code rate}.
     * @param warmupRecords sent first, not recorded (all producers together, paced phases).
     * @param records       measured (all producers together, paced phases).
     */
    record Workload(int acks, long rate, int producers, long warmupRecords, long records)
    {
        Workload
        {
            if (producers < 1 || producers > rate)
            {
                throw new IllegalArgumentException("producers must be from 1 to the rate " + rate + ": " + producers);
            }
        }

        /**
         * The share of the rate of one producer: the rate divided evenly, the first ones taking the remainder.
         *
         * @param producer index, from 0.
         * @return records per second, at least 1.
         */
        long rateOf(final int producer)
        {
            return rate / producers + (producer < rate % producers ? 1 : 0);
        }
    }

    private final PacingClock clock;
    private final int recordSize;
    private final long drainTimeoutNs;
    private final long intervalNs = IntervalSampler.DEFAULT_INTERVAL_NS;

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
     * Produce at {@code rate} with one producer, acks=1, and record each record's time from due to acknowledged.
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
        return latency(target, LatencyKind.PRODUCE_TO_ACK, new Workload(ACKS, rate, 1, warmupRecords, records),
            PhaseProgress.NONE);
    }

    /**
     * Produce at {@code rate} with one producer, acks=1, and record each record's time from due to handed to a
     * consumer.
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
        return latency(target, LatencyKind.PRODUCE_TO_CONSUME, new Workload(ACKS, rate, 1, warmupRecords, records),
            PhaseProgress.NONE);
    }

    /**
     * An open-loop latency phase. Producer 0 sends on the calling thread, the others on threads of their own, all
     * from the same start time, each at its share of the rate. A record is measured when its due time is at or
     * after the end of the warm-up, {@code start + offsetNs(warmupRecords, rate)}: with one producer, exactly the
     * records after the first {@code warmupRecords}.
     *
     * @param target   started.
     * @param kind     what is timed: the acknowledgement, or the hand-over to a consumer.
     * @param workload acks, rate, producers, warm-up and measured records.
     * @param progress told when the phase starts and ends.
     * @return the result.
     * @throws Exception if the target, a producer thread or the consumer thread fails.
     */
    LatencyResult latency(
        final E2eTarget target, final LatencyKind kind, final Workload workload, final PhaseProgress progress)
        throws Exception
    {
        final long warmupNs = offsetNs(workload.warmupRecords(), workload.rate());
        final long endNs = offsetNs(workload.warmupRecords() + workload.records(), workload.rate());
        final PacedSender[] senders = new PacedSender[workload.producers()];
        for (int p = 0; p < senders.length; p++)
        {
            senders[p] = new PacedSender(workload.rateOf(p), warmupNs, endNs);
        }

        final E2eConsumer consumer = LatencyKind.PRODUCE_TO_CONSUME == kind ? target.newConsumer() : null;
        try
        {
            final ConsumerLoop loop = null == consumer ? null : new ConsumerLoop(consumer, clock);
            final List<Recorder> recorders = new ArrayList<>();
            if (null != loop)
            {
                recorders.add(loop.recorder);
            }
            else
            {
                for (final PacedSender sender : senders)
                {
                    recorders.add(sender.acks.recorder);
                }
            }
            final IntervalSampler sampler = new IntervalSampler(recorders, intervalNs, progress::onInterval);
            final Thread consumerThread = null == loop ? null : new Thread(loop, "sluice-e2e-consumer");
            if (null != consumerThread)
            {
                consumerThread.setDaemon(true);
                consumerThread.start();
            }
            try
            {
                final SenderGroup group = new SenderGroup(senders.length);
                group.run(
                    p -> senders[p].open(target, workload.acks()),
                    () ->
                    {
                        final long start = clock.nanoTime() + START_DELAY_NS;
                        for (final PacedSender sender : senders)
                        {
                            sender.start(start);
                        }
                        if (null != loop)
                        {
                            loop.measureFrom(start + warmupNs);
                        }
                        progress.begin(target.name() + " " + kind.label, System.nanoTime() + START_DELAY_NS,
                            warmupNs, endNs,
                            () -> sentOf(senders), () -> null == loop ? ackedOf(senders) : loop.received());
                        sampler.start();
                    },
                    p -> senders[p].sendPaced(),
                    p -> senders[p].finish(drainTimeoutNs));
                if (null != loop)
                {
                    final long total = sentOf(senders);
                    final long deadline = System.nanoTime() + drainTimeoutNs;
                    while (loop.received() < total && consumerThread.isAlive() && System.nanoTime() - deadline < 0)
                    {
                        LockSupport.parkNanos(DRAIN_CHECK_NS);
                    }
                }
            }
            finally
            {
                if (null != loop)
                {
                    loop.stop();
                    consumerThread.join();
                }
                sampler.stop();
                progress.end();
            }
            if (null != loop && null != loop.failure)
            {
                throw new IllegalStateException(target.name() + " consumer failed", loop.failure);
            }

            final Histogram histogram = sampler.total();
            long expected = 0;
            long errors = 0;
            Throwable firstError = null;
            long lastSendNs = Long.MIN_VALUE;
            for (final PacedSender sender : senders)
            {
                expected += sender.measuredSent;
                errors += sender.acks.errors();
                firstError = null == firstError ? sender.acks.firstError() : firstError;
                lastSendNs = Math.max(lastSendNs, sender.lastSendNs);
            }
            final double achievedRate = expected * 1e9 / Math.max(1, lastSendNs - (senders[0].startNs + warmupNs));
            return new LatencyResult(target.name(), kind, workload.rate(), histogram, expected, achievedRate,
                errors, firstError);
        }
        finally
        {
            if (null != consumer)
            {
                consumer.close();
            }
        }
    }

    /**
     * Produce as fast as the producer takes records for {@code warmupNs}, then count acknowledgements over a window
     * of {@code durationNs}, or until {@code records} more are acknowledged if {@code records > 0}. One producer,
     * acks=1.
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
        return maxThroughput(target, ACKS, 1, warmupNs, durationNs, records, PhaseProgress.NONE);
    }

    /**
     * Produce as fast as {@code producers} producers take records, each on a thread of its own (producer 0 on the
     * calling thread, which also keeps the time), for {@code warmupNs}; then count acknowledgements over a window of
     * {@code durationNs}, or until {@code records} more are acknowledged if {@code records > 0}.
     *
     * @param target     started.
     * @param acks       acknowledgement level: 0, 1 or -1 for all.
     * @param producers  sending threads, at least 1.
     * @param warmupNs   before the window.
     * @param durationNs of the window, if {@code records == 0}.
     * @param records    acknowledgements that end the window, or 0 to end it by time.
     * @param progress   told when the phase starts and ends.
     * @return the result.
     * @throws Exception if the target or a producer thread fails.
     */
    ThroughputResult maxThroughput(
        final E2eTarget target,
        final int acks,
        final int producers,
        final long warmupNs,
        final long durationNs,
        final long records,
        final PhaseProgress progress) throws Exception
    {
        final CountingAcks counted = new CountingAcks();
        final FastSender[] senders = new FastSender[producers];
        for (int p = 0; p < producers; p++)
        {
            senders[p] = new FastSender();
        }
        final long[] window = new long[2];
        final SenderGroup group = new SenderGroup(producers);
        try
        {
            group.run(
                p -> senders[p].producer = target.newProducer(acks, E2eTarget.ProducerProfile.THROUGHPUT, counted),
                () -> progress.begin(target.name() + " throughput", System.nanoTime(), warmupNs,
                    records > 0 ? warmupNs : warmupNs + durationNs, () -> sentOf(senders), counted.acked::get),
                p ->
                {
                    final FastSender sender = senders[p];
                    if (p > 0)
                    {
                        while (!group.stopped())
                        {
                            sender.sendNow();
                        }
                        return;
                    }
                    final long warmupEnd = clock.nanoTime() + warmupNs;
                    while (clock.nanoTime() - warmupEnd < 0)
                    {
                        sender.sendNow();
                    }
                    final long windowStart = clock.nanoTime();
                    final long ackedBefore = counted.acked.get();
                    final long windowLimitNs = records > 0 ? MAX_THROUGHPUT_WINDOW_NS : durationNs;
                    long now;
                    long acked;
                    do
                    {
                        sender.sendNow();
                        now = clock.nanoTime();
                        acked = counted.acked.get() - ackedBefore;
                    }
                    while ((records <= 0 || acked < records) && now - windowStart < windowLimitNs);
                    group.stop();
                    window[0] = acked;
                    window[1] = now - windowStart;
                },
                p -> senders[p].finish(drainTimeoutNs));
        }
        finally
        {
            progress.end();
        }
        return new ThroughputResult(
            target.name(), recordSize, window[0], window[1], counted.errors.get(), counted.firstError.get());
    }

    private static long sentOf(final Sender[] senders)
    {
        long sent = 0;
        for (final Sender sender : senders)
        {
            sent += sender.sent();
        }
        return sent;
    }

    private static long ackedOf(final PacedSender[] senders)
    {
        long acked = 0;
        for (final PacedSender sender : senders)
        {
            acked += sender.acks.acked();
        }
        return acked;
    }

    private static long clamp(final long valueNs)
    {
        return Math.min(Math.max(valueNs, 0), HIGHEST_TRACKABLE_NS);
    }

    /**
     * Where a phase is, for a progress line: told when the sending starts and when the phase is over.
     * <p>
     * Threads: called by the harness's calling thread; the suppliers may be read from any thread.
     */
    interface PhaseProgress
    {
        /** Tells nobody. */
        PhaseProgress NONE = new PhaseProgress()
        {
            public void begin(
                final String label,
                final long startNs,
                final long warmupNs,
                final long endNs,
                final LongSupplier sent,
                final LongSupplier done)
            {
            }

            public void end()
            {
            }
        };

        /**
         * The phase starts sending.
         *
         * @param label    target and phase.
         * @param startNs  {@link System#nanoTime()} of the first due time.
         * @param warmupNs from the start to the end of the warm-up.
         * @param endNs    from the start to the end of the sending (planned).
         * @param sent     records sent so far.
         * @param done     records acknowledged or consumed so far.
         */
        void begin(String label, long startNs, long warmupNs, long endNs, LongSupplier sent, LongSupplier done);

        /**
         * One interval of the latencies recorded, about every second from the start (see {@link IntervalSampler});
         * on the sampling thread, or on the harness thread for the last. The histogram is reused afterwards.
         *
         * @param interval its values, with start and end time stamps in epoch milliseconds.
         */
        default void onInterval(final Histogram interval)
        {
        }

        /** The phase is over; called after the last {@link #onInterval}. */
        void end();
    }

    /**
     * Runs one body per producer: producer 0 on the calling thread, the others on threads of their own. Every
     * producer opens first; once all are open, the calling thread runs {@code onAllOpen}, then all send; each
     * finishes (flush and close) on its own thread. A failure of any thread is rethrown on the calling thread after
     * every thread has ended.
     */
    private static final class SenderGroup
    {
        private final int producers;
        private final CountDownLatch opened;
        private final CountDownLatch go = new CountDownLatch(1);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stop;

        SenderGroup(final int producers)
        {
            this.producers = producers;
            this.opened = new CountDownLatch(producers - 1);
        }

        boolean stopped()
        {
            return stop;
        }

        void stop()
        {
            stop = true;
        }

        void run(
            final ProducerStep open, final Runnable onAllOpen, final ProducerStep send, final ProducerStep finish)
            throws Exception
        {
            final Thread[] threads = new Thread[producers];
            for (int p = 1; p < producers; p++)
            {
                final int producer = p;
                threads[p] = new Thread(() ->
                {
                    try
                    {
                        open.run(producer);
                    }
                    catch (final Throwable ex)
                    {
                        fail(ex);
                    }
                    finally
                    {
                        opened.countDown();
                    }
                    try
                    {
                        go.await();
                        if (null == failure.get())
                        {
                            send.run(producer);
                        }
                    }
                    catch (final Throwable ex)
                    {
                        fail(ex);
                    }
                    finally
                    {
                        finishQuietly(finish, producer);
                    }
                }, "sluice-e2e-producer-" + p);
                threads[p].setDaemon(true);
                threads[p].start();
            }
            try
            {
                open.run(0);
                opened.await();
                if (null == failure.get())
                {
                    onAllOpen.run();
                    go.countDown();
                    send.run(0);
                }
            }
            catch (final Throwable ex)
            {
                fail(ex);
            }
            finally
            {
                stop = true;
                go.countDown();
                finishQuietly(finish, 0);
                for (int p = 1; p < producers; p++)
                {
                    threads[p].join();
                }
            }
            final Throwable ex = failure.get();
            if (ex instanceof Exception)
            {
                throw (Exception)ex;
            }
            if (null != ex)
            {
                throw new IllegalStateException("a producer failed", ex);
            }
        }

        private void finishQuietly(final ProducerStep finish, final int producer)
        {
            try
            {
                finish.run(producer);
            }
            catch (final Throwable ex)
            {
                fail(ex);
            }
        }

        /** Keeps the first failure and stops every sender; recorded before the opened latch counts down. */
        private void fail(final Throwable ex)
        {
            failure.compareAndSet(null, ex);
            stop = true;
        }
    }

    /** One step of one producer in a {@link SenderGroup}. */
    @FunctionalInterface
    private interface ProducerStep
    {
        void run(int producer) throws Exception;
    }

    /** A producer of a {@link SenderGroup} and its own payload buffer. */
    private abstract class Sender
    {
        final UnsafeBuffer payload = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(recordSize, Long.BYTES), Long.BYTES), 0, recordSize);
        final AtomicLong sent = new AtomicLong();
        E2eProducer producer;

        long sent()
        {
            return sent.get();
        }

        void offer(final long sequence)
        {
            final E2eProducer producer = this.producer;
            while (!producer.send(payload, 0, recordSize, sequence))
            {
                if (0 == producer.poll())
                {
                    clock.idle(0);
                }
            }
            sent.lazySet(sequence + 1);
            producer.poll();
        }

        void finish(final long timeoutNs) throws InterruptedException
        {
            if (null != producer)
            {
                try
                {
                    producer.flush(timeoutNs);
                }
                finally
                {
                    producer.close();
                    producer = null;
                }
            }
        }
    }

    /** Sends as fast as its producer takes records; the due time is the time of the send. */
    private final class FastSender extends Sender
    {
        private long sequence;

        void sendNow()
        {
            payload.putLong(DUE_TIME_OFFSET, clock.nanoTime(), BYTE_ORDER);
            payload.putLong(SEQUENCE_OFFSET, sequence, BYTE_ORDER);
            offer(sequence++);
        }
    }

    /** Sends open loop at its share of the rate and records its acknowledgements. */
    private final class PacedSender extends Sender
    {
        final PacedAcks acks;
        final long rate;
        final long endNs;
        volatile long startNs;
        long measuredSent;
        long lastSendNs;

        PacedSender(final long rate, final long warmupNs, final long endNs)
        {
            this.rate = rate;
            this.endNs = endNs;
            this.acks = new PacedAcks(clock, rate, warmupNs);
        }

        void open(final E2eTarget target, final int acks) throws Exception
        {
            producer = target.newProducer(acks, E2eTarget.ProducerProfile.LATENCY, this.acks);
        }

        void start(final long startNs)
        {
            this.startNs = startNs;
            acks.start(startNs);
        }

        void sendPaced()
        {
            final PacingClock clock = E2ePhases.this.clock;
            final E2eProducer producer = this.producer;
            final UnsafeBuffer payload = this.payload;
            final long start = startNs;
            final long warmupNs = acks.warmupNs;
            final boolean pollForAcks = producer.acksArriveInPoll();
            long measured = 0;
            for (long sequence = 0; ; sequence++)
            {
                final long offset = offsetNs(sequence, rate);
                if (offset >= endNs)
                {
                    break;
                }
                final long due = start + offset;
                long now;
                while ((now = clock.nanoTime()) - due < 0)
                {
                    if (0 == producer.poll())
                    {
                        clock.idle(pollForAcks && acks.completed() < sequence ? 0 : due - now);
                    }
                }
                payload.putLong(DUE_TIME_OFFSET, due, BYTE_ORDER);
                payload.putLong(SEQUENCE_OFFSET, sequence, BYTE_ORDER);
                offer(sequence);
                if (offset >= warmupNs)
                {
                    measured++;
                }
            }
            measuredSent = measured;
            lastSendNs = clock.nanoTime();
        }
    }

    /**
     * Records the latency of each measured acknowledgement from its record's due time, computed from the sequence
     * and the producer's rate.
     */
    static final class PacedAcks implements E2eProducer.AckListener
    {
        final long warmupNs;
        private final PacingClock clock;
        private final long rate;
        final Recorder recorder = new Recorder(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
        private final AtomicLong acked = new AtomicLong();
        private final AtomicLong errors = new AtomicLong();
        private final AtomicReference<Throwable> firstError = new AtomicReference<>();
        /** Set by the sender before its first send; read by whichever thread acknowledges. */
        private volatile long startNs;

        PacedAcks(final PacingClock clock, final long rate, final long warmupNs)
        {
            this.clock = clock;
            this.rate = rate;
            this.warmupNs = warmupNs;
        }

        void start(final long startNs)
        {
            this.startNs = startNs;
        }

        public void onAck(final long sequence)
        {
            final long now = clock.nanoTime();
            final long offset = offsetNs(sequence, rate);
            if (offset >= warmupNs)
            {
                recorder.recordValue(clamp(now - (startNs + offset)));
            }
            acked.lazySet(acked.get() + 1);
        }

        public void onError(final long sequence, final Throwable error)
        {
            errors.incrementAndGet();
            firstError.compareAndSet(null, error);
        }

        long acked()
        {
            return acked.get();
        }

        /**
         * Records acknowledged or failed.
         *
         * @return how many records have their outcome.
         */
        long completed()
        {
            return acked.get() + errors.get();
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

    /** Counts acknowledgements, for the throughput phase; any thread, any number of producers. */
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
     * and records each measured record's time from due to received: a record is measured when its due time is at
     * or after {@link #measureFrom(long)}, into a {@link Recorder} the phase samples.
     */
    static final class ConsumerLoop implements Runnable, E2eConsumer.RecordHandler
    {
        final Recorder recorder = new Recorder(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
        volatile Throwable failure;

        private final E2eConsumer consumer;
        private final PacingClock clock;
        /** Written by the consumer thread only; read by the sender to know when all arrived. */
        private final AtomicLong received = new AtomicLong();
        private volatile long measureFromNs = Long.MAX_VALUE;
        private volatile boolean running = true;

        ConsumerLoop(final E2eConsumer consumer, final PacingClock clock)
        {
            this.consumer = consumer;
            this.clock = clock;
        }

        void measureFrom(final long dueNs)
        {
            measureFromNs = dueNs;
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
            final long due = buffer.getLong(offset + DUE_TIME_OFFSET, BYTE_ORDER);
            if (due - measureFromNs >= 0)
            {
                recorder.recordValue(clamp(now - due));
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
