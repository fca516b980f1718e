package io.sluice.codecs;

import io.sluice.codecs.log.Compression;
import io.sluice.codecs.log.GroupSizeEncodingDecoder;
import io.sluice.codecs.log.MessageHeaderDecoder;
import io.sluice.codecs.log.RecordBatchDecoder;
import io.sluice.codecs.log.VarDataEncodingDecoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Layout of a record batch, the unit of the log: the same bytes on disk, on the wire and in replication. The
 * schema is {@code log-codecs.xml} (SBE, little-endian); every offset below is derived from the generated codecs.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |  SBE blockLength (60)         |  templateId (1)               |  0
 *  +-------------------------------+-------------------------------+
 *  |  schemaId (101)               |  version (0)                  |  4
 *  +-------------------------------+-------------------------------+
 *  |                        baseOffset (int64)                     |  8   patched at append
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        batchLength (int32)                    |  16  whole batch, header included
 *  +---------------------------------------------------------------+
 *  |                        leaderEpoch (int32)                    |  20  patched at append
 *  +---------------------------------------------------------------+
 *  |                        crc (CRC32C)                           |  24  covers bytes 28 .. batchLength
 *  +---------------------------------------------------------------+
 *  |                        lastOffsetDelta (int32)                |  28
 *  +---------------------------------------------------------------+
 *  |                        firstTimestamp (int64, ms)             |  32
 *  +---------------------------------------------------------------+
 *  |                        maxTimestamp (int64, ms)               |  40
 *  +---------------------------------------------------------------+
 *  |                        producerId (int64)                     |  48
 *  +---------------------------------------------------------------+
 *  |                        baseSequence (int32)                   |  56
 *  +---------------------------------------------------------------+
 *  |                        recordCount (int32)                    |  60
 *  +-------------------------------+---------------+---------------+
 *  |  producerEpoch (int16)        | compression   | flags         |  64
 *  +-------------------------------+---------------+---------------+
 *  |  records blockLength (9)      |  records numInGroup           |  68
 *  +-------------------------------+-------------------------------+
 *  |  records ...                                                  |  72
 *
 *  record: offsetDelta int32 | timestampDelta int32 | flags uint8 (nullKey, nullValue)
 *          | headers blockLength (0) uint16 | headers numInGroup uint16
 *          | headers * (keyLength uint32, key bytes, valueLength uint32, value bytes)
 *          | keyLength uint32 | key bytes | valueLength uint32 | value bytes
 * </pre>
 * A batch that starts 8-byte aligned has its 8-byte fields aligned. A record's offset is {@code baseOffset +
 * offsetDelta}; its timestamp is {@code firstTimestamp + timestampDelta}. Deltas strictly increase inside a batch
 * and never pass {@code lastOffsetDelta}, so a compacted batch may have gaps but keeps its offset range.
 * <p>
 * {@link #verify(DirectBuffer, int, int, int)} is the one check every batch passes before it is stored or served.
 */
public final class RecordBatchDescriptor
{
    /** SBE schema id of the log format. */
    public static final int SCHEMA_ID = RecordBatchDecoder.SCHEMA_ID;
    /** SBE template id of a record batch. */
    public static final int TEMPLATE_ID = RecordBatchDecoder.TEMPLATE_ID;
    /** SBE schema version this code writes and reads. */
    public static final int SCHEMA_VERSION = RecordBatchDecoder.SCHEMA_VERSION;

    static final int BLOCK_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH;

    /** Offset of the base offset field. */
    public static final int BASE_OFFSET_OFFSET = BLOCK_OFFSET + RecordBatchDecoder.baseOffsetEncodingOffset();
    /** Offset of the batch length field. */
    public static final int BATCH_LENGTH_OFFSET = BLOCK_OFFSET + RecordBatchDecoder.batchLengthEncodingOffset();
    /** Offset of the leader epoch field. */
    public static final int LEADER_EPOCH_OFFSET = BLOCK_OFFSET + RecordBatchDecoder.leaderEpochEncodingOffset();
    /** Offset of the CRC field. */
    public static final int CRC_OFFSET = BLOCK_OFFSET + RecordBatchDecoder.crcEncodingOffset();
    /** First byte covered by the CRC. */
    public static final int CRC_COVERAGE_OFFSET = BLOCK_OFFSET + RecordBatchDecoder.lastOffsetDeltaEncodingOffset();
    /** Offset of the last offset delta field. */
    public static final int LAST_OFFSET_DELTA_OFFSET = CRC_COVERAGE_OFFSET;
    /** Offset of the first timestamp field. */
    public static final int FIRST_TIMESTAMP_OFFSET = BLOCK_OFFSET + RecordBatchDecoder.firstTimestampEncodingOffset();
    /** Offset of the max timestamp field. */
    public static final int MAX_TIMESTAMP_OFFSET = BLOCK_OFFSET + RecordBatchDecoder.maxTimestampEncodingOffset();
    /** Offset of the producer id field. */
    public static final int PRODUCER_ID_OFFSET = BLOCK_OFFSET + RecordBatchDecoder.producerIdEncodingOffset();
    /** Offset of the base sequence field. */
    public static final int BASE_SEQUENCE_OFFSET = BLOCK_OFFSET + RecordBatchDecoder.baseSequenceEncodingOffset();
    /** Offset of the record count field. */
    public static final int RECORD_COUNT_OFFSET = BLOCK_OFFSET + RecordBatchDecoder.recordCountEncodingOffset();
    /** Offset of the producer epoch field. */
    public static final int PRODUCER_EPOCH_OFFSET = BLOCK_OFFSET + RecordBatchDecoder.producerEpochEncodingOffset();
    /** Offset of the compression field. */
    public static final int COMPRESSION_OFFSET = BLOCK_OFFSET + RecordBatchDecoder.compressionEncodingOffset();
    /** Offset of the batch flags field. */
    public static final int FLAGS_OFFSET = BLOCK_OFFSET + RecordBatchDecoder.flagsEncodingOffset();
    /** Offset of the records group dimension. */
    public static final int RECORDS_GROUP_OFFSET = BLOCK_OFFSET + RecordBatchDecoder.BLOCK_LENGTH;
    /** Offset of the first record; also the length of a batch header. */
    public static final int RECORDS_OFFSET = RECORDS_GROUP_OFFSET + RecordBatchDecoder.RecordsDecoder.HEADER_SIZE;
    /** Smallest possible batch: one record, no key, value or headers. */
    public static final int MIN_BATCH_LENGTH = RECORDS_OFFSET +
        RecordBatchDecoder.RecordsDecoder.sbeBlockLength() + GroupSizeEncodingDecoder.ENCODED_LENGTH +
        2 * VarDataEncodingDecoder.lengthEncodingLength();

    static final int RECORD_BLOCK_LENGTH = RecordBatchDecoder.RecordsDecoder.sbeBlockLength();
    static final int RECORD_OFFSET_DELTA_OFFSET = RecordBatchDecoder.RecordsDecoder.offsetDeltaEncodingOffset();
    static final int RECORD_TIMESTAMP_DELTA_OFFSET = RecordBatchDecoder.RecordsDecoder.timestampDeltaEncodingOffset();
    static final int RECORD_FLAGS_OFFSET = RecordBatchDecoder.RecordsDecoder.flagsEncodingOffset();
    static final int GROUP_HEADER_LENGTH = GroupSizeEncodingDecoder.ENCODED_LENGTH;
    static final int GROUP_BLOCK_LENGTH_OFFSET = GroupSizeEncodingDecoder.blockLengthEncodingOffset();
    static final int GROUP_COUNT_OFFSET = GroupSizeEncodingDecoder.numInGroupEncodingOffset();
    static final int HEADERS_BLOCK_LENGTH = RecordBatchDecoder.RecordsDecoder.HeadersDecoder.sbeBlockLength();
    static final int VAR_LENGTH_LENGTH = VarDataEncodingDecoder.lengthEncodingLength();
    static final int NULL_KEY_FLAG = 1 << 0;
    static final int NULL_VALUE_FLAG = 1 << 1;
    static final int KNOWN_RECORD_FLAGS = NULL_KEY_FLAG | NULL_VALUE_FLAG;
    static final int KNOWN_BATCH_FLAGS = 0b11;
    static final int MAX_RECORDS = GroupSizeEncodingDecoder.numInGroupMaxValue();
    static final int MAX_HEADERS = GroupSizeEncodingDecoder.numInGroupMaxValue();

    /** The bytes are shorter than the batch header or than the batch length they declare (a torn write). */
    public static final int TRUNCATED = -1;
    /** The declared batch length is smaller than a batch can be, or over the allowed maximum. */
    public static final int BAD_LENGTH = -2;
    /** Not a version 0 Sluice record batch: wrong schema, template, version or block length. */
    public static final int BAD_HEADER = -3;
    /** The CRC32C does not match the bytes. */
    public static final int BAD_CRC = -4;
    /** The records section does not agree with itself or with the header, or the batch has unknown flags. */
    public static final int MALFORMED_RECORDS = -5;
    /** The compression codec is unknown or not supported by this version. A corrupt LZ4 section is
     * {@link #MALFORMED_RECORDS}. */
    public static final int UNSUPPORTED_COMPRESSION = -6;

    /** Scratch of {@link #verify} for LZ4 batches, one per verifying thread. */
    private static final ThreadLocal<Lz4Records> LZ4_SCRATCH = ThreadLocal.withInitial(Lz4Records::new);

    private RecordBatchDescriptor()
    {
    }

    /**
     * Check that {@code buffer} holds one whole, well-formed batch at {@code offset}: header, length, CRC and every
     * record's bounds. Reads no byte outside {@code [offset, offset + available)}. Allocates nothing for an
     * uncompressed batch; an LZ4 batch is decompressed into a scratch of the calling thread (see {@link Lz4Records})
     * that grows to the largest batch seen, and its records are checked there.
     *
     * @param buffer         holding the batch.
     * @param offset         of the batch in the buffer.
     * @param available      bytes readable from {@code offset}.
     * @param maxBatchLength largest batch length accepted.
     * @return the batch length when valid, otherwise one of the negative error codes of this class.
     */
    public static int verify(final DirectBuffer buffer, final int offset, final int available, final int maxBatchLength)
    {
        final int batchLength = verifyHeader(buffer, offset, available, maxBatchLength);
        if (batchLength < 0)
        {
            return batchLength;
        }

        final int crc = Crc32cChecksum.compute(
            buffer, offset + CRC_COVERAGE_OFFSET, batchLength - CRC_COVERAGE_OFFSET);
        if (crc != buffer.getInt(offset + CRC_OFFSET, LITTLE_ENDIAN))
        {
            return BAD_CRC;
        }

        final byte codec = buffer.getByte(offset + COMPRESSION_OFFSET);
        if (codec == Compression.NONE.value())
        {
            return verifyRecords(buffer, offset, buffer, offset + RECORDS_GROUP_OFFSET, offset + batchLength) ?
                batchLength : MALFORMED_RECORDS;
        }
        if (codec == Compression.LZ4.value())
        {
            final Lz4Records lz4 = LZ4_SCRATCH.get();
            final int recordsLength = lz4.decompress(buffer, offset, batchLength);
            return recordsLength > 0 && verifyRecords(buffer, offset, lz4.records(), 0, recordsLength) ?
                batchLength : MALFORMED_RECORDS;
        }
        return UNSUPPORTED_COMPRESSION;
    }

    /**
     * The framing part of {@link #verify}: SBE header and batch length, without the CRC and the records. For
     * batches a trusted writer just encoded; anything received must pass {@link #verify}.
     *
     * @param buffer         holding the batch.
     * @param offset         of the batch in the buffer.
     * @param available      bytes readable from {@code offset}.
     * @param maxBatchLength largest batch length accepted.
     * @return the batch length when the framing is valid, otherwise {@link #TRUNCATED}, {@link #BAD_LENGTH} or
     * {@link #BAD_HEADER}.
     */
    public static int verifyHeader(
        final DirectBuffer buffer, final int offset, final int available, final int maxBatchLength)
    {
        if (available < RECORDS_OFFSET)
        {
            return TRUNCATED;
        }

        final int batchLength = buffer.getInt(offset + BATCH_LENGTH_OFFSET, LITTLE_ENDIAN);
        if (batchLength < MIN_BATCH_LENGTH || batchLength > maxBatchLength)
        {
            return BAD_LENGTH;
        }
        if (batchLength > available)
        {
            return TRUNCATED;
        }

        if (buffer.getShort(offset + MessageHeaderDecoder.blockLengthEncodingOffset(), LITTLE_ENDIAN) !=
            RecordBatchDecoder.BLOCK_LENGTH ||
            buffer.getShort(offset + MessageHeaderDecoder.templateIdEncodingOffset(), LITTLE_ENDIAN) != TEMPLATE_ID ||
            buffer.getShort(offset + MessageHeaderDecoder.schemaIdEncodingOffset(), LITTLE_ENDIAN) != SCHEMA_ID ||
            buffer.getShort(offset + MessageHeaderDecoder.versionEncodingOffset(), LITTLE_ENDIAN) != SCHEMA_VERSION)
        {
            return BAD_HEADER;
        }
        return batchLength;
    }

    /**
     * Check the records group at {@code groupOffset} of {@code buffer} (the batch itself, or the decompressed section
     * of an LZ4 batch) against the header of the batch at {@code offset} of {@code header}.
     */
    private static boolean verifyRecords(
        final DirectBuffer header, final int offset, final DirectBuffer buffer, final int groupOffset, final int end)
    {
        final int recordCount = header.getInt(offset + RECORD_COUNT_OFFSET, LITTLE_ENDIAN);
        final int lastOffsetDelta = header.getInt(offset + LAST_OFFSET_DELTA_OFFSET, LITTLE_ENDIAN);
        final long firstTimestamp = header.getLong(offset + FIRST_TIMESTAMP_OFFSET, LITTLE_ENDIAN);
        final long maxTimestamp = header.getLong(offset + MAX_TIMESTAMP_OFFSET, LITTLE_ENDIAN);
        if (end - groupOffset < GROUP_HEADER_LENGTH)
        {
            return false;
        }
        final int groupBlockLength = groupBlockLength(buffer, groupOffset);
        final int groupCount = groupCount(buffer, groupOffset);

        if (recordCount < 1 || groupCount != recordCount || groupBlockLength != RECORD_BLOCK_LENGTH ||
            (header.getByte(offset + FLAGS_OFFSET) & ~KNOWN_BATCH_FLAGS) != 0)
        {
            return false;
        }

        long seenMaxTimestamp = Long.MIN_VALUE;
        int previousDelta = -1;
        int position = groupOffset + GROUP_HEADER_LENGTH;
        for (int i = 0; i < recordCount; i++)
        {
            if (end - position < RECORD_BLOCK_LENGTH + GROUP_HEADER_LENGTH)
            {
                return false;
            }

            final int offsetDelta = buffer.getInt(position + RECORD_OFFSET_DELTA_OFFSET, LITTLE_ENDIAN);
            final long timestamp =
                firstTimestamp + buffer.getInt(position + RECORD_TIMESTAMP_DELTA_OFFSET, LITTLE_ENDIAN);
            final int flags = buffer.getByte(position + RECORD_FLAGS_OFFSET) & 0xFF;
            if (offsetDelta <= previousDelta || offsetDelta > lastOffsetDelta || (flags & ~KNOWN_RECORD_FLAGS) != 0)
            {
                return false;
            }
            previousDelta = offsetDelta;
            seenMaxTimestamp = Math.max(seenMaxTimestamp, timestamp);
            position += RECORD_BLOCK_LENGTH;

            if (groupBlockLength(buffer, position) != HEADERS_BLOCK_LENGTH)
            {
                return false;
            }
            final int headerCount = groupCount(buffer, position);
            position += GROUP_HEADER_LENGTH;
            for (int h = 0; h < headerCount; h++)
            {
                position = skipVarData(buffer, position, end, false);
                position = skipVarData(buffer, position, end, false);
                if (position < 0)
                {
                    return false;
                }
            }

            position = skipVarData(buffer, position, end, (flags & NULL_KEY_FLAG) != 0);
            position = skipVarData(buffer, position, end, (flags & NULL_VALUE_FLAG) != 0);
            if (position < 0)
            {
                return false;
            }
        }

        return position == end && seenMaxTimestamp == maxTimestamp;
    }

    /**
     * Skip one length-prefixed field, returning the position after it or -1 if it does not fit before {@code end}
     * or is non-empty where the record says null. A negative {@code position} stays negative.
     */
    private static int skipVarData(final DirectBuffer buffer, final int position, final int end, final boolean isNull)
    {
        if (position < 0 || end - position < VAR_LENGTH_LENGTH)
        {
            return -1;
        }
        final int length = buffer.getInt(position, LITTLE_ENDIAN);
        final int dataStart = position + VAR_LENGTH_LENGTH;
        if (length < 0 || length > end - dataStart || (isNull && length != 0))
        {
            return -1;
        }
        return dataStart + length;
    }

    static int groupBlockLength(final DirectBuffer buffer, final int groupOffset)
    {
        return buffer.getShort(groupOffset + GROUP_BLOCK_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    static int groupCount(final DirectBuffer buffer, final int groupOffset)
    {
        return buffer.getShort(groupOffset + GROUP_COUNT_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * A short description of a {@link #verify(DirectBuffer, int, int, int)} error code.
     *
     * @param code returned by verify.
     * @return the description.
     */
    public static String errorMessage(final int code)
    {
        switch (code)
        {
            case TRUNCATED: return "truncated batch";
            case BAD_LENGTH: return "batch length out of range";
            case BAD_HEADER: return "not a Sluice v0 record batch";
            case BAD_CRC: return "CRC32C mismatch";
            case MALFORMED_RECORDS: return "malformed records";
            case UNSUPPORTED_COMPRESSION: return "unsupported compression";
            default: return code >= 0 ? "valid" : "unknown error " + code;
        }
    }

    /**
     * Batch length field of the batch at {@code offset}.
     *
     * @param buffer holding the batch.
     * @param offset of the batch.
     * @return the declared length in bytes.
     */
    public static int batchLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + BATCH_LENGTH_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Base offset of the batch at {@code offset}.
     *
     * @param buffer holding the batch.
     * @param offset of the batch.
     * @return the base offset.
     */
    public static long baseOffset(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + BASE_OFFSET_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Last offset delta of the batch at {@code offset}.
     *
     * @param buffer holding the batch.
     * @param offset of the batch.
     * @return the delta of the last offset from the base offset.
     */
    public static int lastOffsetDelta(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + LAST_OFFSET_DELTA_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Record count of the batch at {@code offset}.
     *
     * @param buffer holding the batch.
     * @param offset of the batch.
     * @return the number of records.
     */
    public static int recordCount(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + RECORD_COUNT_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Leader epoch of the batch at {@code offset}.
     *
     * @param buffer holding the batch.
     * @param offset of the batch.
     * @return the leader epoch field.
     */
    public static int leaderEpoch(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + LEADER_EPOCH_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Producer id of the batch at {@code offset}: -1 for a producer that is not idempotent.
     *
     * @param buffer holding the batch.
     * @param offset of the batch.
     * @return the producer id field.
     */
    public static long producerId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + PRODUCER_ID_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Producer epoch of the batch at {@code offset}.
     *
     * @param buffer holding the batch.
     * @param offset of the batch.
     * @return the producer epoch field.
     */
    public static short producerEpoch(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + PRODUCER_EPOCH_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Sequence number of the first record of the batch at {@code offset}, for an idempotent producer.
     *
     * @param buffer holding the batch.
     * @param offset of the batch.
     * @return the base sequence field.
     */
    public static int baseSequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + BASE_SEQUENCE_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Max timestamp of the batch at {@code offset}.
     *
     * @param buffer holding the batch.
     * @param offset of the batch.
     * @return the largest record timestamp, ms.
     */
    public static long maxTimestamp(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + MAX_TIMESTAMP_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Set the fields the leader assigns at append. They lie outside the CRC, so the CRC stays valid.
     *
     * @param buffer      holding the batch.
     * @param offset      of the batch.
     * @param baseOffset  assigned to the first record.
     * @param leaderEpoch of the appending leader.
     */
    public static void assignOffsets(
        final MutableDirectBuffer buffer, final int offset, final long baseOffset, final int leaderEpoch)
    {
        buffer.putLong(offset + BASE_OFFSET_OFFSET, baseOffset, LITTLE_ENDIAN);
        buffer.putInt(offset + LEADER_EPOCH_OFFSET, leaderEpoch, LITTLE_ENDIAN);
    }

    /**
     * Compute and store the CRC of a batch whose length field is already set.
     *
     * @param buffer holding the batch.
     * @param offset of the batch.
     * @return the CRC stored.
     */
    public static int updateCrc(final MutableDirectBuffer buffer, final int offset)
    {
        final int batchLength = batchLength(buffer, offset);
        final int crc = Crc32cChecksum.compute(buffer, offset + CRC_COVERAGE_OFFSET, batchLength - CRC_COVERAGE_OFFSET);
        buffer.putInt(offset + CRC_OFFSET, crc, LITTLE_ENDIAN);
        return crc;
    }
}
