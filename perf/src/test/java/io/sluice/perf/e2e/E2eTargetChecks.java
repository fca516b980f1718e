package io.sluice.perf.e2e;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import static io.sluice.perf.e2e.E2ePayloadDescriptor.BYTE_ORDER;
import static io.sluice.perf.e2e.E2ePayloadDescriptor.DUE_TIME_OFFSET;
import static io.sluice.perf.e2e.E2ePayloadDescriptor.MIN_LENGTH;
import static io.sluice.perf.e2e.E2ePayloadDescriptor.SEQUENCE_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks any {@link E2eTarget} must pass, shared by the tests of the real targets: every record acknowledged once,
 * consumed once, in order and intact, including a record sent before the consumer's first poll.
 */
final class E2eTargetChecks
{
    static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    private E2eTargetChecks()
    {
    }

    /**
     * Open a consumer, then a producer on this thread; send record 0 and give it time to arrive before the consumer
     * thread starts polling; send the rest; check every acknowledgement and every consumed record.
     *
     * @param target     started.
     * @param records    to send, at least 1.
     * @param recordSize bytes of each record.
     * @param heapBuffer send from a heap buffer rather than a direct one.
     * @throws Exception if the target fails.
     */
    static void shouldAckAndConsumeEveryRecordInOrder(
        final E2eTarget target, final int records, final int recordSize, final boolean heapBuffer) throws Exception
    {
        shouldAckAndConsumeEveryRecordInOrder(target, records, recordSize, heapBuffer, 1);
    }

    /**
     * As {@link #shouldAckAndConsumeEveryRecordInOrder(E2eTarget, int, int, boolean)}, at an acks level.
     *
     * @param target     started.
     * @param records    to send, at least 1.
     * @param recordSize bytes of each record.
     * @param heapBuffer send from a heap buffer rather than a direct one.
     * @param acksLevel  0, 1, or -1 for all.
     * @throws Exception if the target fails.
     */
    static void shouldAckAndConsumeEveryRecordInOrder(
        final E2eTarget target, final int records, final int recordSize, final boolean heapBuffer, final int acksLevel)
        throws Exception
    {
        final CountingListener acks = new CountingListener(records);
        final CheckingConsumerLoop loop;
        try (E2eConsumer consumer = target.newConsumer())
        {
            loop = new CheckingConsumerLoop(consumer, records, recordSize);
            final Thread thread = new Thread(loop, "e2e-test-consumer");
            try (E2eProducer producer = target.newProducer(acksLevel, E2eTarget.ProducerProfile.LATENCY, acks))
            {
                final UnsafeBuffer payload = heapBuffer ?
                    new UnsafeBuffer(new byte[recordSize]) :
                    new UnsafeBuffer(BufferUtil.allocateDirectAligned(recordSize, Long.BYTES), 0, recordSize);

                send(producer, payload, 0);
                // Time for record 0 to reach the consumer before its first poll. Not asserted: where the consumer's
                // flow control holds the acknowledgement back (aeron-raw, a record larger than the receiver window),
                // it cannot complete before the consumer polls.
                producer.flush(TimeUnit.MILLISECONDS.toNanos(200));
                thread.start();
                for (int sequence = 1; sequence < records; sequence++)
                {
                    send(producer, payload, sequence);
                }
                assertTrue(producer.flush(TIMEOUT_NS), () -> "acknowledged " + acks.total.get() + " of " + records);
                awaitConsumed(loop, thread, records);
            }
            finally
            {
                loop.stop();
                if (thread.isAlive())
                {
                    thread.join();
                }
            }
        }

        assertNull(loop.failure.get(), () -> "consumer: " + loop.failure.get());
        assertEquals(records, loop.received.get());
        acks.assertEachOnce(records);
    }

