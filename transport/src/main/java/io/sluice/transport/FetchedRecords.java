package io.sluice.transport;

import io.sluice.codecs.RecordBatchDescriptor;
import io.sluice.codecs.RecordBatchView;
import io.sluice.codecs.client.ErrorCode;
import org.agrona.DirectBuffer;

/**
 * Walks the batches of a fetch data message and hands over the records the message delivers: those with offsets
 * from {@code fromOffset} to {@code toOffset}. The broker sends whole batches straight from its log, so a batch
 * may start before the fetch offset or run past the credit; the records outside the range are not delivered.
 * Every batch's CRC32C is checked before any of its records is handed over, like Kafka's {@code check.crcs}.
 * <p>
 * Not thread-safe: one per polling thread. Allocation-free.
 */
public final class FetchedRecords
{
    /**
     * Receives each delivered record.
     */
    @FunctionalInterface
    public interface RecordHandler
    {
        /**
         * One record.
         *
         * @param record positioned on the record: {@code offset()}, {@code timestamp()}, {@code key()},
         *               {@code value()}, headers. Valid only during the call.
         */
        void onRecord(RecordBatchView record);
    }

    /**
     * The records of one fetch data message, one at a time and when wanted, for a consumer that holds what it
     * received and decodes each record only as it hands it on. The message must have passed {@link #forEach} first,
     * which checks every batch: the cursor reads the bytes as they are.
     * <p>
     * Not thread-safe. Allocation-free (an LZ4 batch is decompressed again, into the cursor's own scratch).
     */
    public static final class Cursor
    {
        private final RecordBatchView view = new RecordBatchView();
        private DirectBuffer buffer;
        private int position;
        private int end;
        private long fromOffset;
        private long toOffset;
        private boolean inBatch;

        /**
         * Start at the first record of a message that {@link #forEach} accepted.
         *
         * @param buffer     holding the batches.
         * @param offset     of the first batch.
         * @param length     of the batches.
         * @param fromOffset first offset to deliver.
         * @param toOffset   last offset to deliver.
         */
        public void wrap(
            final DirectBuffer buffer, final int offset, final int length, final long fromOffset, final long toOffset)
        {
            this.buffer = buffer;
            this.position = offset;
            this.end = offset + length;
            this.fromOffset = fromOffset;
            this.toOffset = toOffset;
            this.inBatch = false;
        }

        /**
         * Move to the next record the message delivers.
         *
         * @return true if {@link #view()} is on it, false after the last.
         */
        public boolean next()
        {
            while (true)
            {
                if (inBatch)
                {
                    while (view.nextRecord())
                    {
                        final long recordOffset = view.offset();
                        if (recordOffset > toOffset)
                        {
                            position = end;
                            inBatch = false;
                            return false;
                        }
                        if (recordOffset >= fromOffset)
                        {
                            return true;
                        }
                    }
                    inBatch = false;
                    position += view.batchLength();
                }
                if (position >= end)
                {
                    return false;
                }
                final long baseOffset = RecordBatchDescriptor.baseOffset(buffer, position);
                if (baseOffset > toOffset)
                {
                    position = end;
                    return false;
                }
                if (baseOffset + RecordBatchDescriptor.lastOffsetDelta(buffer, position) >= fromOffset)
                {
                    view.wrap(buffer, position);
                    inBatch = true;
                }
                else
                {
                    position += RecordBatchDescriptor.batchLength(buffer, position);
                }
            }
        }

        /**
         * The record {@link #next()} moved to.
         *
         * @return the view, positioned on it until the next call.
         */
        public RecordBatchView view()
        {
            return view;
        }
    }

    private final RecordBatchView view = new RecordBatchView();

    /**
     * Deliver the records of one fetch data message.
     *
     * @param buffer     holding the batches.
     * @param offset     of the first batch.
     * @param length     of the batches.
     * @param fromOffset first offset to deliver.
     * @param toOffset   last offset to deliver.
     * @param handler    receives each record in offset order.
     * @return records delivered.
     * @throws SluiceClientException with {@code CORRUPT_BATCH} if a batch fails its checks; no record of that batch
     *                               or any later one is delivered.
     */
    public int forEach(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long fromOffset,
        final long toOffset,
        final RecordHandler handler)
    {
        final int end = offset + length;
        int position = offset;
        int delivered = 0;
        while (position < end)
        {
            final int verified = RecordBatchDescriptor.verify(buffer, position, end - position, end - position);
            if (verified < 0)
            {
                throw new SluiceClientException(ErrorCode.CORRUPT_BATCH, "fetched batch at byte " + (position - offset) +
                    " is corrupt: " + RecordBatchDescriptor.errorMessage(verified));
            }
            final long baseOffset = RecordBatchDescriptor.baseOffset(buffer, position);
            if (baseOffset > toOffset)
            {
                break;
            }
            if (baseOffset + RecordBatchDescriptor.lastOffsetDelta(buffer, position) >= fromOffset)
            {
                view.wrap(buffer, position);
                while (view.nextRecord())
                {
                    final long recordOffset = view.offset();
                    if (recordOffset > toOffset)
                    {
                        return delivered;
                    }
                    if (recordOffset >= fromOffset)
                    {
                        handler.onRecord(view);
                        delivered++;
                    }
                }
            }
            position += verified;
        }
        return delivered;
    }
}
