package io.sluice.engine;

import io.sluice.codecs.RecordBatchView;
import org.agrona.DirectBuffer;

/**
 * A test reader of logs written with {@link TestBatches}: it checks every record it reads, offsets contiguous from
 * where it started, value {@code "v-<offset>"}, key {@code "k<offset % 7>"} and, if given a timestamp origin,
 * timestamp {@code origin + offset}. A failed check is an {@link AssertionError} naming the offset.
 * <p>
 * Allocation-free while the log is right, so reader threads of stress tests spend their time reading. One per
 * thread; close it to release the segment its last read pinned.
 */
final class VerifyingReader implements AutoCloseable
{
    /** No timestamp check. */
    static final long ANY_TIMESTAMP = Long.MIN_VALUE;

    private final RecordBatchView view = new RecordBatchView();
    private final LogReadResult result = new LogReadResult();
    private final int maxBytes;
    private final long timestampOrigin;
    private long next;
    private long recordsChecked;

    VerifyingReader(final int maxBytes, final long timestampOrigin)
    {
        this.maxBytes = maxBytes;
        this.timestampOrigin = timestampOrigin;
    }

    /**
     * Continue reading from {@code offset}; the next record read must have it.
     */
    void seek(final long offset)
    {
        next = offset;
    }

    /** @return the offset the next record read must have. */
    long next()
    {
        return next;
    }

    /** @return records checked so far. */
    long recordsChecked()
    {
        return recordsChecked;
    }

    /** @return the result of the last read, for its status and bounds. */
    LogReadResult result()
    {
        return result;
    }

    /**
     * Read once at {@link #next()} and check what was read.
     *
     * @return the read status.
     */
    int readOnce(final PartitionLog log)
    {
        final int status = log.read(next, maxBytes, result);
        if (LogReadResult.OK != status)
        {
            return status;
        }
        if (result.firstOffset() > next)
        {
            throw new AssertionError("gap: read at " + next + " returned batches from " + result.firstOffset());
        }

        final DirectBuffer buffer = result.buffer();
        final long from = next;
        for (int position = 0; position < result.length(); position += result.batchLengthAt(position))
        {
            view.wrap(buffer, position);
            while (view.nextRecord())
            {
                final long offset = view.offset();
                if (offset < next)
                {
                    continue;
                }
                if (offset != next)
                {
                    throw new AssertionError("gap: expected offset " + next + ", got " + offset +
                        " (read at " + from + ")");
                }
                check(offset);
                next++;
                recordsChecked++;
            }
        }
        if (next != result.nextOffset() || next == from)
        {
            throw new AssertionError("read at " + from + " checked up to " + next + " but says next offset " +
                result.nextOffset());
        }
        return status;
    }

    /**
     * Read and check from {@code from} until the log end, which must not move meanwhile (no writer).
     *
     * @return the log end offset reached.
     */
    long readToEnd(final PartitionLog log, final long from)
    {
        seek(from);
        int status;
        while (LogReadResult.OK == (status = readOnce(log)))
        {
            // readOnce checks as it goes
        }
        if (LogReadResult.NO_DATA != status)
        {
            throw new AssertionError("read at " + next + " of " + log + " returned status " + status);
        }
        result.release();
        return next;
    }

    private void check(final long offset)
    {
        if (!isValueOf(view.value(), offset) || !isKeyOf(view.key(), offset) ||
            (ANY_TIMESTAMP != timestampOrigin && view.timestamp() != timestampOrigin + offset))
        {
            throw new AssertionError("record " + offset + " has key '" + string(view.key()) + "', value '" +
                string(view.value()) + "', timestamp " + view.timestamp() + "; expected key 'k" + offset % 7 +
                "', value 'v-" + offset + "'" +
                (ANY_TIMESTAMP != timestampOrigin ? ", timestamp " + (timestampOrigin + offset) : ""));
        }
    }

    /**
     * Whether {@code value} is {@code "v-<offset>"}, compared without allocating.
     */
    static boolean isValueOf(final DirectBuffer value, final long offset)
    {
        final int length = value.capacity();
        int digits = 1;
        for (long rest = offset / 10; rest > 0; rest /= 10)
        {
            digits++;
        }
        if (length != 2 + digits || 'v' != value.getByte(0) || '-' != value.getByte(1))
        {
            return false;
        }
        long rest = offset;
        for (int i = length - 1; i >= 2; i--)
        {
            if ('0' + rest % 10 != value.getByte(i))
            {
                return false;
            }
            rest /= 10;
        }
        return true;
    }

    private static boolean isKeyOf(final DirectBuffer key, final long offset)
    {
        return 2 == key.capacity() && 'k' == key.getByte(0) && '0' + offset % 7 == key.getByte(1);
    }

    private static String string(final DirectBuffer buffer)
    {
        return buffer.getStringWithoutLengthUtf8(0, buffer.capacity());
    }

    public void close()
    {
        result.close();
    }
}
