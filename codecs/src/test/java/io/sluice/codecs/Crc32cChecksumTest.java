package io.sluice.codecs;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class Crc32cChecksumTest
{
    private static final int[] OFFSETS = { 0, 1, 3, 7, 8, 13, 64 };
    private static final int[] LENGTHS = { 0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 100, 1000, 4101 };
    private static final int DATA_LENGTH = 4101 + 64 + 16;

    private final byte[] data = new byte[DATA_LENGTH];

    Crc32cChecksumTest()
    {
        new Random(0xC5C).nextBytes(data);
    }

    @Test
    void shouldMatchKnownCheckValueWhenGivenTheStandardInput()
    {
        final byte[] input = "123456789".getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(9));
        direct.putBytes(0, input);

        assertEquals(0xE3069283, Crc32cChecksum.compute(direct, 0, 9));
        assertEquals(0xE3069283, Crc32cChecksum.compute(new UnsafeBuffer(input), 0, 9));
    }

    @Test
    void shouldBeZeroWhenLengthIsZero()
    {
        for (final DirectBuffer buffer : buffers())
        {
            assertEquals(0, Crc32cChecksum.compute(buffer, 0, 0));
            assertEquals(0, Crc32cChecksum.compute(buffer, 5, 0));
            assertEquals(0, Crc32cChecksum.compute(buffer, buffer.capacity(), 0), "empty range at the very end");
        }
    }

    @Test
    void shouldEqualJdkCrc32cWhenBufferIsDirect()
    {
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(DATA_LENGTH));
        direct.putBytes(0, data);
        assertMatchesJdk(direct);
    }

    @Test
    void shouldEqualJdkCrc32cWhenBufferIsASliceOfADirectBuffer()
    {
        final ByteBuffer backing = ByteBuffer.allocateDirect(DATA_LENGTH + 11);
        final UnsafeBuffer slice = new UnsafeBuffer(backing, 11, DATA_LENGTH);
        slice.putBytes(0, data);
        assertMatchesJdk(slice);
    }

    @Test
    void shouldEqualJdkCrc32cWhenBufferIsAByteArray()
    {
        assertMatchesJdk(new UnsafeBuffer(data.clone()));
    }

    @Test
    void shouldEqualJdkCrc32cWhenBufferWrapsAByteArrayFromANonZeroIndex()
    {
        final byte[] array = new byte[DATA_LENGTH + 37];
        new Random(1).nextBytes(array);
        System.arraycopy(data, 0, array, 37, DATA_LENGTH);
        assertMatchesJdk(new UnsafeBuffer(array, 37, DATA_LENGTH));
    }

    @Test
    void shouldEqualJdkCrc32cWhenBufferIsAHeapByteBufferWithAnArrayOffset()
    {
        final byte[] array = new byte[DATA_LENGTH + 19];
        System.arraycopy(data, 0, array, 19, DATA_LENGTH);
        final ByteBuffer slice = ByteBuffer.wrap(array, 19, DATA_LENGTH).slice();
        assertEquals(19, slice.arrayOffset());
        assertMatchesJdk(new UnsafeBuffer(slice));
        assertMatchesJdk(new UnsafeBuffer(ByteBuffer.wrap(array), 19, DATA_LENGTH));
    }

    @Test
    void shouldGiveTheSameChecksumWhenTheSameBytesAreInDirectAndHeapBuffers()
    {
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(DATA_LENGTH));
        direct.putBytes(0, data);
        final UnsafeBuffer heap = new UnsafeBuffer(data);
        for (int length = 0; length < 300; length++)
        {
            assertEquals(
                Crc32cChecksum.compute(heap, 3, length), Crc32cChecksum.compute(direct, 3, length), "length " + length);
        }
    }

    @Test
    void shouldThrowIndexOutOfBoundsWhenRangeIsOutsideTheBuffer()
    {
        for (final DirectBuffer buffer : buffers())
        {
            final int capacity = buffer.capacity();
            assertThrows(IndexOutOfBoundsException.class, () -> Crc32cChecksum.compute(buffer, -1, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> Crc32cChecksum.compute(buffer, -1, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> Crc32cChecksum.compute(buffer, 0, -1));
            assertThrows(IndexOutOfBoundsException.class, () -> Crc32cChecksum.compute(buffer, 0, capacity + 1));
            assertThrows(IndexOutOfBoundsException.class, () -> Crc32cChecksum.compute(buffer, 1, capacity));
            assertThrows(IndexOutOfBoundsException.class, () -> Crc32cChecksum.compute(buffer, capacity, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> Crc32cChecksum.compute(buffer, capacity + 1, 0));
            assertThrows(IndexOutOfBoundsException.class,
                () -> Crc32cChecksum.compute(buffer, 1, Integer.MAX_VALUE), "offset + length overflows an int");
            assertThrows(IndexOutOfBoundsException.class,
                () -> Crc32cChecksum.compute(buffer, Integer.MAX_VALUE, Integer.MAX_VALUE));
            assertEquals(jdk(contents(buffer), 0, capacity), Crc32cChecksum.compute(buffer, 0, capacity));
        }
    }

    private void assertMatchesJdk(final DirectBuffer buffer)
    {
        for (final int offset : OFFSETS)
        {
            for (final int length : LENGTHS)
            {
                assertEquals(
                    jdk(data, offset, length),
                    Crc32cChecksum.compute(buffer, offset, length),
                    "offset " + offset + " length " + length);
            }
        }
        assertEquals(jdk(data, 0, DATA_LENGTH), Crc32cChecksum.compute(buffer, 0, DATA_LENGTH), "whole buffer");
    }

    private List<DirectBuffer> buffers()
    {
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(100));
        direct.putBytes(0, data, 0, 100);
        final UnsafeBuffer directSlice = new UnsafeBuffer(ByteBuffer.allocateDirect(140), 20, 100);
        directSlice.putBytes(0, data, 0, 100);
        final byte[] array = new byte[120];
        System.arraycopy(data, 0, array, 10, 100);
        return List.of(direct, directSlice, new UnsafeBuffer(data, 0, 100), new UnsafeBuffer(array, 10, 100));
    }

    private static byte[] contents(final DirectBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.capacity()];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    private static int jdk(final byte[] bytes, final int offset, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int)crc.getValue();
    }
}
