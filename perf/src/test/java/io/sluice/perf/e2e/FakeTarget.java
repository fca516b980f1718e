package io.sluice.perf.e2e;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory {@link E2eTarget} on a {@link ManualClock}. Its producer acknowledges each record in the next
 * {@link E2eProducer#poll()}, at the clock's time, and hands a copy to the open consumer, if any. Faults on demand:
 * <ul>
 *   <li>a stall: taking the record with sequence {@code stallSequence} moves the clock by {@code stallNs} first, as a
 *   broker pause or a blocking client would;</li>
 *   <li>back-pressure: the record with sequence {@code rejectSequence} is refused {@code rejections} times;</li>
 *   <li>a cost: taking any record moves the clock by {@code sendCostNs}.</li>
 * </ul>
 * Threads: each producer is used by one sender, the consumer by its consumer thread; they share a concurrent queue.
 * With several producers the manual clock is moved by each of them: only counts are exact then, not latencies.
 */
class FakeTarget implements E2eTarget
{
    final String name;
    final ManualClock clock;
    long stallSequence = -1;
    long stallNs;
    long rejectSequence = -1;
    int rejections;
    long sendCostNs;
    boolean started;
    boolean closed;
    final AtomicInteger producersOpen = new AtomicInteger();
    final AtomicInteger consumersOpen = new AtomicInteger();
    /** Producers created, over the target's life. */
    final AtomicInteger producersCreated = new AtomicInteger();
    /** When set, the clock's time of each send of sequence {@code i < sendTimesNs.length} by the first producer. */
    long[] sendTimesNs;
    /** A record is acknowledged by the first poll at least this long after it was taken. */
    long ackDelayNs;
    /** What {@link E2eProducer#acksArriveInPoll()} answers. */
    boolean acksInPoll;
    /** Records taken by every producer. */
    final AtomicLong taken = new AtomicLong();

    private volatile Queue<byte[]> consumerQueue;

    FakeTarget(final String name, final ManualClock clock)
    {
        this.name = name;
        this.clock = clock;
    }

    public String name()
    {
        return name;
    }

    public void start(final E2eSettings settings)
    {
        started = true;
    }

    public String description()
    {
        return "in memory, on a manual clock";
    }

    public E2eProducer newProducer(
        final int acks, final ProducerProfile profile, final E2eProducer.AckListener listener)
    {
        producersOpen.incrementAndGet();
        final boolean first = 0 == producersCreated.getAndIncrement();
        return new E2eProducer()
        {
            private final ArrayDeque<long[]> pending = new ArrayDeque<>();
            private int rejected;
            private boolean stalled;

            public boolean send(final DirectBuffer buffer, final int offset, final int length, final long sequence)
            {
                if (sequence == rejectSequence && rejected < rejections)
                {
                    rejected++;
                    return false;
                }
                if (sequence == stallSequence && !stalled)
                {
                    stalled = true;
                    clock.advance(stallNs);
                }
                clock.advance(sendCostNs);
                final long[] sendTimes = sendTimesNs;
                if (first && null != sendTimes && sequence < sendTimes.length)
                {
                    sendTimes[(int)sequence] = clock.nanoTime();
                }
                taken.incrementAndGet();
                final Queue<byte[]> queue = consumerQueue;
                if (null != queue)
                {
                    final byte[] copy = new byte[length];
                    buffer.getBytes(offset, copy);
                    queue.add(copy);
                }
                pending.add(new long[]{ sequence, clock.nanoTime() });
                return true;
            }

            public boolean acksArriveInPoll()
            {
                return acksInPoll;
            }

            public int poll()
            {
                int count = 0;
                long[] record;
                while (null != (record = pending.peek()) && clock.nanoTime() - record[1] >= ackDelayNs)
                {
                    pending.poll();
                    listener.onAck(record[0]);
                    count++;
                }
                return count;
            }

            public boolean flush(final long timeoutNs)
            {
                while (!pending.isEmpty())
                {
                    if (0 == poll())
                    {
                        clock.idle(0);
                    }
                }
                return true;
            }

            public void close()
            {
                producersOpen.decrementAndGet();
            }
        };
    }

    public E2eConsumer newConsumer()
    {
        consumersOpen.incrementAndGet();
        final Queue<byte[]> queue = new ConcurrentLinkedQueue<>();
        consumerQueue = queue;
        return new E2eConsumer()
        {
            private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);

            public int poll(final RecordHandler handler)
            {
                int count = 0;
                byte[] value;
                while (null != (value = queue.poll()))
                {
                    view.wrap(value);
                    handler.onRecord(view, 0, value.length);
                    count++;
                }
                return count;
            }

            public void close()
            {
                consumerQueue = null;
                consumersOpen.decrementAndGet();
            }
        };
    }

    public void close()
    {
        closed = true;
    }
}
