package io.sluice.codecs;

import io.sluice.codecs.log.Compression;
import io.sluice.codecs.log.MessageHeaderEncoder;
import io.sluice.codecs.log.RecordBatchEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Objects;

import static io.sluice.codecs.RecordBatchDescriptor.GROUP_BLOCK_LENGTH_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.GROUP_COUNT_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.GROUP_HEADER_LENGTH;
import static io.sluice.codecs.RecordBatchDescriptor.HEADERS_BLOCK_LENGTH;
import static io.sluice.codecs.RecordBatchDescriptor.MAX_HEADERS;
import static io.sluice.codecs.RecordBatchDescriptor.MAX_RECORDS;
import static io.sluice.codecs.RecordBatchDescriptor.NULL_KEY_FLAG;
import static io.sluice.codecs.RecordBatchDescriptor.NULL_VALUE_FLAG;
import static io.sluice.codecs.RecordBatchDescriptor.RECORDS_GROUP_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.RECORDS_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.RECORD_BLOCK_LENGTH;
import static io.sluice.codecs.RecordBatchDescriptor.RECORD_FLAGS_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.RECORD_OFFSET_DELTA_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.RECORD_TIMESTAMP_DELTA_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.VAR_LENGTH_LENGTH;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Encodes a record batch (see {@link RecordBatchDescriptor}) into a caller's buffer, one record at a time.
 * <p>
 * Reusable and allocation-free: {@link #wrap(MutableDirectBuffer, int, int)} starts a batch, records are
 * appended with {@link #append(long, DirectBuffer, int, int, DirectBuffer, int, int)} (or with headers through
 * {@link #beginRecord(long)}, {@link #header}, {@link #endRecord}), and {@link #build()} completes the header and
 * CRC. The base offset is left 0 and the leader epoch -1: the log assigns them at append.
 * <p>
 * A {@code null} key or value buffer writes a null key or value (a null value is a compaction tombstone). A record
 * that does not fit in the capacity, or a batch already holding the maximum number of records, is refused with
 * {@code false} and leaves the batch as it was; a bad argument (negative length, range outside its buffer) throws
 * before anything is written. Not thread-safe.
 */
public final class RecordBatchBuilder
{
    private static final int NOT_WRAPPED = 0;
    private static final int READY = 1;
    private static final int IN_RECORD = 2;
    private static final int BUILT = 3;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final RecordBatchEncoder batchEncoder = new RecordBatchEncoder();
    private final UnsafeBuffer arrayWrapper = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer arrayWrapper2 = new UnsafeBuffer(new byte[0]);

    private MutableDirectBuffer buffer;
    private int offset;
    private int limit;
    private int position;
    private int state = NOT_WRAPPED;
    private int recordCount;
    private long firstTimestamp;
    private long maxTimestamp;
    private long producerId = -1;
    private short producerEpoch = -1;
    private int baseSequence = -1;
    private Compression compression = Compression.NONE;
    private Lz4Records lz4;

    private int recordStart;
    private int headersGroupPosition;
    private int headerCount;

    /**
     * Start a new batch in {@code buffer} at {@code offset}, using at most {@code capacity} bytes. Producer fields
     * are reset to -1 (not idempotent).
     *
     * @param buffer   to encode into.
     * @param offset   of the batch in the buffer.
     * @param capacity bytes available from {@code offset}.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if the capacity cannot hold a one-record batch.
     */
    public RecordBatchBuilder wrap(final MutableDirectBuffer buffer, final int offset, final int capacity)
    {
        if (capacity < RecordBatchDescriptor.MIN_BATCH_LENGTH)
        {
            throw new IllegalArgumentException(
                "capacity " + capacity + " < minimum batch length " + RecordBatchDescriptor.MIN_BATCH_LENGTH);
        }
        buffer.boundsCheck(offset, capacity);

        this.buffer = buffer;
        this.offset = offset;
        this.limit = offset + capacity;
        this.position = offset + RECORDS_OFFSET;
        this.state = READY;
        this.recordCount = 0;
        this.firstTimestamp = 0;
        this.maxTimestamp = Long.MIN_VALUE;
        this.producerId = -1;
        this.producerEpoch = -1;
        this.baseSequence = -1;
        return this;
    }

    /**
     * Compress the records of the batches this builder builds from now on (it survives {@link #wrap}).
     * {@link Compression#LZ4} compresses at {@link #build()}, in place, when that makes the batch shorter, and
     * leaves it uncompressed otherwise; the capacity still bounds the uncompressed batch. The first LZ4 batch
     * allocates the builder's scratch arrays, which then grow to the largest batch.
     *
     * @param compression {@link Compression#NONE} or {@link Compression#LZ4}.
     * @return this for a fluent API.
     * @throws IllegalArgumentException for another codec.
     */
    public RecordBatchBuilder compression(final Compression compression)
    {
        if (compression != Compression.NONE && compression != Compression.LZ4)
        {
            throw new IllegalArgumentException("unsupported compression: " + compression);
        }
        this.compression = compression;
        return this;
    }

    /**
     * Mark the batch as written by an idempotent producer.
     *
     * @param producerId    assigned to the producer.
     * @param producerEpoch of the producer.
     * @param baseSequence  sequence number of the first record.
     * @return this for a fluent API.
     */
    public RecordBatchBuilder producer(final long producerId, final short producerEpoch, final int baseSequence)
    {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        return this;
    }

    /**
     * Append a record without headers.
     *
     * @param timestamp   of the record, ms since the epoch.
     * @param key         holding the key bytes, or null for a null key.
     * @param keyOffset   of the key in its buffer.
     * @param keyLength   of the key.
     * @param value       holding the value bytes, or null for a null value.
     * @param valueOffset of the value in its buffer.
     * @param valueLength of the value.
     * @return true if appended, false if the batch has no room for it.
     */
    public boolean append(
        final long timestamp,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength)
    {
        checkSource(key, keyOffset, keyLength);
        checkSource(value, valueOffset, valueLength);
        return beginRecord(timestamp) && endRecord(key, keyOffset, keyLength, value, valueOffset, valueLength);
    }

    /**
     * Append a record without headers from byte arrays.
     *
     * @param timestamp of the record, ms since the epoch.
     * @param key       bytes, or null for a null key.
     * @param value     bytes, or null for a null value.
     * @return true if appended, false if the batch has no room for it.
     */
    public boolean append(final long timestamp, final byte[] key, final byte[] value)
    {
        DirectBuffer keyBuffer = null;
        if (null != key)
        {
            arrayWrapper.wrap(key);
            keyBuffer = arrayWrapper;
        }
        DirectBuffer valueBuffer = null;
        if (null != value)
        {
            arrayWrapper2.wrap(value);
            valueBuffer = arrayWrapper2;
        }
        return append(
            timestamp, keyBuffer, 0, null == key ? 0 : key.length, valueBuffer, 0, null == value ? 0 : value.length);
    }

    /**
     * A record's timestamp is kept as an int delta from the batch's first: a record more than 2^31 ms (about 24 days)
     * away from it goes in another batch.
     *
     * @param timestamp of a record to add, ms since the epoch.
     * @return true if the batch is empty or the timestamp is within ±2^31 ms of its first record's.
     */
    public boolean fitsTimestamp(final long timestamp)
    {
        if (0 == recordCount)
        {
            return true;
        }
        final long timestampDelta = timestamp - firstTimestamp;
        final boolean overflow = ((timestamp ^ firstTimestamp) & (timestamp ^ timestampDelta)) < 0;
        return !overflow && timestampDelta == (int)timestampDelta;
    }

    /**
     * Begin a record that will carry headers. Follow with any number of {@link #header} calls and one
     * {@link #endRecord}.
     *
     * @param timestamp of the record, ms since the epoch; within ±2^31 ms of the batch's first record.
     * @return true if begun, false if the batch has no room for another record.
     * @throws IllegalArgumentException if the timestamp is too far from the batch's first timestamp.
     */
    public boolean beginRecord(final long timestamp)
    {
        checkState(READY);
        if (recordCount >= MAX_RECORDS || limit - position < RECORD_BLOCK_LENGTH + GROUP_HEADER_LENGTH)
        {
            return false;
        }

        if (0 == recordCount)
        {
            firstTimestamp = timestamp;
        }
        else if (!fitsTimestamp(timestamp))
        {
            throw new IllegalArgumentException("timestamp " + timestamp + " too far from batch first timestamp " +
                firstTimestamp + ": start another batch");
        }
        final long timestampDelta = timestamp - firstTimestamp;

        recordStart = position;
        buffer.putInt(position + RECORD_OFFSET_DELTA_OFFSET, recordCount, LITTLE_ENDIAN);
        buffer.putInt(position + RECORD_TIMESTAMP_DELTA_OFFSET, (int)timestampDelta, LITTLE_ENDIAN);
        buffer.putByte(position + RECORD_FLAGS_OFFSET, (byte)0);
        headersGroupPosition = position + RECORD_BLOCK_LENGTH;
        buffer.putShort(headersGroupPosition + GROUP_BLOCK_LENGTH_OFFSET, (short)HEADERS_BLOCK_LENGTH, LITTLE_ENDIAN);
        buffer.putShort(headersGroupPosition + GROUP_COUNT_OFFSET, (short)0, LITTLE_ENDIAN);
        position = headersGroupPosition + GROUP_HEADER_LENGTH;
        headerCount = 0;
        state = IN_RECORD;
        return true;
    }

    /**
     * Add a header to the record begun with {@link #beginRecord(long)}.
     *
     * @param key         holding the header key.
     * @param keyOffset   of the header key.
     * @param keyLength   of the header key.
     * @param value       holding the header value.
     * @param valueOffset of the header value.
     * @param valueLength of the header value.
     * @return true if added, false if there is no room: the record begun is then abandoned.
     */
    public boolean header(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength)
    {
        checkState(IN_RECORD);
        checkSource(Objects.requireNonNull(key, "header key"), keyOffset, keyLength);
        checkSource(Objects.requireNonNull(value, "header value"), valueOffset, valueLength);
        if (headerCount >= MAX_HEADERS || !fits(keyLength, valueLength))
        {
            abandonRecord();
            return false;
        }
        position = putVarData(position, key, keyOffset, keyLength);
        position = putVarData(position, value, valueOffset, valueLength);
        buffer.putShort(headersGroupPosition + GROUP_COUNT_OFFSET, (short)++headerCount, LITTLE_ENDIAN);
        return true;
    }

    /**
     * Complete the record begun with {@link #beginRecord(long)} with its key and value.
     *
     * @param key         holding the key bytes, or null for a null key.
     * @param keyOffset   of the key in its buffer.
     * @param keyLength   of the key.
     * @param value       holding the value bytes, or null for a null value.
     * @param valueOffset of the value in its buffer.
     * @param valueLength of the value.
     * @return true if appended, false if there is no room: the record begun is then abandoned.
     */
    public boolean endRecord(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength)
    {
        checkState(IN_RECORD);
        checkSource(key, keyOffset, keyLength);
        checkSource(value, valueOffset, valueLength);
        final int actualKeyLength = null == key ? 0 : keyLength;
        final int actualValueLength = null == value ? 0 : valueLength;
        if (!fits(actualKeyLength, actualValueLength))
        {
            abandonRecord();
            return false;
        }

        int flags = 0;
        flags |= null == key ? NULL_KEY_FLAG : 0;
        flags |= null == value ? NULL_VALUE_FLAG : 0;
        buffer.putByte(recordStart + RECORD_FLAGS_OFFSET, (byte)flags);
        position = putVarData(position, key, keyOffset, actualKeyLength);
        position = putVarData(position, value, valueOffset, actualValueLength);

        final long timestamp = firstTimestamp + buffer.getInt(recordStart + RECORD_TIMESTAMP_DELTA_OFFSET, LITTLE_ENDIAN);
        maxTimestamp = Math.max(maxTimestamp, timestamp);
        recordCount++;
        state = READY;
        return true;
    }

    /**
     * Complete the batch: header fields, record count and CRC. The builder must be wrapped again before reuse.
     *
     * @return the batch length in bytes.
     * @throws IllegalStateException if the batch has no records or a record is still open.
     */
    public int build()
    {
        checkState(READY);
        if (0 == recordCount)
        {
            throw new IllegalStateException("a batch needs at least one record");
        }

        final int batchLength = position - offset;
        batchEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .baseOffset(0)
            .batchLength(batchLength)
            .leaderEpoch(-1)
            .crc(0)
            .lastOffsetDelta(recordCount - 1)
            .firstTimestamp(firstTimestamp)
            .maxTimestamp(maxTimestamp)
            .producerId(producerId)
            .baseSequence(baseSequence)
            .recordCount(recordCount)
            .producerEpoch(producerEpoch)
            .compression(Compression.NONE);
        batchEncoder.flags().clear();

        buffer.putShort(offset + RECORDS_GROUP_OFFSET + GROUP_BLOCK_LENGTH_OFFSET, (short)RECORD_BLOCK_LENGTH, LITTLE_ENDIAN);
        buffer.putShort(offset + RECORDS_GROUP_OFFSET + GROUP_COUNT_OFFSET, (short)recordCount, LITTLE_ENDIAN);
        int length = batchLength;
        if (compression == Compression.LZ4)
        {
            if (null == lz4)
            {
                lz4 = new Lz4Records();
            }
            final int compressedLength = lz4.compress(buffer, offset, batchLength);
            if (compressedLength > 0)
            {
                buffer.putByte(offset + RecordBatchDescriptor.COMPRESSION_OFFSET, (byte)Compression.LZ4.value());
                length = compressedLength;
            }
        }
        RecordBatchDescriptor.updateCrc(buffer, offset);
        state = BUILT;
        return length;
    }

    /**
     * Number of records appended so far.
     *
     * @return the record count.
     */
    public int recordCount()
    {
        return recordCount;
    }

    /**
     * Bytes the batch holds so far, header included.
     *
     * @return the current length.
     */
    public int length()
    {
        return position - offset;
    }

    /**
     * Check a source range before anything is written, so a bad argument changes nothing: the batch and any record
     * begun stay as they were.
     */
    private static void checkSource(final DirectBuffer source, final int offset, final int length)
    {
        if (null != source)
        {
            if (length < 0)
            {
                throw new IllegalArgumentException("negative length: " + length);
            }
            source.boundsCheck(offset, length);
        }
    }

    private boolean fits(final int keyLength, final int valueLength)
    {
        return (long)limit - position >= 2L * VAR_LENGTH_LENGTH + keyLength + valueLength;
    }

    private int putVarData(final int at, final DirectBuffer source, final int sourceOffset, final int length)
    {
        buffer.putInt(at, length, LITTLE_ENDIAN);
        if (length > 0)
        {
            buffer.putBytes(at + VAR_LENGTH_LENGTH, source, sourceOffset, length);
        }
        return at + VAR_LENGTH_LENGTH + length;
    }

    private void abandonRecord()
    {
        position = recordStart;
        state = READY;
    }

    private void checkState(final int expected)
    {
        if (state != expected)
        {
            throw new IllegalStateException(state == NOT_WRAPPED || state == BUILT ?
                "wrap the builder before appending" :
                expected == IN_RECORD ? "no record begun: call beginRecord" : "a record is open: call endRecord");
        }
    }
}