    /**
     * Two producers, each opened and sending on a thread of its own, each with sequences from 0: each is
     * acknowledged exactly its own records, and the consumer receives all of them, each producer's in order.
     *
     * @param target  started.
     * @param records per producer.
     * @throws Exception if the target fails.
     */
    static void shouldAckEachProducerItsOwnRecordsWhenTwoSendAtOnce(final E2eTarget target, final int records)
        throws Exception
    {
        final int producers = 2;
        final int recordSize = 64;
        final CountingListener[] acks = new CountingListener[producers];
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong consumed = new AtomicLong();
        final long[] nextByProducer = new long[producers];
        final AtomicReference<String> orderFailure = new AtomicReference<>();
        try (E2eConsumer consumer = target.newConsumer())
        {
            final CheckingConsumerLoop loop = new CheckingConsumerLoop(consumer, 0, recordSize)
            {
                void onChecked(final DirectBuffer buffer, final int offset)
                {
                    // The producer's index travels in the due-time field.
                    final int producer = (int)buffer.getLong(offset + DUE_TIME_OFFSET, BYTE_ORDER);
                    final long sequence = buffer.getLong(offset + SEQUENCE_OFFSET, BYTE_ORDER);
                    if (sequence != nextByProducer[producer]++)
                    {
                        orderFailure.compareAndSet(null, "producer " + producer + ": " + sequence + " out of order");
                    }
                    consumed.incrementAndGet();
                }
            };
            final Thread consumerThread = new Thread(loop, "e2e-test-consumer");
            consumerThread.start();
            final Thread[] senders = new Thread[producers];
            for (int p = 0; p < producers; p++)
            {
                final int producerIndex = p;
                acks[p] = new CountingListener(records);
                senders[p] = new Thread(() ->
                {
                    try (E2eProducer producer = target.newProducer(
                        1, E2eTarget.ProducerProfile.THROUGHPUT, acks[producerIndex]))
                    {
                        final UnsafeBuffer payload = new UnsafeBuffer(
                            BufferUtil.allocateDirectAligned(recordSize, Long.BYTES), 0, recordSize);
                        payload.putLong(DUE_TIME_OFFSET, producerIndex, BYTE_ORDER);
                        for (int sequence = 0; sequence < records; sequence++)
                        {
                            send(producer, payload, sequence);
                        }
                        if (!producer.flush(TIMEOUT_NS))
                        {
                            throw new IllegalStateException("producer " + producerIndex + " not all acknowledged");
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                }, "e2e-test-producer-" + p);
                senders[p].start();
            }
            try
            {
                for (final Thread sender : senders)
                {
                    sender.join();
                }
                awaitCount(consumed, (long)producers * records, consumerThread);
            }
            finally
            {
                loop.stop();
                consumerThread.join();
            }
            assertNull(failure.get(), () -> "producer: " + failure.get());
            assertNull(loop.failure.get(), () -> "consumer: " + loop.failure.get());
        }
        assertNull(orderFailure.get());
        assertEquals((long)producers * records, consumed.get());
        for (final CountingListener ack : acks)
        {
            ack.assertEachOnce(records);
        }
    }

    /**
     * The live threads of the JVM.
     *
     * @return a snapshot.
     */
    static Set<Thread> liveThreads()
    {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    /**
     * The threads alive now that were not in {@code before}, after waiting a little for ending threads to end, less
     * those whose names are in {@code allowed} (threads of a library that live as long as the JVM).
     *
     * @param before  the snapshot taken before the target started.
     * @param allowed names of threads a library keeps for the life of the JVM.
     * @return names of the threads left behind.
     */
    static List<String> threadsLeftBehind(final Set<Thread> before, final Set<String> allowed)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> left;
        do
        {
            left = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && !before.contains(thread) && !allowed.contains(thread.getName()))
                .map(Thread::getName)
                .sorted()
                .collect(Collectors.toList());
            if (left.isEmpty())
            {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        while (System.nanoTime() - deadlineNs < 0);
        return left;
    }

    private static void send(final E2eProducer producer, final UnsafeBuffer payload, final long sequence)
    {
        payload.putLong(SEQUENCE_OFFSET, sequence, BYTE_ORDER);
        for (int i = MIN_LENGTH; i < payload.capacity(); i++)
        {
            payload.putByte(i, fill(sequence, i));
        }
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (!producer.send(payload, 0, payload.capacity(), sequence))
        {
            if (0 == producer.poll())
            {
                Thread.yield();
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("record " + sequence + " not taken");
            }
        }
        producer.poll();
    }

    private static byte fill(final long sequence, final int index)
    {
        return (byte)(sequence * 31 + index);
    }

    private static void awaitConsumed(final CheckingConsumerLoop loop, final Thread thread, final long count)
    {
        awaitCount(loop.received, count, thread);
    }

    private static void awaitCount(final AtomicLong counter, final long count, final Thread consumerThread)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (counter.get() < count && consumerThread.isAlive() && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * Counts acknowledgements per sequence, from any thread.
     */
    static final class CountingListener implements E2eProducer.AckListener
    {
        final AtomicIntegerArray counts;
        final AtomicLong total = new AtomicLong();
        final AtomicLong outOfRange = new AtomicLong();
        final AtomicReference<Throwable> firstError = new AtomicReference<>();

        CountingListener(final int records)
        {
            counts = new AtomicIntegerArray(records);
        }

        public void onAck(final long sequence)
        {
            total.incrementAndGet();
            if (sequence < 0 || sequence >= counts.length())
            {
                outOfRange.incrementAndGet();
            }
            else
            {
                counts.incrementAndGet((int)sequence);
            }
        }

        public void onError(final long sequence, final Throwable error)
        {
            firstError.compareAndSet(null, error);
        }

        void assertEachOnce(final int records)
        {
            assertNull(firstError.get(), () -> "error: " + firstError.get());
            assertEquals(0, outOfRange.get(), "acknowledgements of sequences never sent");
            for (int i = 0; i < records; i++)
            {
                assertEquals(1, counts.get(i), "acknowledgements of record " + i);
            }
            assertEquals(records, total.get());
        }
    }

    /**
     * Polls until stopped and checks each record: its length, its bytes after the header and, unless overridden,
     * that sequences arrive 0, 1, 2, ...
     */
    static class CheckingConsumerLoop implements Runnable, E2eConsumer.RecordHandler
    {
        final AtomicLong received = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final E2eConsumer consumer;
        private final int records;
        private final int recordSize;
        private volatile boolean running = true;

        CheckingConsumerLoop(final E2eConsumer consumer, final int records, final int recordSize)
        {
            this.consumer = consumer;
            this.records = records;
            this.recordSize = recordSize;
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
                failure.compareAndSet(null, ex);
            }
        }

        public void onRecord(final DirectBuffer buffer, final int offset, final int length)
        {
            if (length != recordSize)
            {
                throw new IllegalStateException("record of " + length + " bytes, expected " + recordSize);
            }
            final long sequence = buffer.getLong(offset + SEQUENCE_OFFSET, BYTE_ORDER);
            for (int i = MIN_LENGTH; i < length; i++)
            {
                if (buffer.getByte(offset + i) != fill(sequence, i))
                {
                    throw new IllegalStateException("record " + sequence + " differs at byte " + i);
                }
            }
            onChecked(buffer, offset);
        }

        void onChecked(final DirectBuffer buffer, final int offset)
        {
            final long sequence = buffer.getLong(offset + SEQUENCE_OFFSET, BYTE_ORDER);
            if (sequence != received.get() || sequence >= records)
            {
                throw new IllegalStateException("record " + sequence + " received when " + received.get() +
                    " was expected");
            }
            received.lazySet(sequence + 1);
        }

        void stop()
        {
            running = false;
        }
    }
}
