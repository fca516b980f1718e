package io.sluice.codecs;

import io.sluice.codecs.log.Compression;
import io.sluice.codecs.log.MessageHeaderDecoder;
import io.sluice.codecs.log.MessageHeaderEncoder;
import io.sluice.codecs.log.RecordBatchDecoder;
import io.sluice.codecs.log.RecordBatchEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records, buffers, a reference encoder and two independent readers (the view and the SBE-generated decoder) shared
 * by the codec tests. The reference side deliberately uses literal layout numbers and the JDK's {@link CRC32C} so that
 * it does not trust the code under test.
 */
final class RecordBatchFixtures
{
    /** Bytes of the batch header as drawn in the {@link RecordBatchDescriptor} Javadoc. */
    static final int HEADER_LENGTH = 72;
    /** Fixed block of one record: offsetDelta, timestampDelta, flags. */
    static final int RECORD_FIXED_LENGTH = 9;
    static final int GROUP_HEADER = 4;
    static final int VAR_LENGTH = 4;
    static final int CRC_FROM = 28;

    private RecordBatchFixtures()
    {
    }

    record TestHeader(byte[] key, byte[] value)
    {
        int encodedLength()
        {
            return 2 * VAR_LENGTH + key.length + value.length;
        }
    }

    record TestRecord(long timestamp, byte[] key, byte[] value, List<TestHeader> headers)
    {
        static TestRecord of(final long timestamp, final byte[] key, final byte[] value)
        {
            return new TestRecord(timestamp, key, value, List.of());
        }

        int encodedLength()
        {
            int length = RECORD_FIXED_LENGTH + GROUP_HEADER + 2 * VAR_LENGTH + lengthOf(key) + lengthOf(value);
            for (final TestHeader header : headers)
            {
                length += header.encodedLength();
            }
            return length;
        }
    }

    record Producer(long id, short epoch, int baseSequence)
    {
        static final Producer NONE = new Producer(-1, (short)-1, -1);
    }

    /** A region of a larger buffer; the bytes around it hold a known pattern. */
    record Region(UnsafeBuffer buffer, int offset, int capacity, byte padding)
    {
        void assertSurroundingsUntouched()
        {
            assertRegionUntouched(buffer, 0, offset, padding, "before the region");
            assertRegionUntouched(buffer, offset + capacity, buffer.capacity(), padding, "after the region");
        }
    }

    enum BufferKind
    {
        DIRECT
        {
            Region allocate(final int capacity)
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
                fill(buffer, 0, capacity, (byte)0x5A);
                return new Region(buffer, 0, capacity, (byte)0x5A);
            }
        },

