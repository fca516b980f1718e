package io.sluice.codecs;

import io.sluice.codecs.log.Compression;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.sluice.codecs.RecordBatchDescriptor.*;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Read-only flyweight over a record batch in any {@link DirectBuffer}, with a cursor over its records and a record's
 * headers. Allocation-free: key, value and header views are reused buffers re-wrapped on each step. An LZ4 batch
 * is decompressed at {@link #wrap} into a scratch of the view's own, which grows to the largest batch seen; key,
 * value and header views then point into it.
 * <p>
 * The batch must have passed {@link RecordBatchDescriptor#verify(DirectBuffer, int, int, int)}; the view trusts its
 * lengths. Record count, base offset and first timestamp are read once, at {@link #wrap}: wrap again after the batch
 * changes (for example after the log assigned its offsets). Not thread-safe: one view per reading thread.
 * <pre>{@code
 * view.wrap(buffer, offset);
 * while (view.nextRecord())
 * {
 *     handle(view.offset(), view.timestamp(), view.key(), view.value());
 * }
 * }</pre>
 */
public final class RecordBatchView
{
    private final UnsafeBuffer key = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer value = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer headerKey = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer headerValue = new UnsafeBuffer(0, 0);

    private DirectBuffer buffer;
    /** Where the records are: {@link #buffer}, or the decompressed section of an LZ4 batch. */
    private DirectBuffer records;
    private int firstRecordPosition;
    private Lz4Records lz4;
    private int offset;
    private int recordCount;
    private long baseOffset;
    private long firstTimestamp;
    private int recordIndex;
    private int nextRecordPosition;
    private int recordPosition;
    private int recordFlags;
    private int headerCount;
    private int headerIndex;
    private int nextHeaderPosition;

    /**
     * Point the view at the batch at {@code offset} and rewind the record cursor.
     *
     * @param buffer holding a verified batch.
     * @param offset of the batch.
     * @return this for a fluent API.
     */
    public RecordBatchView wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.recordCount = buffer.getInt(offset + RECORD_COUNT_OFFSET, LITTLE_ENDIAN);
        this.baseOffset = buffer.getLong(offset + BASE_OFFSET_OFFSET, LITTLE_ENDIAN);
        this.firstTimestamp = buffer.getLong(offset + FIRST_TIMESTAMP_OFFSET, LITTLE_ENDIAN);
        if (buffer.getByte(offset + COMPRESSION_OFFSET) == Compression.LZ4.value())
        {
            if (null == lz4)
            {
                lz4 = new Lz4Records();
            }
            if (lz4.decompress(buffer, offset, buffer.getInt(offset + BATCH_LENGTH_OFFSET, LITTLE_ENDIAN)) < 0)
            {
                throw new IllegalArgumentException("the LZ4 section of the batch at " + offset + " is corrupt");
            }
            records = lz4.records();
            firstRecordPosition = GROUP_HEADER_LENGTH;
        }
        else
        {
            records = buffer;
            firstRecordPosition = offset + RECORDS_OFFSET;
        }
        rewind();
        return this;
    }

    /**
     * Move the record cursor back before the first record.
     */
    public void rewind()
    {
        recordIndex = -1;
        nextRecordPosition = firstRecordPosition;
    }

    /**
     * The buffer the view reads.
     *
     * @return the wrapped buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Offset of the batch in {@link #buffer()}.
     *
     * @return the batch offset.
     */
    public int batchOffset()
    {
        return offset;
    }

    /**
     * Total length of the batch.
     *
     * @return bytes, header included.
     */
    public int batchLength()
    {
        return buffer.getInt(offset + BATCH_LENGTH_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Offset of the first record of the batch.
     *
     * @return the base offset.
     */
    public long baseOffset()
    {
        return baseOffset;
    }

    /**
     * Offset of the last record of the batch.
     *
     * @return base offset plus last offset delta.
     */
    public long lastOffset()
    {
        return baseOffset + buffer.getInt(offset + LAST_OFFSET_DELTA_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Offset the log assigns after this batch.
     *
     * @return last offset plus one.
     */
    public long nextOffset()
    {
        return lastOffset() + 1;
    }

    /**
     * Epoch of the leader that appended the batch.
     *
     * @return the leader epoch, or -1 before append.
     */
    public int leaderEpoch()
    {
        return buffer.getInt(offset + LEADER_EPOCH_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Stored CRC32C.
     *
     * @return the CRC as an int.
     */
    public int crc()
    {
        return buffer.getInt(offset + CRC_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Timestamp of the first record.
     *
     * @return ms since the epoch.
     */
    public long firstTimestamp()
    {
        return firstTimestamp;
    }

    /**
     * Largest record timestamp in the batch.
     *
     * @return ms since the epoch.
     */
    public long maxTimestamp()
    {
        return buffer.getLong(offset + MAX_TIMESTAMP_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Producer id of an idempotent producer.
     *
     * @return the producer id, or -1.
     */
    public long producerId()
    {
        return buffer.getLong(offset + PRODUCER_ID_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Producer epoch of an idempotent producer.
     *
     * @return the producer epoch, or -1.
     */
    public short producerEpoch()
    {
        return buffer.getShort(offset + PRODUCER_EPOCH_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Sequence of the first record of an idempotent producer.
     *
     * @return the base sequence, or -1.
     */
    public int baseSequence()
    {
        return buffer.getInt(offset + BASE_SEQUENCE_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Number of records in the batch.
     *
     * @return the record count.
     */
    public int recordCount()
    {
        return recordCount;
    }

    /**
     * Codec of the records section.
     *
     * @return the compression.
     */
    public Compression compression()
    {
        return Compression.get((short)(buffer.getByte(offset + COMPRESSION_OFFSET) & 0xFF));
    }

    /**
     * Advance the cursor to the next record.
     *
     * @return true if positioned on a record, false after the last.
     */
    public boolean nextRecord()
    {
        if (recordIndex + 1 >= recordCount)
        {
            return false;
        }
        recordIndex++;
        recordPosition = nextRecordPosition;
        recordFlags = records.getByte(recordPosition + RECORD_FLAGS_OFFSET) & 0xFF;

        final int headersGroup = recordPosition + RECORD_BLOCK_LENGTH;
        headerCount = groupCount(records, headersGroup);
        headerIndex = -1;
        int position = headersGroup + GROUP_HEADER_LENGTH;
        nextHeaderPosition = position;
        for (int i = 0; i < headerCount; i++)
        {
            position = skip(skip(position));
        }

        position = wrapVarData(key, position);
        nextRecordPosition = wrapVarData(value, position);
        return true;
    }

    /**
     * Offset of the current record.
     *
     * @return the record offset.
     */
    public long offset()
    {
        return baseOffset + records.getInt(recordPosition + RECORD_OFFSET_DELTA_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Timestamp of the current record.
     *
     * @return ms since the epoch.
     */
    public long timestamp()
    {
        return firstTimestamp + records.getInt(recordPosition + RECORD_TIMESTAMP_DELTA_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Whether the current record has a null key.
     *
     * @return true for a null key.
     */
    public boolean isKeyNull()
    {
        return (recordFlags & NULL_KEY_FLAG) != 0;
    }

    /**
     * Whether the current record has a null value (a compaction tombstone).
     *
     * @return true for a null value.
     */
    public boolean isValueNull()
    {
        return (recordFlags & NULL_VALUE_FLAG) != 0;
    }

    /**
     * Key of the current record; empty when null. Valid until the cursor moves.
     *
     * @return a view of the key bytes.
     */
    public DirectBuffer key()
    {
        return key;
    }

    /**
     * Value of the current record; empty when null. Valid until the cursor moves.
     *
     * @return a view of the value bytes.
     */
    public DirectBuffer value()
    {
        return value;
    }

    /**
     * Number of headers of the current record.
     *
     * @return the header count.
     */
    public int headerCount()
    {
        return headerCount;
    }

    /**
     * Advance to the next header of the current record.
     *
     * @return true if positioned on a header, false after the last.
     */
    public boolean nextHeader()
    {
        if (headerIndex + 1 >= headerCount)
        {
            return false;
        }
        headerIndex++;
        nextHeaderPosition = wrapVarData(headerValue, wrapVarData(headerKey, nextHeaderPosition));
        return true;
    }

    /**
     * Key of the current header. Valid until the cursor moves.
     *
     * @return a view of the header key bytes.
     */
    public DirectBuffer headerKey()
    {
        return headerKey;
    }

    /**
     * Value of the current header. Valid until the cursor moves.
     *
     * @return a view of the header value bytes.
     */
    public DirectBuffer headerValue()
    {
        return headerValue;
    }

    /** Whether the records are read from {@link #buffer()} itself (an uncompressed batch). */
    boolean recordsInBuffer()
    {
        return records == buffer;
    }

    /** Position of the current record in the records' buffer. */
    int recordPosition()
    {
        return recordPosition;
    }

    /** Position just past the current record in the records' buffer. */
    int recordEnd()
    {
        return nextRecordPosition;
    }

    private int skip(final int position)
    {
        return position + VAR_LENGTH_LENGTH + records.getInt(position, LITTLE_ENDIAN);
    }

    private int wrapVarData(final UnsafeBuffer view, final int position)
    {
        final int length = records.getInt(position, LITTLE_ENDIAN);
        view.wrap(records, position + VAR_LENGTH_LENGTH, length);
        return position + VAR_LENGTH_LENGTH + length;
    }
}
