package io.sluice.perf.e2e;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * An in-memory {@link E2eTarget} on a {@link ManualClock}. Its producer acknowledges each record in the next
 * {@link E2eProducer#poll()}, at the clock's time, and hands a copy to the open consumer, if any. Faults on demand:
 * <ul>
 *   <li>a stall: taking the record with sequence {@code stallSequence} moves the clock by {@code stallNs} first, as a
 *   broker pause or a blocking client would;</li>
 *   <li>back-pressure: the record with sequence {@code rejectSequence} is refused {@code rejections} times;</li>
 *   <li>a cost: taking any record moves the clock by {@code sendCostNs}.</li>
 * </ul>
 * Threads: the producer is used by the harness's sender, the consumer by its consumer thread; they share a
 * concurrent queue.
 */
final class FakeTarget implements E2eTarget
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
    int producersOpen;
    int consumersOpen;

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
        producersOpen++;
        return new E2eProducer()
        {
            private final ArrayDeque<Long> pending = new ArrayDeque<>();
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
                final Queue<byte[]> queue = consumerQueue;
                if (null != queue)
                {
                    final byte[] copy = new byte[length];
                    buffer.getBytes(offset, copy);
                    queue.add(copy);
                }
                pending.add(sequence);
                return true;
            }

            public int poll()
            {
                int count = 0;
                Long sequence;
                while (null != (sequence = pending.poll()))
                {
                    listener.onAck(sequence);
                    count++;
                }
                return count;
            }

            public boolean flush(final long timeoutNs)
            {
                poll();
                return true;
            }

            public void close()
            {
                producersOpen--;
            }
        };
    }

    public E2eConsumer newConsumer()
    {
        consumersOpen++;
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
                consumersOpen--;
            }
        };
    }

    public void close()
    {
        closed = true;
    }
}
