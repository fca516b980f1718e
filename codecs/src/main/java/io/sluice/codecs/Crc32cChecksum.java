package io.sluice.codecs;

import org.agrona.DirectBuffer;
import org.agrona.checksum.Crc32c;

import java.util.zip.CRC32C;

/**
 * CRC32C over a region of a {@link DirectBuffer}.
 * <p>
 * Off-heap and memory-mapped buffers, the hot path, go through Agrona's {@link Crc32c}, the JDK intrinsic on the
 * buffer's address, and allocate nothing. Buffers over a {@code byte[]} fall back to {@link CRC32C}.
 */
public final class Crc32cChecksum
{
    private Crc32cChecksum()
    {
    }

    /**
     * CRC32C of {@code length} bytes of {@code buffer} from {@code offset}.
     *
     * @param buffer holding the bytes.
     * @param offset of the first byte.
     * @param length number of bytes.
     * @return the checksum as an int.
     */
    public static int compute(final DirectBuffer buffer, final int offset, final int length)
    {
        buffer.boundsCheck(offset, length);
        final byte[] array = buffer.byteArray();
        if (null == array)
        {
            return Crc32c.INSTANCE.compute(buffer.addressOffset(), offset, length);
        }

        final int arrayOffset = (int)(buffer.addressOffset() - org.agrona.BufferUtil.ARRAY_BASE_OFFSET);
        final CRC32C crc = new CRC32C();
        crc.update(array, arrayOffset + offset, length);
        return (int)crc.getValue();
    }
}
