package io.sluice.codecs;

import io.sluice.codecs.log.Compression;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.sluice.codecs.RecordBatchDescriptor.BATCH_LENGTH_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.COMPRESSION_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.GROUP_COUNT_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.MAX_TIMESTAMP_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.RECORDS_GROUP_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.RECORDS_OFFSET;
import static io.sluice.codecs.RecordBatchDescriptor.RECORD_COUNT_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Copies a record batch keeping only the records a {@link RecordFilter} accepts: what a log cleaner writes when it
 * compacts a batch. The copy keeps the batch's base offset, last offset delta, first timestamp, producer fields,
 * leader epoch and each kept record's offset and timestamp, so offsets never move and the batch still covers the
 * same offset range (with gaps); its record count, length, max timestamp and CRC are those of the kept records.
 * <p>
 * An LZ4 batch is not re-encoded: it is copied whole if any of its records is kept, and dropped if none is. Not
 * thread-safe; allocation-free once its view has decompressed the largest LZ4 batch it meets.
 */
public final class RecordBatchFilter
{
    /** Decides, record by record, what a filtered batch keeps. */
    @FunctionalInterface
    public interface RecordFilter
    {
        /**
         * @param record the view, positioned on the record.
         * @return true to keep it.
         */
        boolean keep(RecordBatchView record);
    }

    private final RecordBatchView view = new RecordBatchView();

    /**
     * Write the batch at {@code offset} of {@code source}, filtered, at {@code targetOffset} of {@code target}.
     *
     * @param source       holding a verified batch.
     * @param offset       of the batch.
     * @param target       to write to, with room for the whole batch.
     * @param targetOffset where to write.
     * @param filter       the records to keep.
     * @return the length written: the batch's own length if every record is kept (an unchanged copy), less if some
     * are, 0 if none is (nothing written).
     */
    public int filter(
        final DirectBuffer source,
        final int offset,
        final MutableDirectBuffer target,
        final int targetOffset,
        final RecordFilter filter)
    {
        final int batchLength = source.getInt(offset + BATCH_LENGTH_OFFSET, LITTLE_ENDIAN);
        view.wrap(source, offset);
        if (source.getByte(offset + COMPRESSION_OFFSET) != Compression.NONE.value() || !view.recordsInBuffer())
        {
            while (view.nextRecord())
            {
                if (filter.keep(view))
                {
                    target.putBytes(targetOffset, source, offset, batchLength);
                    return batchLength;
                }
            }
            return 0;
        }

        int kept = 0;
        int dropped = 0;
        long maxTimestamp = Long.MIN_VALUE;
        int position = targetOffset + RECORDS_OFFSET;
        while (view.nextRecord())
        {
            if (filter.keep(view))
            {
                final int length = view.recordEnd() - view.recordPosition();
                target.putBytes(position, source, view.recordPosition(), length);
                position += length;
                maxTimestamp = Math.max(maxTimestamp, view.timestamp());
                kept++;
            }
            else
            {
                dropped++;
            }
        }
        if (0 == kept)
        {
            return 0;
        }
        target.putBytes(targetOffset, source, offset, RECORDS_OFFSET);
        if (0 == dropped)
        {
            return batchLength;
        }
        final int length = position - targetOffset;
        target.putInt(targetOffset + BATCH_LENGTH_OFFSET, length, LITTLE_ENDIAN);
        target.putInt(targetOffset + RECORD_COUNT_OFFSET, kept, LITTLE_ENDIAN);
        target.putShort(targetOffset + RECORDS_GROUP_OFFSET + GROUP_COUNT_OFFSET, (short)kept, LITTLE_ENDIAN);
        target.putLong(targetOffset + MAX_TIMESTAMP_OFFSET, maxTimestamp, LITTLE_ENDIAN);
        RecordBatchDescriptor.updateCrc(target, targetOffset);
        return length;
    }
}
