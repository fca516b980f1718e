package io.sluice.engine;

import io.sluice.codecs.RecordBatchDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Result of {@link PartitionLog#read(long, int, LogReadResult)}: a zero-copy view of whole batches in a mapped
 * segment, plus the log's bounds when it was read.
 * <p>
 * The view pins its segment, so retention cannot unmap it; {@link #release()} (or {@link #close()}, or the next read
 * into the same result) unpins it. Reuse one result per reader thread: reads allocate nothing. Not thread-safe.
 */
public final class LogReadResult implements AutoCloseable
{
    /** Batches were read. */
    public static final int OK = 0;
    /** The fetch offset is the log end offset: nothing to read yet. */
    public static final int NO_DATA = 1;
    /** The fetch offset is below the log start offset or above the log end offset. */
    public static final int OFFSET_OUT_OF_RANGE = 2;
    /** The log is closed or deleted. */
    public static final int LOG_CLOSED = 3;

    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private LogSegment segment;
    private int status = NO_DATA;
    private int length;
    private long firstOffset = -1;
    private long nextOffset = -1;
    private long logStartOffset;
    private long logEndOffset;

    void set(
        final LogSegment segment, final int position, final int length, final long firstOffset, final long nextOffset)
    {
        this.segment = segment;
        this.buffer.wrap(segment.buffer, position, length);
        this.status = OK;
        this.length = length;
        this.firstOffset = firstOffset;
        this.nextOffset = nextOffset;
    }

    void empty(final int status, final long logStartOffset, final long logEndOffset)
    {
        release();
        this.status = status;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
    }

    void bounds(final long logStartOffset, final long logEndOffset)
    {
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
    }

    /**
     * Outcome of the read.
     *
     * @return {@link #OK}, {@link #NO_DATA}, {@link #OFFSET_OUT_OF_RANGE} or {@link #LOG_CLOSED}.
     */
    public int status()
    {
        return status;
    }

    /**
     * The batches read, from index 0 to {@link #length()}. Valid until released.
     *
     * @return a view of the mapped bytes.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Bytes read: whole batches.
     *
     * @return the length, 0 unless {@link #OK}.
     */
    public int length()
    {
        return length;
    }

    /**
     * Base offset of the first batch read; may be below the fetch offset when the fetch offset is inside a batch.
     *
     * @return the offset, or -1 unless {@link #OK}.
     */
    public long firstOffset()
    {
        return firstOffset;
    }

    /**
     * Offset to fetch next: one past the last record read.
     *
     * @return the offset, or -1 unless {@link #OK}.
     */
    public long nextOffset()
    {
        return nextOffset;
    }

    /**
     * Log start offset seen by the read.
     *
     * @return the first offset still in the log.
     */
    public long logStartOffset()
    {
        return logStartOffset;
    }

    /**
     * Log end offset seen by the read.
     *
     * @return the offset the next append gets.
     */
    public long logEndOffset()
    {
        return logEndOffset;
    }

    /**
     * Length of the batch at {@code position} in {@link #buffer()}, to step from batch to batch.
     *
     * @param position of a batch in the buffer.
     * @return its length.
     */
    public int batchLengthAt(final int position)
    {
        return RecordBatchDescriptor.batchLength(buffer, position);
    }

    /**
     * Unpin the segment; the buffer must not be used afterwards.
     */
    public void release()
    {
        if (null != segment)
        {
            segment.release();
            segment = null;
            buffer.wrap(0, 0);
            status = NO_DATA;
            length = 0;
            firstOffset = -1;
            nextOffset = -1;
        }
    }

    /**
     * Same as {@link #release()}.
     */
    public void close()
    {
        release();
    }
}
