package io.sluice.codecs;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.sluice.codecs.RecordBatchDescriptor.BATCH_LENGTH_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.RECORDS_GROUP_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * LZ4 compression of a batch's records section. In an LZ4 batch everything from the records group on is:
 * <pre>
 *   uncompressedLength (int32, little-endian) | LZ4 block of the records group (group header and records)
 * </pre>
 * The batch header stays as it is (record count, offset delta, timestamps), so the log and the fetch path never
 * decompress; only {@link RecordBatchDescriptor#verify} (which checks the records) and {@link RecordBatchView} (which
 * reads them) do. The CRC covers the compressed bytes, as in Kafka.
 * <p>
 * The LZ4 block format of lz4-java's pure-Java instances (no native library is loaded); decompression uses the
 * bounds-checked safe decompressor, as input may be hostile, and refuses an uncompressed length over
 * {@link #MAX_UNCOMPRESSED_LENGTH} or over what LZ4 can expand the block to before allocating anything.
 * <p>
 * Not thread-safe: scratch arrays are reused and grow to the largest batch seen (no allocation in steady state).
 */
public final class Lz4Records
{
    /** Bytes of the uncompressed length that precedes the LZ4 block. */
    public static final int UNCOMPRESSED_LENGTH_LENGTH = Integer.BYTES;
    /** Largest records section an LZ4 batch may expand to. */
    public static final int MAX_UNCOMPRESSED_LENGTH = 64 * 1024 * 1024;
    /** LZ4 cannot expand a block by more than this factor. */
    private static final int MAX_EXPANSION = 255;
    private static final LZ4Factory FACTORY = LZ4Factory.fastestJavaInstance();

    private final LZ4Compressor compressor = FACTORY.fastCompressor();
    private final LZ4SafeDecompressor decompressor = FACTORY.safeDecompressor();
    private final UnsafeBuffer records = new UnsafeBuffer(0, 0);
    private byte[] input = new byte[0];
    private byte[] output = new byte[0];

    /**
     * Compress the records section of the uncompressed batch at {@code offset} in place, if that makes it smaller.
     * Header fields other than the batch length are left to the caller (compression code, CRC).
     *
     * @param buffer      holding the batch.
     * @param offset      of the batch.
     * @param batchLength of the uncompressed batch.
     * @return the new batch length, or -1 if compression would not make it shorter, or would make it shorter than
     *         {@link RecordBatchDescriptor#MIN_BATCH_LENGTH} (the batch is unchanged).
     */
    public int compress(final MutableDirectBuffer buffer, final int offset, final int batchLength)
    {
        final int sectionLength = batchLength - RECORDS_GROUP_OFFSET;
        input = ensure(input, sectionLength);
        buffer.getBytes(offset + RECORDS_GROUP_OFFSET, input, 0, sectionLength);
        final int maxCompressed = compressor.maxCompressedLength(sectionLength);
        output = ensure(output, maxCompressed);
        final int compressed = compressor.compress(input, 0, sectionLength, output, 0, maxCompressed);
        final int newLength = RECORDS_GROUP_OFFSET + UNCOMPRESSED_LENGTH_LENGTH + compressed;
        if (newLength >= batchLength || newLength < RecordBatchDescriptor.MIN_BATCH_LENGTH)
        {
            return -1; // not worth it, or shorter than any batch may be
        }
        buffer.putInt(offset + RECORDS_GROUP_OFFSET, sectionLength, LITTLE_ENDIAN);
        buffer.putBytes(offset + RECORDS_GROUP_OFFSET + UNCOMPRESSED_LENGTH_LENGTH, output, 0, compressed);
        buffer.putInt(offset + BATCH_LENGTH_OFFSET, newLength, LITTLE_ENDIAN);
        return newLength;
    }

    /**
     * Decompress the records section of the LZ4 batch at {@code offset}; {@link #records()} then holds the records
     * group (group header first) from index 0.
     *
     * @param buffer      holding the batch.
     * @param offset      of the batch.
     * @param batchLength of the batch, already checked to be within the buffer.
     * @return the length of the records group, or -1 if the section is not a valid LZ4 block of its declared length.
     */
    public int decompress(final DirectBuffer buffer, final int offset, final int batchLength)
    {
        final int compressedLength = batchLength - RECORDS_GROUP_OFFSET - UNCOMPRESSED_LENGTH_LENGTH;
        if (compressedLength <= 0)
        {
            return -1;
        }
        final int uncompressedLength = buffer.getInt(offset + RECORDS_GROUP_OFFSET, LITTLE_ENDIAN);
        if (uncompressedLength <= 0 || uncompressedLength > MAX_UNCOMPRESSED_LENGTH ||
            uncompressedLength > (long)compressedLength * MAX_EXPANSION)
        {
            return -1;
        }
        input = ensure(input, compressedLength);
        buffer.getBytes(offset + RECORDS_GROUP_OFFSET + UNCOMPRESSED_LENGTH_LENGTH, input, 0, compressedLength);
        output = ensure(output, uncompressedLength);
        final int decompressed;
        try
        {
            decompressed = decompressor.decompress(input, 0, compressedLength, output, 0, uncompressedLength);
        }
        catch (final LZ4Exception ex)
        {
            return -1;
        }
        if (decompressed != uncompressedLength)
        {
            return -1;
        }
        records.wrap(output, 0, uncompressedLength);
        return uncompressedLength;
    }

    /**
     * @return the records group decompressed by the last successful {@link #decompress}.
     */
    public DirectBuffer records()
    {
        return records;
    }

    private static byte[] ensure(final byte[] array, final int length)
    {
        // Double to grow rarely; lengths are bounded by MAX_UNCOMPRESSED_LENGTH or a request, far below 2 GiB.
        return array.length >= length ? array : new byte[Math.max(length, 2 * array.length)];
    }
}
