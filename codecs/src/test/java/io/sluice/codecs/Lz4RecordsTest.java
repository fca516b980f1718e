package io.sluice.codecs;

import io.sluice.codecs.log.Compression;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.sluice.codecs.RecordBatchDescriptor.COMPRESSION_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.MALFORMED_RECORDS;
import static io.sluice.codecs.RecordBatchDescriptor.RECORDS_GROUP_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.updateCrc;
import static io.sluice.codecs.RecordBatchDescriptor.verify;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Lz4RecordsTest
{
    private static final int CAPACITY = 64 * 1024;

    private static int build(final UnsafeBuffer buffer, final int offset, final Compression compression,
        final List<byte[]> values)
    {
        final RecordBatchBuilder builder = new RecordBatchBuilder().compression(compression);
        builder.wrap(buffer, offset, CAPACITY);
        long timestamp = 1_700_000_000_000L;
        for (int i = 0; i < values.size(); i++)
        {
            if (i % 3 == 0)
            {
                builder.beginRecord(timestamp + i);
                final byte[] headerKey = bytes("h" + i);
                builder.header(new UnsafeBuffer(headerKey), 0, headerKey.length,
                    new UnsafeBuffer(bytes("header-value")), 0, 12);
                final byte[] key = bytes("key-" + i);
                builder.endRecord(new UnsafeBuffer(key), 0, key.length,
                    new UnsafeBuffer(values.get(i)), 0, values.get(i).length);
            }
            else
            {
                assertTrue(builder.append(timestamp + i, i % 3 == 1 ? null : bytes("k" + i), values.get(i)));
            }
        }
        return builder.build();
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<byte[]> compressibleValues(final int count)
    {
        final List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            values.add(bytes("{\"order\":" + i + ",\"side\":\"BUY\",\"symbol\":\"ACME\",\"qty\":100,\"px\":101.25}"));
        }
        return values;
    }

    @Test
    void shouldCompressVerifyAndReadBackEveryRecordAsTheUncompressedBatchHasIt()
    {
        final List<byte[]> values = compressibleValues(200);
        final UnsafeBuffer plain = new UnsafeBuffer(new byte[CAPACITY]);
        final int plainLength = build(plain, 0, Compression.NONE, values);
        final UnsafeBuffer compressed = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY + 8));
        final int compressedLength = build(compressed, 8, Compression.LZ4, values);

        assertTrue(compressedLength < plainLength / 3, compressedLength + " of " + plainLength);
        assertEquals(Compression.LZ4.value(), compressed.getByte(8 + COMPRESSION_OFFSET));
        assertEquals(compressedLength, verify(compressed, 8, compressedLength, compressedLength));
        assertEquals(plainLength, verify(plain, 0, plainLength, plainLength));

        final RecordBatchView expected = new RecordBatchView().wrap(plain, 0);
        final RecordBatchView actual = new RecordBatchView().wrap(compressed, 8);
        assertEquals(Compression.LZ4, actual.compression());
        assertEquals(expected.recordCount(), actual.recordCount());
        assertEquals(expected.lastOffset(), actual.lastOffset());
        assertEquals(expected.maxTimestamp(), actual.maxTimestamp());
        int records = 0;
        while (expected.nextRecord())
        {
            assertTrue(actual.nextRecord());
            assertEquals(expected.offset(), actual.offset());
            assertEquals(expected.timestamp(), actual.timestamp());
            assertEquals(expected.isKeyNull(), actual.isKeyNull());
            assertArrayEquals(copy(expected.key()), copy(actual.key()));
            assertArrayEquals(copy(expected.value()), copy(actual.value()));
            assertEquals(expected.headerCount(), actual.headerCount());
            while (expected.nextHeader())
            {
                assertTrue(actual.nextHeader());
                assertArrayEquals(copy(expected.headerKey()), copy(actual.headerKey()));
                assertArrayEquals(copy(expected.headerValue()), copy(actual.headerValue()));
            }
            records++;
        }
        assertFalse(actual.nextRecord());
        assertEquals(200, records);
        actual.rewind();
        assertTrue(actual.nextRecord());
        assertEquals(0, actual.offset());
    }

    @Test
    void shouldNeverLengthenABatchNorCompressBelowTheMinimumLength()
    {
        final byte[] noise = new byte[1000];
        new Random(42).nextBytes(noise);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[CAPACITY]);
        final RecordBatchBuilder random = new RecordBatchBuilder().compression(Compression.LZ4)
            .wrap(buffer, 0, CAPACITY);
        assertTrue(random.append(1L, null, noise));
        final int uncompressedLength = random.length();
        final int length = random.build();
        assertTrue(length <= uncompressedLength, "never longer: " + length + " of " + uncompressedLength);
        assertEquals(length, verify(buffer, 0, length, length));

        final UnsafeBuffer tiny = new UnsafeBuffer(new byte[CAPACITY]);
        final RecordBatchBuilder one = new RecordBatchBuilder().compression(Compression.LZ4).wrap(tiny, 0, CAPACITY);
        assertTrue(one.append(1L, null, new byte[1]));
        final int tinyLength = one.build();
        assertEquals(Compression.NONE.value(), tiny.getByte(COMPRESSION_OFFSET), "never below the minimum length");
        assertEquals(tinyLength, verify(tiny, 0, tinyLength, tinyLength));
    }

    @Test
    void shouldRefuseCorruptOrHostileLz4SectionsBehindAValidCrc()
    {
        final UnsafeBuffer compressed = new UnsafeBuffer(new byte[CAPACITY]);
        final int length = build(compressed, 0, Compression.LZ4, compressibleValues(100));

        final UnsafeBuffer huge = copyOf(compressed, length);
        huge.putInt(RECORDS_GROUP_OFFSET, Integer.MAX_VALUE, LITTLE_ENDIAN); // a claimed 2 GiB: refused unallocated
        updateCrc(huge, 0);
        assertEquals(MALFORMED_RECORDS, verify(huge, 0, length, length));

        final UnsafeBuffer longer = copyOf(compressed, length);
        longer.putInt(RECORDS_GROUP_OFFSET, longer.getInt(RECORDS_GROUP_OFFSET, LITTLE_ENDIAN) + 1, LITTLE_ENDIAN);
        updateCrc(longer, 0);
        assertEquals(MALFORMED_RECORDS, verify(longer, 0, length, length), "declared length must be exact");

        final Random random = new Random(7);
        for (int round = 0; round < 500; round++)
        {
            final UnsafeBuffer flipped = copyOf(compressed, length);
            final int at = RECORDS_GROUP_OFFSET + 4 + random.nextInt(length - RECORDS_GROUP_OFFSET - 4);
            flipped.putByte(at, (byte)(flipped.getByte(at) ^ (1 + random.nextInt(255))));
            updateCrc(flipped, 0);
            final int result = verify(flipped, 0, length, length);
            assertTrue(result == length || result == MALFORMED_RECORDS, "round " + round + ": " + result);
            if (result == length)
            {
                final RecordBatchView view = new RecordBatchView().wrap(flipped, 0);
                while (view.nextRecord())
                {
                    view.value(); // a flip that still verifies (inside a value) must read within bounds
                }
            }
        }
    }

    private static UnsafeBuffer copyOf(final UnsafeBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return new UnsafeBuffer(bytes);
    }

    private static byte[] copy(final org.agrona.DirectBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.capacity()];
        buffer.getBytes(0, bytes);
        return bytes;
    }
}
