package io.sluice.perf;

import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.RecordBatchDescriptor;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Record batches of the benchmarks: records with a null key and a value of a given length whose first 8 bytes hold
 * a sequence number, so that readers can check what they read. Buffers are off-heap and cache-line aligned, the
 * way a producer or the transport hands a batch to the log.
 */
final class PerfBatches
{
    /** Bytes a record adds to a batch besides its value: record block, empty headers group, key and value lengths. */
    static final int RECORD_FRAMING_LENGTH = 21;

    private PerfBatches()
    {
    }

    /**
     * An off-heap buffer aligned to a cache line.
     *
     * @param capacity in bytes.
     * @return a zeroed buffer.
     */
    static UnsafeBuffer allocateDirect(final int capacity)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(BitUtil.align(capacity, 64), 64));
    }

    /**
     * Room needed for a batch, with some slack.
     *
     * @param records     in the batch.
     * @param valueLength of each record.
     * @return a capacity that holds the batch.
     */
    static int capacityFor(final int records, final int valueLength)
    {
        return RecordBatchDescriptor.RECORDS_OFFSET + records * (RECORD_FRAMING_LENGTH + valueLength) + 64;
    }

    /**
     * A value buffer of {@code length} bytes with a recognisable pattern after the sequence field.
     *
     * @param length of the value, at least 8.
     * @return the buffer.
     */
    static UnsafeBuffer value(final int length)
    {
        if (length < Long.BYTES)
        {
            throw new IllegalArgumentException("value length must be at least 8: " + length);
        }
        final UnsafeBuffer value = allocateDirect(length);
        for (int i = Long.BYTES; i < length; i++)
        {
            value.putByte(i, (byte)i);
        }
        return value;
    }

    /**
     * Encode a batch of {@code records} copies of {@code value}, the sequence field of record i set to
     * {@code firstSequence + i}.
     *
     * @param builder       to encode with.
     * @param batch         to encode into, from index 0.
     * @param records       in the batch.
     * @param value         of each record; its first 8 bytes are overwritten.
     * @param valueLength   of each record.
     * @param timestamp     of every record.
     * @param firstSequence stored in the first record.
     * @return the batch length.
     */
    static int encode(
        final RecordBatchBuilder builder,
        final MutableDirectBuffer batch,
        final int records,
        final MutableDirectBuffer value,
        final int valueLength,
        final long timestamp,
        final long firstSequence)
    {
        builder.wrap(batch, 0, batch.capacity());
        for (int i = 0; i < records; i++)
        {
            value.putLong(0, firstSequence + i);
            if (!builder.append(timestamp, null, 0, 0, value, 0, valueLength))
            {
                throw new IllegalStateException("batch buffer too small for " + records + " records");
            }
        }
        return builder.build();
    }

    /**
     * A standalone copy of a batch, in a buffer of exactly its length.
     *
     * @param records     in the batch.
     * @param valueLength of each record.
     * @param timestamp   of every record.
     * @return the batch; its capacity is its length.
     */
    static UnsafeBuffer batch(final int records, final int valueLength, final long timestamp)
    {
        final UnsafeBuffer scratch = allocateDirect(capacityFor(records, valueLength));
        final int length = encode(new RecordBatchBuilder(), scratch, records, value(valueLength), valueLength, timestamp, 0);
        final UnsafeBuffer batch = allocateDirect(length);
        batch.putBytes(0, scratch, 0, length);
        return new UnsafeBuffer(batch, 0, length);
    }

    /**
     * The sequence field of a value.
     *
     * @param value of a record.
     * @return its first 8 bytes as a long.
     */
    static long sequence(final DirectBuffer value)
    {
        return value.getLong(0);
    }
}
