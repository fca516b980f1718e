package io.sluice.codecs;

import io.sluice.codecs.RecordBatchFixtures.BufferKind;
import io.sluice.codecs.RecordBatchFixtures.Producer;
import io.sluice.codecs.RecordBatchFixtures.RecordLayout;
import io.sluice.codecs.RecordBatchFixtures.Region;
import io.sluice.codecs.RecordBatchFixtures.TestHeader;
import io.sluice.codecs.RecordBatchFixtures.TestRecord;
import io.sluice.codecs.log.Compression;
import io.sluice.codecs.log.RecordBatchDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import static io.sluice.codecs.RecordBatchDescriptor.BAD_CRC;
import static io.sluice.codecs.RecordBatchDescriptor.BAD_HEADER;
import static io.sluice.codecs.RecordBatchDescriptor.BAD_LENGTH;
import static io.sluice.codecs.RecordBatchDescriptor.MALFORMED_RECORDS;
import static io.sluice.codecs.RecordBatchDescriptor.MIN_BATCH_LENGTH;
import static io.sluice.codecs.RecordBatchDescriptor.TRUNCATED;
import static io.sluice.codecs.RecordBatchDescriptor.UNSUPPORTED_COMPRESSION;
import static io.sluice.codecs.RecordBatchDescriptor.errorMessage;
import static io.sluice.codecs.RecordBatchDescriptor.updateCrc;
import static io.sluice.codecs.RecordBatchDescriptor.verify;
import static io.sluice.codecs.RecordBatchFixtures.buildStandalone;
import static io.sluice.codecs.RecordBatchFixtures.bytes;
import static io.sluice.codecs.RecordBatchFixtures.copy;
import static io.sluice.codecs.RecordBatchFixtures.layout;
import static io.sluice.codecs.RecordBatchFixtures.randomRecords;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class RecordBatchDescriptorTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final int MAX = Integer.MAX_VALUE;
    private static final Producer PRODUCER = new Producer(9_000_000_001L, (short)7, 1234);

    /** Headers, null and empty keys and values, and a max timestamp that is not the last record's. */
    private static final List<TestRecord> RECORDS = List.of(
        new TestRecord(T0, bytes("key-0"), bytes("value-0"), List.of(
            new TestHeader(bytes("h"), bytes("hv")), new TestHeader(new byte[0], bytes("x")))),
        TestRecord.of(T0 + 7, null, bytes("value of a null key")),
        TestRecord.of(T0 - 3, bytes("tombstone"), null),
        new TestRecord(T0 + 100, new byte[0], new byte[0], List.of(new TestHeader(bytes("k"), new byte[0]))),
        TestRecord.of(T0 + 2, bytes("key-4"), bytes("the last value")));

    private final UnsafeBuffer batch = buildStandalone(PRODUCER, RECORDS);
    private final int length = batch.capacity();

    // ---------------------------------------------------------------------------------------------------------------
    // Layout and the valid case
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldMatchTheDocumentedLayoutWhenOffsetsAreDerivedFromTheSchema()
    {
        assertEquals(101, RecordBatchDescriptor.SCHEMA_ID);
        assertEquals(1, RecordBatchDescriptor.TEMPLATE_ID);
        assertEquals(0, RecordBatchDescriptor.SCHEMA_VERSION);
        assertEquals(8, RecordBatchDescriptor.BASE_OFFSET_OFFSET);
        assertEquals(16, RecordBatchDescriptor.BATCH_LENGTH_OFFSET);
        assertEquals(20, RecordBatchDescriptor.LEADER_EPOCH_OFFSET);
        assertEquals(24, RecordBatchDescriptor.CRC_OFFSET);
        assertEquals(28, RecordBatchDescriptor.CRC_COVERAGE_OFFSET);
        assertEquals(28, RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET);
        assertEquals(32, RecordBatchDescriptor.FIRST_TIMESTAMP_OFFSET);
        assertEquals(40, RecordBatchDescriptor.MAX_TIMESTAMP_OFFSET);
        assertEquals(48, RecordBatchDescriptor.PRODUCER_ID_OFFSET);
        assertEquals(56, RecordBatchDescriptor.BASE_SEQUENCE_OFFSET);
        assertEquals(60, RecordBatchDescriptor.RECORD_COUNT_OFFSET);
        assertEquals(64, RecordBatchDescriptor.PRODUCER_EPOCH_OFFSET);
        assertEquals(66, RecordBatchDescriptor.COMPRESSION_OFFSET);
        assertEquals(67, RecordBatchDescriptor.FLAGS_OFFSET);
        assertEquals(68, RecordBatchDescriptor.RECORDS_GROUP_OFFSET);
        assertEquals(72, RecordBatchDescriptor.RECORDS_OFFSET);
        assertEquals(72 + 9 + 4 + 4 + 4, MIN_BATCH_LENGTH);
        assertEquals(9, RecordBatchDescriptor.RECORD_BLOCK_LENGTH);
        assertEquals(0, RecordBatchDescriptor.HEADERS_BLOCK_LENGTH);
        assertEquals(65_534, RecordBatchDescriptor.MAX_RECORDS);
    }

    @Test
    void shouldReturnBatchLengthWhenBatchIsValid()
    {
        assertVerify(length, copy(batch, 0, length));
        assertEquals(length, verify(batch, 0, length, length));
    }

    @Test
    void shouldReturnBatchLengthWhenBatchIsTheSmallestPossible()
    {
        final UnsafeBuffer smallest = buildStandalone(Producer.NONE, List.of(TestRecord.of(T0, null, null)));
        assertEquals(MIN_BATCH_LENGTH, smallest.capacity());
        assertVerify(MIN_BATCH_LENGTH, copy(smallest, 0, MIN_BATCH_LENGTH));
    }

    @Test
    void shouldVerifyEachBatchWhenBatchesAreBackToBack()
    {
        final List<UnsafeBuffer> batches = new ArrayList<>();
        final Random random = new Random(99);
        int total = 0;
        for (int i = 0; i < 10; i++)
        {
            final UnsafeBuffer one = buildStandalone(Producer.NONE, randomRecords(random, 1 + random.nextInt(6), T0));
            batches.add(one);
            total += one.capacity();
        }
        final UnsafeBuffer log = new UnsafeBuffer(ByteBuffer.allocateDirect(total));
        int position = 0;
        for (final UnsafeBuffer one : batches)
        {
            log.putBytes(position, one, 0, one.capacity());
            position += one.capacity();
        }

        position = 0;
        for (final UnsafeBuffer one : batches)
        {
            assertEquals(one.capacity(), verify(log, position, total - position, MAX));
            position += one.capacity();
        }
        assertEquals(total, position);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Single-byte corruption
    // ---------------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldRejectEverySingleByteFlipWhenByteIsCoveredByTheCrc(final BufferKind kind)
    {
        final Region region = place(kind, copy(batch, 0, length), 16);
        final UnsafeBuffer buffer = region.buffer();
        final int offset = region.offset();

        for (int position = RecordBatchDescriptor.CRC_COVERAGE_OFFSET; position < length; position++)
        {
            final byte original = buffer.getByte(offset + position);
            for (int xor = 1; xor <= 0xFF; xor++)
            {
                buffer.putByte(offset + position, (byte)(original ^ xor));
                assertEquals(BAD_CRC, verify(buffer, offset, length, MAX), "byte " + position + " ^ " + xor);
                assertEquals(BAD_CRC, verify(buffer, offset, region.capacity(), MAX), "byte " + position + " ^ " + xor);
            }
            buffer.putByte(offset + position, original);
        }
        assertEquals(length, verify(buffer, offset, length, MAX));
    }

    @Test
    void shouldRejectEverySingleByteFlipWhenByteIsInTheSbeMessageHeader()
    {
        for (int position = 0; position < 8; position++)
        {
            for (int xor = 1; xor <= 0xFF; xor++)
            {
                final byte[] corrupt = copy(batch, 0, length);
                corrupt[position] ^= (byte)xor;
                assertVerify(BAD_HEADER, corrupt);
            }
        }
    }

    @Test
    void shouldRejectEverySingleByteFlipWhenByteIsInTheBatchLength()
    {
        final int trailing = 300;
        for (int position = 16; position < 20; position++)
        {
            for (int xor = 1; xor <= 0xFF; xor++)
            {
                final byte[] corrupt = copy(batch, 0, length);
                corrupt[position] ^= (byte)xor;
                final int declared = ByteBuffer.wrap(corrupt).order(LITTLE_ENDIAN).getInt(16);
                final String message = "byte " + position + " ^ " + xor + ", declared " + declared;
                for (final int available : new int[]{ length, length + trailing })
                {
                    final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length + trailing]);
                    buffer.setMemory(length, trailing, (byte)0x77);
                    buffer.putBytes(0, corrupt);
                    final int expected = declared < MIN_BATCH_LENGTH ? BAD_LENGTH :
                        declared > available ? TRUNCATED : BAD_CRC;
                    assertEquals(expected, verify(buffer, 0, available, MAX), message);
                    assertEquals(
                        declared > length ? BAD_LENGTH : expected, verify(buffer, 0, available, length), message);
                }
            }
        }
    }

    @Test
    void shouldRejectEverySingleByteFlipWhenByteIsInTheCrc()
    {
        for (int position = 24; position < 28; position++)
        {
            for (int xor = 1; xor <= 0xFF; xor++)
            {
                final byte[] corrupt = copy(batch, 0, length);
                corrupt[position] ^= (byte)xor;
                assertVerify(BAD_CRC, corrupt);
            }
        }
    }

    @Test
    void shouldAcceptBatchWhenOnlyBaseOffsetOrLeaderEpochChange()
    {
        // Outside the CRC by design: the leader patches them at append.
        final Random random = new Random(4);
        for (final int position : new int[]{ 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23 })
        {
            final byte[] patched = copy(batch, 0, length);
            patched[position] ^= (byte)(1 + random.nextInt(255));
            assertVerify(length, patched);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Truncation and length limits
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldReturnTruncatedWhenBytesEndBeforeTheBatchLength()
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(length);
        final UnsafeBuffer exactDirect = new UnsafeBuffer(0, 0);
        final UnsafeBuffer exactHeap = new UnsafeBuffer(0, 0);
        final byte[] bytes = copy(batch, 0, length);
        new UnsafeBuffer(direct).putBytes(0, bytes);

        for (int available = 0; available < length; available++)
        {
            exactHeap.wrap(bytes, 0, available);
            exactDirect.wrap(direct, 0, available);
            final String message = "available " + available;

            assertEquals(TRUNCATED, verify(exactHeap, 0, available, MAX), message);
            assertEquals(TRUNCATED, verify(exactDirect, 0, available, MAX), message);
            assertEquals(TRUNCATED, verify(batch, 0, available, MAX), message);
            assertEquals(TRUNCATED, verify(exactHeap, 0, available, length), message);

            final int expectedWhenMaxIsSmaller =
                available < RecordBatchDescriptor.RECORDS_OFFSET ? TRUNCATED : BAD_LENGTH;
            assertEquals(expectedWhenMaxIsSmaller, verify(exactHeap, 0, available, length - 1), message);
        }
        assertEquals(TRUNCATED, verify(batch, 0, -1, MAX));
        assertEquals(TRUNCATED, verify(batch, 0, Integer.MIN_VALUE, MAX));
    }

    @Test
    void shouldReturnBadLengthWhenMaxBatchLengthIsSmallerThanTheBatch()
    {
        assertEquals(length, verify(batch, 0, length, length));
        assertEquals(BAD_LENGTH, verify(batch, 0, length, length - 1));
        assertEquals(BAD_LENGTH, verify(batch, 0, length, MIN_BATCH_LENGTH));
        assertEquals(BAD_LENGTH, verify(batch, 0, length, 0));
        assertEquals(BAD_LENGTH, verify(batch, 0, length, -1));
    }

    @Test
    void shouldReturnBadLengthWhenDeclaredLengthIsBelowTheSmallestBatch()
    {
        for (final int declared : new int[]{ MIN_BATCH_LENGTH - 1, 72, 28, 1, 0, -1, -length, Integer.MIN_VALUE })
        {
            final byte[] corrupt = copy(batch, 0, length);
            ByteBuffer.wrap(corrupt).order(LITTLE_ENDIAN).putInt(16, declared);
            assertVerify(BAD_LENGTH, corrupt);
        }
    }

    @Test
    void shouldReturnTruncatedWhenDeclaredLengthIsBeyondTheBytes()
    {
        for (final int declared : new int[]{ length + 1, length + 1000, Integer.MAX_VALUE })
        {
            final UnsafeBuffer corrupt = new UnsafeBuffer(copy(batch, 0, length));
            corrupt.putInt(16, declared, LITTLE_ENDIAN);
            assertEquals(TRUNCATED, verify(corrupt, 0, length, MAX));
            assertEquals(BAD_LENGTH, verify(corrupt, 0, length, declared - 1));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Compression
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldReturnMalformedRecordsWhenCodecIsLz4ButTheSectionIsNotLz4()
    {
        final UnsafeBuffer lz4 = new UnsafeBuffer(copy(batch, 0, length));
        lz4.putByte(RecordBatchDescriptor.COMPRESSION_OFFSET, (byte)Compression.LZ4.value());
        assertEquals(BAD_CRC, verify(lz4, 0, length, MAX), "CRC first: the codec byte is covered");

        updateCrc(lz4, 0);
        assertVerify(MALFORMED_RECORDS, copy(lz4, 0, length));
        assertThrows(IllegalArgumentException.class, () -> new RecordBatchView().wrap(lz4, 0));
    }

    @Test
    void shouldReturnUnsupportedCompressionWhenCodecIsUnknown()
    {
        for (final int codec : new int[]{ 2, 3, 0x7F, 0x80, 0xFE, 0xFF })
        {
            final UnsafeBuffer unknown = new UnsafeBuffer(copy(batch, 0, length));
            unknown.putByte(RecordBatchDescriptor.COMPRESSION_OFFSET, (byte)codec);
            updateCrc(unknown, 0);
            assertVerify(UNSUPPORTED_COMPRESSION, copy(unknown, 0, length));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Malformed records behind a valid CRC
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldAcceptBatchWhenCrcIsRecomputedWithoutTampering()
    {
        final UnsafeBuffer same = tamperable();
        assertEquals(RecordBatchFixtures.jdkCrc32c(batch, 28, length - 28), updateCrc(same, 0));
        assertVerify(length, copy(same, 0, length));
    }

    @Test
    void shouldRejectRecordsWhenRecordCountDiffersFromGroupCount()
    {
        final int count = RECORDS.size();
        for (final int recordCount : new int[]{ count + 1, count - 1, 0, -1, 65_536 + count })
        {
            final UnsafeBuffer corrupt = tamperable();
            corrupt.putInt(60, recordCount, LITTLE_ENDIAN);
            corrupt.putInt(28, Math.max(recordCount - 1, RECORDS.size() - 1), LITTLE_ENDIAN);
            assertMalformed(corrupt, "recordCount " + recordCount);
        }
        for (final int groupCount : new int[]{ RECORDS.size() + 1, RECORDS.size() - 1, 0, 0xFFFF })
        {
            final UnsafeBuffer corrupt = tamperable();
            corrupt.putShort(70, (short)groupCount, LITTLE_ENDIAN);
            assertMalformed(corrupt, "group count " + groupCount);
        }
    }

    @Test
    void shouldRejectRecordsWhenBothCountsAreZero()
    {
        final UnsafeBuffer corrupt = tamperable();
        corrupt.putInt(60, 0, LITTLE_ENDIAN);
        corrupt.putShort(70, (short)0, LITTLE_ENDIAN);
        assertMalformed(corrupt, "no records");
    }

    @Test
    void shouldRejectRecordsWhenGroupBlockLengthsAreWrong()
    {
        for (final int blockLength : new int[]{ 0, 8, 10, 13, 0xFFFF })
        {
            final UnsafeBuffer corrupt = tamperable();
            corrupt.putShort(68, (short)blockLength, LITTLE_ENDIAN);
            assertMalformed(corrupt, "records block length " + blockLength);
        }
        for (final RecordLayout record : layout(batch, 0))
        {
            for (final int blockLength : new int[]{ 1, 4, 0xFFFF })
            {
                final UnsafeBuffer corrupt = tamperable();
                corrupt.putShort(record.headerGroup(), (short)blockLength, LITTLE_ENDIAN);
                assertMalformed(corrupt, "headers block length " + blockLength + " at " + record.start());
            }
        }
    }

    @Test
    void shouldRejectRecordsWhenOffsetDeltasDoNotIncrease()
    {
        final List<RecordLayout> records = layout(batch, 0);
        for (int i = 1; i < records.size(); i++)
        {
            for (final int delta : new int[]{ i - 1, 0, -1, Integer.MIN_VALUE })
            {
                final UnsafeBuffer corrupt = tamperable();
                corrupt.putInt(records.get(i).start(), delta, LITTLE_ENDIAN);
                assertMalformed(corrupt, "record " + i + " delta " + delta);
            }
        }
        final UnsafeBuffer negativeFirst = tamperable();
        negativeFirst.putInt(records.get(0).start(), -1, LITTLE_ENDIAN);
        assertMalformed(negativeFirst, "first delta -1");
    }

    @Test
    void shouldAcceptRecordsWhenOffsetDeltasHaveGapsWithinTheRange()
    {
        // A compacted batch: records removed, offsets kept.
        final List<RecordLayout> records = layout(batch, 0);
        final int[] deltas = { 2, 3, 7, 8, 12 };
        final UnsafeBuffer compacted = tamperable();
        for (int i = 0; i < records.size(); i++)
        {
            compacted.putInt(records.get(i).start(), deltas[i], LITTLE_ENDIAN);
        }
        compacted.putInt(28, 15, LITTLE_ENDIAN);
        updateCrc(compacted, 0);
        assertVerify(length, copy(compacted, 0, length));

        RecordBatchDescriptor.assignOffsets(compacted, 0, 100, 3);
        final RecordBatchView view = new RecordBatchView().wrap(compacted, 0);
        assertEquals(115, view.lastOffset());
        assertEquals(116, view.nextOffset());
        for (final int delta : deltas)
        {
            assertTrue(view.nextRecord());
            assertEquals(100 + delta, view.offset());
        }
        assertFalse(view.nextRecord());
    }

    @Test
    void shouldRejectRecordsWhenAnOffsetDeltaPassesLastOffsetDelta()
    {
        final List<RecordLayout> records = layout(batch, 0);
        final UnsafeBuffer corrupt = tamperable();
        corrupt.putInt(records.get(records.size() - 1).start(), RECORDS.size(), LITTLE_ENDIAN);
        assertMalformed(corrupt, "last delta = lastOffsetDelta + 1");
    }

    @Test
    void shouldRejectRecordsWhenLastOffsetDeltaIsSmallerThanCountMinusOne()
    {
        for (final int lastOffsetDelta : new int[]{ RECORDS.size() - 2, 0, -1, Integer.MIN_VALUE })
        {
            final UnsafeBuffer corrupt = tamperable();
            corrupt.putInt(28, lastOffsetDelta, LITTLE_ENDIAN);
            assertMalformed(corrupt, "lastOffsetDelta " + lastOffsetDelta);
        }
    }

    @Test
    void shouldRejectRecordsWhenAnyVarDataLengthRunsPastTheEnd()
    {
        final List<Integer> lengthFields = new ArrayList<>();
        for (final RecordLayout record : layout(batch, 0))
        {
            for (final int headerKey : record.headerKeyLengths())
            {
                lengthFields.add(headerKey);
                lengthFields.add(headerKey + 4 + batch.getInt(headerKey, LITTLE_ENDIAN));
            }
            lengthFields.add(record.keyLength());
            lengthFields.add(record.valueLength());
        }
        assertEquals(3 * 2 + RECORDS.size() * 2, lengthFields.size());

        for (final int field : lengthFields)
        {
            final int remaining = length - (field + 4);
            for (final int bad : new int[]{ remaining + 1, remaining + 1000, Integer.MAX_VALUE, -1, Integer.MIN_VALUE })
            {
                final UnsafeBuffer corrupt = tamperable();
                corrupt.putInt(field, bad, LITTLE_ENDIAN);
                assertMalformed(corrupt, "length field at " + field + " = " + bad);
            }
        }
    }

    @Test
    void shouldRejectRecordsWhenHeaderCountRunsPastTheRecord()
    {
        for (final RecordLayout record : layout(batch, 0))
        {
            final int headers = record.headerKeyLengths().length;
            for (final int count : new int[]{ headers + 1, 0xFFFF })
            {
                final UnsafeBuffer corrupt = tamperable();
                corrupt.putShort(record.headerGroup() + 2, (short)count, LITTLE_ENDIAN);
                assertMalformed(corrupt, "header count " + count + " at " + record.start());
            }
        }
    }

    @Test
    void shouldRejectRecordsWhenBatchHasTrailingBytes()
    {
        for (int extra = 1; extra <= 40; extra++)
        {
            for (final byte fill : new byte[]{ 0, (byte)0xFF, 0x11 })
            {
                final UnsafeBuffer corrupt = new UnsafeBuffer(new byte[length + extra]);
                corrupt.putBytes(0, batch, 0, length);
                corrupt.setMemory(length, extra, fill);
                corrupt.putInt(16, length + extra, LITTLE_ENDIAN);
                assertMalformed(corrupt, extra + " trailing bytes of " + fill);
            }
        }
    }

    @Test
    void shouldRejectRecordsWhenBatchLengthEndsInsideTheRecords()
    {
        for (int declared = MIN_BATCH_LENGTH; declared < length; declared++)
        {
            final UnsafeBuffer corrupt = new UnsafeBuffer(copy(batch, 0, declared));
            corrupt.putInt(16, declared, LITTLE_ENDIAN);
            assertMalformed(corrupt, "declared " + declared);
        }
    }

    @Test
    void shouldRejectRecordsWhenNullFlagsDisagreeWithLengths()
    {
        final List<RecordLayout> records = layout(batch, 0);
        for (int i = 0; i < records.size(); i++)
        {
            final RecordLayout record = records.get(i);
            final int flags = batch.getByte(record.flags());
            if (batch.getInt(record.keyLength(), LITTLE_ENDIAN) > 0)
            {
                final UnsafeBuffer corrupt = tamperable();
                corrupt.putByte(record.flags(), (byte)(flags | 1));
                assertMalformed(corrupt, "nullKey with key bytes, record " + i);
            }
            if (batch.getInt(record.valueLength(), LITTLE_ENDIAN) > 0)
            {
                final UnsafeBuffer corrupt = tamperable();
                corrupt.putByte(record.flags(), (byte)(flags | 2));
                assertMalformed(corrupt, "nullValue with value bytes, record " + i);
            }
        }
    }

    @Test
    void shouldAcceptNullFlagsWhenLengthsAreZero()
    {
        // Record 3 has an empty key and an empty value: flagging them null is consistent.
        final RecordLayout record = layout(batch, 0).get(3);
        final UnsafeBuffer nulls = tamperable();
        nulls.putByte(record.flags(), (byte)3);
        updateCrc(nulls, 0);
        assertVerify(length, copy(nulls, 0, length));

        final RecordBatchView view = new RecordBatchView().wrap(nulls, 0);
        for (int i = 0; i <= 3; i++)
        {
            assertTrue(view.nextRecord());
        }
        assertTrue(view.isKeyNull());
        assertTrue(view.isValueNull());
    }

    @Test
    void shouldRejectRecordsWhenMaxTimestampDoesNotMatchTheRecords()
    {
        final long max = T0 + 100;
        assertEquals(max, RecordBatchDescriptor.maxTimestamp(batch, 0));
        for (final long wrong : new long[]{ max + 1, max - 1, T0 + 7, T0 + 2, Long.MIN_VALUE, Long.MAX_VALUE })
        {
            final UnsafeBuffer corrupt = tamperable();
            corrupt.putLong(40, wrong, LITTLE_ENDIAN);
            assertMalformed(corrupt, "maxTimestamp " + wrong);
        }

        final UnsafeBuffer shifted = tamperable();
        shifted.putLong(32, T0 + 1, LITTLE_ENDIAN);
        assertMalformed(shifted, "firstTimestamp moved, so every record timestamp moved");

        final UnsafeBuffer delta = tamperable();
        final RecordLayout last = layout(batch, 0).get(RECORDS.size() - 1);
        delta.putInt(last.timestampDelta(), 101, LITTLE_ENDIAN);
        assertMalformed(delta, "a record later than maxTimestamp");
    }

    @Test
    void shouldRejectRecordsWhenRecordFlagsHaveUnknownBits()
    {
        final List<RecordLayout> records = layout(batch, 0);
        for (int i = 0; i < records.size(); i++)
        {
            for (int bit = 2; bit < 8; bit++)
            {
                final UnsafeBuffer corrupt = tamperable();
                final RecordLayout record = records.get(i);
                corrupt.putByte(record.flags(), (byte)(batch.getByte(record.flags()) | (1 << bit)));
                assertMalformed(corrupt, "record " + i + " flag bit " + bit);
            }
        }
    }

    @Test
    void shouldRejectBatchWhenBatchFlagsHaveUnknownBits()
    {
        for (int bit = 2; bit < 8; bit++)
        {
            final UnsafeBuffer corrupt = tamperable();
            corrupt.putByte(RecordBatchDescriptor.FLAGS_OFFSET, (byte)(1 << bit));
            assertMalformed(corrupt, "batch flag bit " + bit);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Fuzz
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldNeverThrowNorReadOutsideTheRegionWhenInputIsRandomOrMutated()
    {
        final Random random = new Random(0x51_0C_E5L);
        final List<byte[]> seeds = new ArrayList<>();
        seeds.add(copy(batch, 0, length));
        for (int i = 0; i < 24; i++)
        {
            final UnsafeBuffer seed = buildStandalone(
                new Producer(random.nextLong(), (short)random.nextInt(), random.nextInt()),
                randomRecords(random, 1 + random.nextInt(8), random.nextLong() >> 8));
            seeds.add(copy(seed, 0, seed.capacity()));
        }
        // LZ4 batches, so that mutations reach the decompressor behind a valid CRC.
        for (int i = 0; i < 8; i++)
        {
            final UnsafeBuffer plain = buildStandalone(PRODUCER, RECORDS);
            final UnsafeBuffer lz4 = new UnsafeBuffer(new byte[plain.capacity() * 2 + 64]);
            final RecordBatchBuilder builder = new RecordBatchBuilder().compression(Compression.LZ4)
                .wrap(lz4, 0, lz4.capacity());
            final byte[] value = ("repetitive value " + i + " ").repeat(1 + i * 3).getBytes(StandardCharsets.UTF_8);
            for (int r = 0; r <= i; r++)
            {
                builder.append(T0 + r, null, value);
            }
            final int lz4Length = builder.build();
            assertEquals(Compression.LZ4.value(), lz4.getByte(RecordBatchDescriptor.COMPRESSION_OFFSET));
            seeds.add(copy(lz4, 0, lz4Length));
        }

        final int bigLength = 16 * 1024;
        final byte[] heapBig = new byte[bigLength];
        final UnsafeBuffer heapSurrounded = new UnsafeBuffer(heapBig);
        final ByteBuffer directBig = ByteBuffer.allocateDirect(bigLength);
        final UnsafeBuffer directSurrounded = new UnsafeBuffer(directBig);
        final UnsafeBuffer exactHeap = new UnsafeBuffer(0, 0);
        final UnsafeBuffer exactDirect = new UnsafeBuffer(0, 0);
        random.nextBytes(heapBig);
        directSurrounded.setMemory(0, bigLength, (byte)0xFF);

        final TreeMap<Integer, Integer> outcomes = new TreeMap<>();
        for (int iteration = 0; iteration < 20_000; iteration++)
        {
            final byte[] input = fuzzInput(random, seeds);
            final int available = input.length;
            if (available >= RecordBatchDescriptor.RECORDS_OFFSET && random.nextBoolean())
            {
                final UnsafeBuffer recrc = new UnsafeBuffer(input);
                final int declared = RecordBatchDescriptor.batchLength(recrc, 0);
                if (declared >= RecordBatchDescriptor.CRC_COVERAGE_OFFSET && declared <= available)
                {
                    updateCrc(recrc, 0);
                }
            }
            final int maxBatchLength = random.nextInt(10) == 0 ? random.nextInt(available + 50) : MAX;
            final int heapOffset = random.nextInt(4096);
            final int directOffset = random.nextInt(4096);

            try
            {
                System.arraycopy(input, 0, heapBig, heapOffset, available);
                directSurrounded.putBytes(directOffset, input);
                exactHeap.wrap(heapBig, heapOffset, available);
                exactDirect.wrap(directBig, directOffset, available);

                // Exactly-sized views throw on any read outside the region; the surrounded ones would read other data.
                final int expected = referenceVerify(input, maxBatchLength);
                final int onExactHeap = verify(exactHeap, 0, available, maxBatchLength);
                final int onExactDirect = verify(exactDirect, 0, available, maxBatchLength);
                final int onHeap = verify(heapSurrounded, heapOffset, available, maxBatchLength);
                final int onDirect = verify(directSurrounded, directOffset, available, maxBatchLength);
                scramble(random, heapBig, heapOffset, available);
                final int onScrambledHeap = verify(heapSurrounded, heapOffset, available, maxBatchLength);

                assertEquals(expected, onExactHeap, "reference");
                assertEquals(onExactHeap, onExactDirect, "exact direct");
                assertEquals(onExactHeap, onHeap, "surrounded heap");
                assertEquals(onExactHeap, onDirect, "surrounded direct");
                assertEquals(onExactHeap, onScrambledHeap, "surrounded heap, other surroundings");
                if (onExactHeap >= 0)
                {
                    assertEquals(RecordBatchDescriptor.batchLength(exactHeap, 0), onExactHeap);
                    assertTrue(onExactHeap <= available && onExactHeap <= maxBatchLength);
                    readEverything(exactHeap);
                    readEverything(exactDirect);
                }
                outcomes.merge(onExactHeap >= 0 ? 0 : onExactHeap, 1, Integer::sum);
            }
            catch (final Throwable ex)
            {
                fail("iteration " + iteration + ", max " + maxBatchLength + ", input " +
                    HexFormat.of().formatHex(input), ex);
            }
            finally
            {
                directSurrounded.setMemory(directOffset, available, (byte)0xFF);
            }
        }

        // The fuzz must reach every outcome, so it exercises every check of verify.
        for (final int code : new int[]{ 0, TRUNCATED, BAD_LENGTH, BAD_HEADER, BAD_CRC, MALFORMED_RECORDS,
            UNSUPPORTED_COMPRESSION })
        {
            assertTrue(outcomes.getOrDefault(code, 0) >= 20, "outcome " + errorMessage(code) + ": " + outcomes);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldDescribeEveryErrorCode()
    {
        assertEquals("truncated batch", errorMessage(TRUNCATED));
        assertEquals("batch length out of range", errorMessage(BAD_LENGTH));
        assertEquals("not a Sluice v0 record batch", errorMessage(BAD_HEADER));
        assertEquals("CRC32C mismatch", errorMessage(BAD_CRC));
        assertEquals("malformed records", errorMessage(MALFORMED_RECORDS));
        assertEquals("unsupported compression", errorMessage(UNSUPPORTED_COMPRESSION));
        assertEquals("valid", errorMessage(0));
        assertEquals("valid", errorMessage(length));
        assertEquals("unknown error -7", errorMessage(-7));
        assertEquals("unknown error " + Integer.MIN_VALUE, errorMessage(Integer.MIN_VALUE));

        final int[] codes = { TRUNCATED, BAD_LENGTH, BAD_HEADER, BAD_CRC, MALFORMED_RECORDS, UNSUPPORTED_COMPRESSION };
        for (int i = 0; i < codes.length; i++)
        {
            assertTrue(codes[i] < 0);
            for (int j = i + 1; j < codes.length; j++)
            {
                assertFalse(codes[i] == codes[j], "codes are distinct");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------------

    private UnsafeBuffer tamperable()
    {
        return new UnsafeBuffer(copy(batch, 0, length));
    }

    /** Recompute the CRC over the tampered bytes so that only the records check can catch them. */
    private static void assertMalformed(final UnsafeBuffer corrupt, final String message)
    {
        updateCrc(corrupt, 0);
        final byte[] bytes = copy(corrupt, 0, corrupt.capacity());
        assertEquals(MALFORMED_RECORDS, verify(corrupt, 0, corrupt.capacity(), MAX), message);
        assertEquals(MALFORMED_RECORDS, referenceVerify(bytes, MAX), "reference agrees: " + message);
        assertVerify(MALFORMED_RECORDS, bytes);
    }

    /**
     * Verify the same bytes in exactly-sized heap and direct buffers (any read outside throws) and in every
     * {@link BufferKind} followed by foreign bytes, with {@code available} both exact and larger.
     */
    private static void assertVerify(final int expected, final byte[] bytes)
    {
        final int available = bytes.length;
        assertEquals(expected, verify(new UnsafeBuffer(bytes), 0, available, MAX), "exact heap");
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(available));
        direct.putBytes(0, bytes);
        assertEquals(expected, verify(direct, 0, available, MAX), "exact direct");

        for (final BufferKind kind : BufferKind.values())
        {
            final Region region = place(kind, bytes, 16);
            assertEquals(expected, verify(region.buffer(), region.offset(), available, MAX), kind.name());
            assertEquals(expected, verify(region.buffer(), region.offset(), region.capacity(), MAX), kind + " + 16");
        }
    }

    private static Region place(final BufferKind kind, final byte[] bytes, final int trailing)
    {
        final Region region = kind.allocate(bytes.length + trailing);
        region.buffer().putBytes(region.offset(), bytes);
        return region;
    }

    private static void scramble(final Random random, final byte[] big, final int offset, final int length)
    {
        for (int i = Math.max(0, offset - 64); i < offset; i++)
        {
            big[i] = (byte)random.nextInt();
        }
        for (int i = offset + length, end = Math.min(big.length, offset + length + 4096); i < end; i++)
        {
            big[i] = (byte)random.nextInt();
        }
    }

    /** A verified batch must be readable to its last byte by the view, which trusts the lengths. */
    private static void readEverything(final DirectBuffer buffer)
    {
        final RecordBatchView view = new RecordBatchView().wrap(buffer, 0);
        int records = 0;
        while (view.nextRecord())
        {
            records++;
            assertTrue(view.offset() <= view.lastOffset());
            touch(view.key());
            touch(view.value());
            assertTrue(!view.isKeyNull() || view.key().capacity() == 0);
            assertTrue(!view.isValueNull() || view.value().capacity() == 0);
            int headers = 0;
            while (view.nextHeader())
            {
                headers++;
                touch(view.headerKey());
                touch(view.headerValue());
            }
            assertEquals(view.headerCount(), headers);
        }
        assertEquals(view.recordCount(), records);
    }

    /** Read every byte through the bounds-checked accessor. */
    private static void touch(final DirectBuffer bytes)
    {
        for (int i = 0; i < bytes.capacity(); i++)
        {
            bytes.getByte(i);
        }
    }

    private static byte[] fuzzInput(final Random random, final List<byte[]> seeds)
    {
        final byte[] seed = seeds.get(random.nextInt(seeds.size()));
        switch (random.nextInt(7))
        {
            case 0:
            {
                final byte[] bytes = new byte[random.nextInt(200)];
                random.nextBytes(bytes);
                return bytes;
            }

            case 1:
            {
                // Random records section behind a well-formed header, so the records check sees noise.
                final byte[] bytes = new byte[RecordBatchDescriptor.RECORDS_OFFSET + random.nextInt(300)];
                random.nextBytes(bytes);
                System.arraycopy(seed, 0, bytes, 0, RecordBatchDescriptor.RECORDS_OFFSET);
                final ByteBuffer view = ByteBuffer.wrap(bytes).order(LITTLE_ENDIAN);
                view.putInt(16, Math.max(MIN_BATCH_LENGTH, bytes.length - random.nextInt(3)));
                final int count = 1 + random.nextInt(3);
                view.putInt(60, count).putShort(70, (short)count).putInt(28, count - 1 + random.nextInt(2));
                return bytes;
            }

            case 2:
            {
                final byte[] bytes = seed.clone();
                for (int i = 1 + random.nextInt(6); i > 0; i--)
                {
                    bytes[random.nextInt(bytes.length)] ^= (byte)(1 + random.nextInt(255));
                }
                return bytes;
            }

            case 3:
            {
                final byte[] bytes = seed.clone();
                final int at = random.nextInt(bytes.length - 3);
                ByteBuffer.wrap(bytes).order(LITTLE_ENDIAN).putInt(at, interestingInt(random, bytes.length - at));
                return bytes;
            }

            case 4:
            {
                // Records region only, so header checks pass and the records check is what decides.
                final byte[] bytes = seed.clone();
                final int at = RecordBatchDescriptor.CRC_COVERAGE_OFFSET +
                    random.nextInt(bytes.length - RecordBatchDescriptor.CRC_COVERAGE_OFFSET - 3);
                if (random.nextBoolean())
                {
                    ByteBuffer.wrap(bytes).order(LITTLE_ENDIAN).putInt(at, interestingInt(random, bytes.length - at));
                }
                else
                {
                    bytes[at] = (byte)random.nextInt(4);
                }
                return bytes;
            }

            case 5:
            {
                // Shorter or longer than the declared length, sometimes with the length adjusted.
                final int newLength = Math.max(0, seed.length + random.nextInt(40) - 30);
                final byte[] bytes = java.util.Arrays.copyOf(seed, newLength);
                for (int i = seed.length; i < newLength; i++)
                {
                    bytes[i] = (byte)random.nextInt();
                }
                if (newLength >= 20 && random.nextBoolean())
                {
                    ByteBuffer.wrap(bytes).order(LITTLE_ENDIAN).putInt(16, newLength - random.nextInt(3));
                }
                return bytes;
            }

            default:
            {
                final byte[] bytes = seed.clone();
                if (random.nextInt(4) == 0)
                {
                    bytes[RecordBatchDescriptor.COMPRESSION_OFFSET] = (byte)random.nextInt(3);
                }
                return bytes;
            }
        }
    }

    private static int interestingInt(final Random random, final int remaining)
    {
        switch (random.nextInt(8))
        {
            case 0: return 0;
            case 1: return -1;
            case 2: return Integer.MAX_VALUE;
            case 3: return Integer.MIN_VALUE;
            case 4: return remaining - 4 + random.nextInt(3) - 1;
            case 5: return random.nextInt(16);
            case 6: return 0x7FFF_FFFF - random.nextInt(16);
            default: return random.nextInt();
        }
    }

    /**
     * An independent implementation of the documented checks: plain {@link ByteBuffer} reads for the header, the
     * JDK's CRC32C, and the SBE-generated decoder over an exactly-sized buffer for the records.
     */
    static int referenceVerify(final byte[] region, final int maxBatchLength)
    {
        if (region.length < 72)
        {
            return TRUNCATED;
        }
        final ByteBuffer bytes = ByteBuffer.wrap(region).order(LITTLE_ENDIAN);
        final int batchLength = bytes.getInt(16);
        if (batchLength < 93 || batchLength > maxBatchLength)
        {
            return BAD_LENGTH;
        }
        if (batchLength > region.length)
        {
            return TRUNCATED;
        }
        if (bytes.getShort(0) != 60 || bytes.getShort(2) != 1 || bytes.getShort(4) != 101 || bytes.getShort(6) != 0)
        {
            return BAD_HEADER;
        }
        final CRC32C crc = new CRC32C();
        crc.update(region, 28, batchLength - 28);
        if ((int)crc.getValue() != bytes.getInt(24))
        {
            return BAD_CRC;
        }
        if (region[66] == 1)
        {
            return lz4RecordsWellFormed(region, batchLength) ? batchLength : MALFORMED_RECORDS;
        }
        if (region[66] != 0)
        {
            return UNSUPPORTED_COMPRESSION;
        }
        return recordsWellFormed(new UnsafeBuffer(region, 0, batchLength)) ? batchLength : MALFORMED_RECORDS;
    }

    /**
     * LZ4: the section after the 68-byte header is an int32 uncompressed length and an LZ4 block; decompressed with
     * lz4-java's safe (not unsafe) Java instance into the header of a synthetic uncompressed batch.
     */
    private static boolean lz4RecordsWellFormed(final byte[] region, final int batchLength)
    {
        final int compressedLength = batchLength - 72;
        if (compressedLength <= 0)
        {
            return false;
        }
        final int uncompressedLength = ByteBuffer.wrap(region).order(LITTLE_ENDIAN).getInt(68);
        if (uncompressedLength <= 0 || uncompressedLength > 64 * 1024 * 1024 ||
            uncompressedLength > (long)compressedLength * 255)
        {
            return false;
        }
        final byte[] synthetic = new byte[68 + uncompressedLength];
        System.arraycopy(region, 0, synthetic, 0, 68);
        try
        {
            final int decompressed = net.jpountz.lz4.LZ4Factory.safeInstance().safeDecompressor()
                .decompress(region, 72, compressedLength, synthetic, 68, uncompressedLength);
            if (decompressed != uncompressedLength)
            {
                return false;
            }
        }
        catch (final net.jpountz.lz4.LZ4Exception ex)
        {
            return false;
        }
        return recordsWellFormed(new UnsafeBuffer(synthetic));
    }

    private static boolean recordsWellFormed(final UnsafeBuffer batch)
    {
        final int end = batch.capacity();
        final RecordBatchDecoder decoder = new RecordBatchDecoder().wrap(batch, 8, 60, 0);
        try
        {
            final int lastOffsetDelta = decoder.lastOffsetDelta();
            final long firstTimestamp = decoder.firstTimestamp();
            final long maxTimestamp = decoder.maxTimestamp();
            final int recordCount = decoder.recordCount();
            final short batchFlags = decoder.flags().getRaw();
            final RecordBatchDecoder.RecordsDecoder records = decoder.records();
            if (recordCount < 1 || records.count() != recordCount || records.actingBlockLength() != 9 ||
                lastOffsetDelta < recordCount - 1 || (batchFlags & ~3) != 0)
            {
                return false;
            }

            long previousDelta = -1;
            long seenMaxTimestamp = Long.MIN_VALUE;
            while (records.hasNext())
            {
                records.next();
                final int offsetDelta = records.offsetDelta();
                final long timestamp = firstTimestamp + records.timestampDelta();
                final short flags = records.flags().getRaw();
                if (offsetDelta <= previousDelta || offsetDelta > lastOffsetDelta || (flags & ~3) != 0)
                {
                    return false;
                }
                previousDelta = offsetDelta;
                seenMaxTimestamp = Math.max(seenMaxTimestamp, timestamp);

                final RecordBatchDecoder.RecordsDecoder.HeadersDecoder headers = records.headers();
                if (headers.actingBlockLength() != 0)
                {
                    return false;
                }
                while (headers.hasNext())
                {
                    headers.next();
                    if (!fits(decoder.limit(), headers.headerKeyLength(), end, false))
                    {
                        return false;
                    }
                    headers.skipHeaderKey();
                    if (!fits(decoder.limit(), headers.headerValueLength(), end, false))
                    {
                        return false;
                    }
                    headers.skipHeaderValue();
                }
                if (!fits(decoder.limit(), records.keyLength(), end, (flags & 1) != 0))
                {
                    return false;
                }
                records.skipKey();
                if (!fits(decoder.limit(), records.valueLength(), end, (flags & 2) != 0))
                {
                    return false;
                }
                records.skipValue();
            }
            return decoder.limit() == end && seenMaxTimestamp == maxTimestamp;
        }
        catch (final IndexOutOfBoundsException ex)
        {
            return false;
        }
    }

    private static boolean fits(final int lengthPosition, final int length, final int end, final boolean isNull)
    {
        return length >= 0 && (long)lengthPosition + 4 + length <= end && (!isNull || length == 0);
    }
}
