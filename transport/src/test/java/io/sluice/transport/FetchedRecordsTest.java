package io.sluice.transport;

import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.RecordBatchDescriptor;
import io.sluice.codecs.RecordBatchView;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.log.Compression;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FetchedRecordsTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private int length;

    /** Three batches: offsets 0-4, 5-9 (LZ4) and, after a gap as compaction leaves, 20-22. */
    private void writeBatches()
    {
        length = 0;
        batch(0, 5, Compression.NONE);
        batch(5, 5, Compression.LZ4);
        batch(20, 3, Compression.NONE);
    }

    private void batch(final long baseOffset, final int records, final Compression compression)
    {
        builder.wrap(buffer, length, buffer.capacity() - length).compression(compression);
        for (int i = 0; i < records; i++)
        {
            builder.append(1_000L + i, null, ("value-" + (baseOffset + i) + "-" + "x".repeat(40))
                .getBytes(StandardCharsets.UTF_8));
        }
        final int batchLength = builder.build();
        RecordBatchDescriptor.assignOffsets(buffer, length, baseOffset, 0);
        length += batchLength;
    }

    private static String describe(final RecordBatchView view)
    {
        final byte[] value = new byte[view.value().capacity()];
        view.value().getBytes(0, value);
        return view.offset() + "=" + new String(value, StandardCharsets.UTF_8).split("-")[1];
    }

    @Test
    void shouldWalkTheSameRecordsOneAtATimeAsForEachDeliversThem()
    {
        writeBatches();
        final List<String> delivered = new ArrayList<>();
        final int count = new FetchedRecords().forEach(buffer, 0, length, 3, 21,
            (view) -> delivered.add(describe(view)));
        assertEquals(List.of("3=3", "4=4", "5=5", "6=6", "7=7", "8=8", "9=9", "20=20", "21=21"), delivered);
        assertEquals(delivered.size(), count);

        final FetchedRecords.Cursor cursor = new FetchedRecords.Cursor();
        cursor.wrap(buffer, 0, length, 3, 21);
        final List<String> walked = new ArrayList<>();
        while (cursor.next())
        {
            walked.add(describe(cursor.view()));
        }
        assertEquals(delivered, walked);
        assertFalse(cursor.next(), "still at the end");

        cursor.wrap(buffer, 0, length, 10, 19); // the gap: nothing to deliver
        assertFalse(cursor.next());
        cursor.wrap(buffer, 0, length, 22, Long.MAX_VALUE);
        final List<String> last = new ArrayList<>();
        while (cursor.next())
        {
            last.add(describe(cursor.view()));
        }
        assertEquals(List.of("22=22"), last);
    }

    @Test
    void shouldRefuseACorruptBatchBeforeDeliveringAnyOfItsRecords()
    {
        writeBatches();
        final int second = RecordBatchDescriptor.batchLength(buffer, 0);
        buffer.putByte(second + RecordBatchDescriptor.batchLength(buffer, second) - 1,
            (byte)(buffer.getByte(second + RecordBatchDescriptor.batchLength(buffer, second) - 1) ^ 1));
        final List<Long> delivered = new ArrayList<>();

        final SluiceClientException ex = assertThrows(SluiceClientException.class,
            () -> new FetchedRecords().forEach(buffer, 0, length, 0, Long.MAX_VALUE,
                (view) -> delivered.add(view.offset())));

        assertEquals(ErrorCode.CORRUPT_BATCH, ex.errorCode());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), delivered);
    }
}