        DIRECT_AT_OFFSET
        {
            Region allocate(final int capacity)
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + 2 * PAD));
                fill(buffer, 0, buffer.capacity(), (byte)0xA5);
                return new Region(buffer, PAD, capacity, (byte)0xA5);
            }
        },

        HEAP_AT_OFFSET
        {
            Region allocate(final int capacity)
            {
                // A byte[] wrapped from a non-zero array index, and the batch at a non-zero, unaligned offset in it.
                final byte[] array = new byte[capacity + 2 * PAD + 7];
                final UnsafeBuffer buffer = new UnsafeBuffer(array, 7, capacity + 2 * PAD);
                fill(buffer, 0, buffer.capacity(), (byte)0xC3);
                return new Region(buffer, PAD - 3, capacity, (byte)0xC3);
            }
        };

        static final int PAD = 40;

        abstract Region allocate(int capacity);
    }

    static void fill(final MutableDirectBuffer buffer, final int from, final int length, final byte value)
    {
        buffer.setMemory(from, length, value);
    }

    static int lengthOf(final byte[] bytes)
    {
        return null == bytes ? 0 : bytes.length;
    }

    static byte[] bytes(final String text)
    {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static byte[] randomBytes(final Random random, final int length)
    {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    static byte[] contents(final DirectBuffer view)
    {
        return copy(view, 0, view.capacity());
    }

    static int expectedBatchLength(final List<TestRecord> records)
    {
        int length = HEADER_LENGTH;
        for (final TestRecord record : records)
        {
            length += record.encodedLength();
        }
        return length;
    }

    static long expectedMaxTimestamp(final List<TestRecord> records)
    {
        long max = Long.MIN_VALUE;
        for (final TestRecord record : records)
        {
            max = Math.max(max, record.timestamp());
        }
        return max;
    }

    static int jdkCrc32c(final DirectBuffer buffer, final int offset, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(copy(buffer, offset, length));
        return (int)crc.getValue();
    }

    /**
     * Records with a mix of null, empty and random keys and values, headers, and timestamps that go back and forth
     * around {@code baseTimestamp}.
     */
    static List<TestRecord> randomRecords(final Random random, final int count, final long baseTimestamp)
    {
        final List<TestRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final long timestamp = 0 == i ? baseTimestamp : baseTimestamp + random.nextInt(20_001) - 10_000;
            final byte[] key = randomNullableBytes(random, 40);
            final byte[] value = randomNullableBytes(random, 200);
            final int headerCount = random.nextInt(4) == 0 ? random.nextInt(5) : 0;
            final List<TestHeader> headers = new ArrayList<>(headerCount);
            for (int h = 0; h < headerCount; h++)
            {
                headers.add(new TestHeader(
                    randomBytes(random, random.nextInt(12)), randomBytes(random, random.nextInt(30))));
            }
            records.add(new TestRecord(timestamp, key, value, headers));
        }
        return records;
    }

    private static byte[] randomNullableBytes(final Random random, final int maxLength)
    {
        final int choice = random.nextInt(8);
        if (0 == choice)
        {
            return null;
        }
        if (1 == choice)
        {
            return new byte[0];
        }
        return randomBytes(random, 1 + random.nextInt(maxLength));
    }

    /**
     * Append with every API path of the builder: the byte[] overload, the DirectBuffer overload with the bytes at a
     * non-zero source offset, and beginRecord/header/endRecord (always used when the record has headers).
     */
    static boolean appendRecord(final RecordBatchBuilder builder, final TestRecord record, final int style)
    {
        if (record.headers().isEmpty() && 0 == style % 3)
        {
            return builder.append(record.timestamp(), record.key(), record.value());
        }

        final DirectBuffer key = atOffset(record.key(), 3);
        final DirectBuffer value = atOffset(record.value(), 11);
        if (record.headers().isEmpty() && 1 == style % 3)
        {
            return builder.append(
                record.timestamp(), key, 3, lengthOf(record.key()), value, 11, lengthOf(record.value()));
        }

        if (!builder.beginRecord(record.timestamp()))
        {
            return false;
        }
        for (final TestHeader header : record.headers())
        {
            if (!builder.header(
                atOffset(header.key(), 1), 1, header.key().length,
                atOffset(header.value(), 5), 5, header.value().length))
            {
                return false;
            }
        }
        return builder.endRecord(key, 3, lengthOf(record.key()), value, 11, lengthOf(record.value()));
    }

    static DirectBuffer atOffset(final byte[] bytes, final int offset)
    {
        if (null == bytes)
        {
            return null;
        }
        final byte[] padded = new byte[offset + bytes.length + 5];
        java.util.Arrays.fill(padded, (byte)0xEE);
        System.arraycopy(bytes, 0, padded, offset, bytes.length);
        return new UnsafeBuffer(padded);
    }

    /**
     * Build a batch of all {@code records} with the builder, asserting each append succeeds.
     *
     * @return the batch length.
     */
    static int build(
        final RecordBatchBuilder builder,
        final MutableDirectBuffer buffer,
        final int offset,
        final int capacity,
        final Producer producer,
        final List<TestRecord> records)
    {
        builder.wrap(buffer, offset, capacity);
        if (producer != Producer.NONE)
        {
            builder.producer(producer.id(), producer.epoch(), producer.baseSequence());
        }
        for (int i = 0; i < records.size(); i++)
        {
            assertTrue(appendRecord(builder, records.get(i), i), "append of record " + i);
            assertEquals(i + 1, builder.recordCount());
        }
        return builder.build();
    }

    /** A built batch copied into its own exactly-sized heap buffer. */
    static UnsafeBuffer buildStandalone(final Producer producer, final List<TestRecord> records)
    {
        final int length = expectedBatchLength(records);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        assertEquals(length, build(new RecordBatchBuilder(), buffer, 0, length, producer, records));
        return buffer;
    }

    /**
     * Encode the batch the builder is expected to produce with the SBE-generated encoder, and the CRC with the JDK.
     *
     * @return the batch length.
     */
    static int encodeWithSbe(
        final MutableDirectBuffer buffer, final int offset, final Producer producer, final List<TestRecord> records)
    {
        final int length = expectedBatchLength(records);
        final long firstTimestamp = records.get(0).timestamp();
        final RecordBatchEncoder encoder = new RecordBatchEncoder();
        encoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .baseOffset(0)
            .batchLength(length)
            .leaderEpoch(-1)
            .crc(0)
            .lastOffsetDelta(records.size() - 1)
            .firstTimestamp(firstTimestamp)
            .maxTimestamp(expectedMaxTimestamp(records))
            .producerId(producer.id())
            .baseSequence(producer.baseSequence())
            .recordCount(records.size())
            .producerEpoch(producer.epoch())
            .compression(Compression.NONE);
        encoder.flags().clear();

        final RecordBatchEncoder.RecordsEncoder recordsEncoder = encoder.recordsCount(records.size());
        for (int i = 0; i < records.size(); i++)
        {
            final TestRecord record = records.get(i);
            recordsEncoder.next()
                .offsetDelta(i)
                .timestampDelta(Math.toIntExact(record.timestamp() - firstTimestamp));
            recordsEncoder.flags().clear().nullKey(null == record.key()).nullValue(null == record.value());
            final RecordBatchEncoder.RecordsEncoder.HeadersEncoder headersEncoder =
                recordsEncoder.headersCount(record.headers().size());
            for (final TestHeader header : record.headers())
            {
                headersEncoder.next()
                    .putHeaderKey(header.key(), 0, header.key().length)
                    .putHeaderValue(header.value(), 0, header.value().length);
            }
            recordsEncoder.putKey(orEmpty(record.key()), 0, lengthOf(record.key()));
            recordsEncoder.putValue(orEmpty(record.value()), 0, lengthOf(record.value()));
        }
        assertEquals(length, encoder.limit() - offset, "reference encoder length");

        final int crc = jdkCrc32c(buffer, offset + CRC_FROM, length - CRC_FROM);
        new RecordBatchEncoder().wrap(buffer, offset + MessageHeaderEncoder.ENCODED_LENGTH).crc(crc & 0xFFFF_FFFFL);
        return length;
    }

    private static byte[] orEmpty(final byte[] bytes)
    {
        return null == bytes ? new byte[0] : bytes;
    }

    /** Read the batch with the view and compare every field and every record with what was written. */
    static void assertViewReads(
        final DirectBuffer buffer,
        final int offset,
        final long baseOffset,
        final int leaderEpoch,
        final Producer producer,
        final List<TestRecord> records)
    {
        final RecordBatchView view = new RecordBatchView().wrap(buffer, offset);
        final int length = expectedBatchLength(records);

        assertSame(buffer, view.buffer());
        assertEquals(offset, view.batchOffset());
        assertEquals(length, view.batchLength());
        assertEquals(baseOffset, view.baseOffset());
        assertEquals(baseOffset + records.size() - 1, view.lastOffset());
        assertEquals(baseOffset + records.size(), view.nextOffset());
        assertEquals(leaderEpoch, view.leaderEpoch());
        assertEquals(jdkCrc32c(buffer, offset + CRC_FROM, length - CRC_FROM), view.crc());
        assertEquals(records.get(0).timestamp(), view.firstTimestamp());
        assertEquals(expectedMaxTimestamp(records), view.maxTimestamp());
        assertEquals(producer.id(), view.producerId());
        assertEquals(producer.epoch(), view.producerEpoch());
        assertEquals(producer.baseSequence(), view.baseSequence());
        assertEquals(records.size(), view.recordCount());
        assertEquals(Compression.NONE, view.compression());

        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < records.size(); i++)
            {
                assertTrue(view.nextRecord(), "record " + i);
                assertRecord(view, baseOffset + i, records.get(i), "record " + i);
            }
            assertFalse(view.nextRecord());
            assertFalse(view.nextRecord());
            view.rewind();
        }
    }

    static void assertRecord(
        final RecordBatchView view, final long expectedOffset, final TestRecord record, final String message)
    {
        assertEquals(expectedOffset, view.offset(), message);
        assertEquals(record.timestamp(), view.timestamp(), message);
        assertEquals(null == record.key(), view.isKeyNull(), message);
        assertEquals(null == record.value(), view.isValueNull(), message);
        assertArrayEquals(orEmpty(record.key()), contents(view.key()), message);
        assertArrayEquals(orEmpty(record.value()), contents(view.value()), message);
        assertEquals(record.headers().size(), view.headerCount(), message);
        for (int h = 0; h < record.headers().size(); h++)
        {
            assertTrue(view.nextHeader(), message + " header " + h);
            assertArrayEquals(record.headers().get(h).key(), contents(view.headerKey()), message + " header " + h);
            assertArrayEquals(record.headers().get(h).value(), contents(view.headerValue()), message + " header " + h);
        }
        assertFalse(view.nextHeader(), message);
        assertFalse(view.nextHeader(), message);
    }

    /**
     * Decode the batch with the SBE-generated flyweights, in schema order (precedence checks are on in tests), and
     * compare with what was written: this proves the bytes follow {@code log-codecs.xml}.
     */
    static void assertSbeDecodes(
        final DirectBuffer buffer,
        final int offset,
        final long baseOffset,
        final int leaderEpoch,
        final Producer producer,
        final List<TestRecord> records)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
        assertEquals(RecordBatchDecoder.BLOCK_LENGTH, header.blockLength());
        assertEquals(RecordBatchDecoder.TEMPLATE_ID, header.templateId());
        assertEquals(RecordBatchDecoder.SCHEMA_ID, header.schemaId());
        assertEquals(RecordBatchDecoder.SCHEMA_VERSION, header.version());
        assertEquals(101, header.schemaId());
        assertEquals(1, header.templateId());

        final int length = expectedBatchLength(records);
        final long firstTimestamp = records.get(0).timestamp();
        final RecordBatchDecoder decoder = new RecordBatchDecoder().wrap(
            buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        assertEquals(baseOffset, decoder.baseOffset());
        assertEquals(length, decoder.batchLength());
        assertEquals(leaderEpoch, decoder.leaderEpoch());
        assertEquals(jdkCrc32c(buffer, offset + CRC_FROM, length - CRC_FROM) & 0xFFFF_FFFFL, decoder.crc());
        assertEquals(records.size() - 1, decoder.lastOffsetDelta());
        assertEquals(firstTimestamp, decoder.firstTimestamp());
        assertEquals(expectedMaxTimestamp(records), decoder.maxTimestamp());
        assertEquals(producer.id(), decoder.producerId());
        assertEquals(producer.baseSequence(), decoder.baseSequence());
        assertEquals(records.size(), decoder.recordCount());
        assertEquals(producer.epoch(), decoder.producerEpoch());
        assertEquals(Compression.NONE, decoder.compression());
        assertTrue(decoder.flags().isEmpty());

        final RecordBatchDecoder.RecordsDecoder recordsDecoder = decoder.records();
        assertEquals(records.size(), recordsDecoder.count());
        assertEquals(RECORD_FIXED_LENGTH, recordsDecoder.actingBlockLength());
        for (int i = 0; i < records.size(); i++)
        {
            final TestRecord record = records.get(i);
            final String message = "record " + i;
            assertTrue(recordsDecoder.hasNext(), message);
            recordsDecoder.next();
            assertEquals(i, recordsDecoder.offsetDelta(), message);
            assertEquals(record.timestamp(), firstTimestamp + recordsDecoder.timestampDelta(), message);
            assertEquals(null == record.key(), recordsDecoder.flags().nullKey(), message);
            assertEquals(null == record.value(), recordsDecoder.flags().nullValue(), message);
            assertEquals((null == record.key() ? 1 : 0) | (null == record.value() ? 2 : 0),
                recordsDecoder.flags().getRaw(), message);

            final RecordBatchDecoder.RecordsDecoder.HeadersDecoder headersDecoder = recordsDecoder.headers();
            assertEquals(0, headersDecoder.actingBlockLength(), message);
            assertEquals(record.headers().size(), headersDecoder.count(), message);
            for (final TestHeader expected : record.headers())
            {
                headersDecoder.next();
                final byte[] key = new byte[headersDecoder.headerKeyLength()];
                headersDecoder.getHeaderKey(key, 0, key.length);
                final byte[] value = new byte[headersDecoder.headerValueLength()];
                headersDecoder.getHeaderValue(value, 0, value.length);
                assertArrayEquals(expected.key(), key, message);
                assertArrayEquals(expected.value(), value, message);
            }
            assertFalse(headersDecoder.hasNext(), message);

            final byte[] key = new byte[recordsDecoder.keyLength()];
            recordsDecoder.getKey(key, 0, key.length);
            final byte[] value = new byte[recordsDecoder.valueLength()];
            recordsDecoder.getValue(value, 0, value.length);
            assertArrayEquals(orEmpty(record.key()), key, message);
            assertArrayEquals(orEmpty(record.value()), value, message);
        }
        assertFalse(recordsDecoder.hasNext());
        assertEquals(offset + length, decoder.limit(), "SBE decoding ends exactly at the batch end");
    }

    /** Where the fields of one record sit, found by walking the batch with the literal layout. */
    record RecordLayout(int start, int headerGroup, int[] headerKeyLengths, int keyLength, int valueLength, int end)
    {
        int flags()
        {
            return start + 8;
        }

        int timestampDelta()
        {
            return start + 4;
        }
    }

    static List<RecordLayout> layout(final DirectBuffer buffer, final int offset)
    {
        final int count = buffer.getShort(offset + 70, LITTLE_ENDIAN) & 0xFFFF;
        final List<RecordLayout> layouts = new ArrayList<>(count);
        int position = offset + HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            final int start = position;
            final int headerGroup = start + RECORD_FIXED_LENGTH;
            final int headerCount = buffer.getShort(headerGroup + 2, LITTLE_ENDIAN) & 0xFFFF;
            position = headerGroup + GROUP_HEADER;
            final int[] headerKeyLengths = new int[headerCount];
            for (int h = 0; h < headerCount; h++)
            {
                headerKeyLengths[h] = position;
                position += VAR_LENGTH + buffer.getInt(position, LITTLE_ENDIAN);
                position += VAR_LENGTH + buffer.getInt(position, LITTLE_ENDIAN);
            }
            final int keyLength = position;
            position += VAR_LENGTH + buffer.getInt(position, LITTLE_ENDIAN);
            final int valueLength = position;
            position += VAR_LENGTH + buffer.getInt(position, LITTLE_ENDIAN);
            layouts.add(new RecordLayout(start, headerGroup, headerKeyLengths, keyLength, valueLength, position));
        }
        return layouts;
    }

    static void assertRegionUntouched(
        final DirectBuffer buffer, final int from, final int to, final byte expected, final String message)
    {
        for (int i = from; i < to; i++)
        {
            if (buffer.getByte(i) != expected)
            {
                assertEquals(expected, buffer.getByte(i), message + " at index " + i);
            }
        }
    }
}
