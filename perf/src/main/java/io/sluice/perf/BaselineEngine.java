package io.sluice.perf;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The control of {@link EngineComparison}: "appends" by copying the message into a reused 1 MiB off-heap ring, with
 * no file, no mapping and no other thread. Its latencies are the floor that the harness, the clock and the machine
 * (scheduler, hypervisor, interrupts) put under any store; a store cannot be measured below them. It runs in a JVM
 * of its own ({@code engine --baseline}) so that the stores' call sites stay bimorphic.
 */
final class BaselineEngine implements EngineUnderTest
{
    private static final int RING_BYTES = 1 << 20;

    private final UnsafeBuffer message;
    private final UnsafeBuffer ring = PerfBatches.allocateDirect(RING_BYTES);
    private final int messageLength;
    private final int slotLength;
    private int position;

    BaselineEngine(final int messageLength)
    {
        if (messageLength > RING_BYTES)
        {
            throw new IllegalArgumentException("baseline messages are at most " + RING_BYTES + " bytes");
        }
        this.messageLength = messageLength;
        this.slotLength = Integer.highestOneBit(Math.max(1, messageLength - 1)) << 1;
        this.message = PerfBatches.value(messageLength);
    }

    public String name()
    {
        return "baseline";
    }

    public void append(final long sequence)
    {
        message.putLong(0, sequence);
        ring.putBytes(position, message, 0, messageLength);
        position = (position + slotLength) & (RING_BYTES - 1);
    }

    public void scan(final ScanTotals totals)
    {
        throw new UnsupportedOperationException("the baseline keeps no messages to scan");
    }

    public String summary()
    {
        return "no store";
    }

    public void close()
    {
    }
}
