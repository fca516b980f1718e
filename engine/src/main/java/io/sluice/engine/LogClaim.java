package io.sluice.engine;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Bytes claimed at the end of a partition log with {@link PartitionLog#tryClaim(int, LogClaim)}, to encode a batch
 * in place, as Aeron's {@code BufferClaim} does for a publication. The buffer covers exactly the claimed bytes, from
 * index 0, so a write outside them fails a bounds check instead of touching published data. Reuse one claim per
 * writer thread. Not thread-safe.
 */
public final class LogClaim
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);

    void wrap(final UnsafeBuffer segment, final int position, final int length)
    {
        buffer.wrap(segment, position, length);
    }

    void release()
    {
        buffer.wrap(0, 0);
    }

    /**
     * The claimed bytes, from index 0 to {@link #capacity()}; valid until commit or abort.
     *
     * @return a view over the mapped segment.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Number of bytes claimed.
     *
     * @return the capacity, 0 when no claim is open.
     */
    public int capacity()
    {
        return buffer.capacity();
    }
}
