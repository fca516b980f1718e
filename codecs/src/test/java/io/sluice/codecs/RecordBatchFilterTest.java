package io.sluice.codecs;

import io.sluice.codecs.log.Compression;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordBatchFilterTest
{
    private static final long BASE = 100;
    private static final long TIME = 1_700_000_000_000L;

    private final UnsafeBuffer source = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final UnsafeBuffer target = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final RecordBatchFilter filter = new RecordBatchFilter();

    /**
     * Six records, offsets 100 to 105, timestamps TIME + 10 * i; record 3 has a header, record 4 a null value.
     */
    private int batch(final Compression compression)
    {
        final RecordBatchBuilder builder = new RecordBatchBuilder().wrap(source, 0, source.capacity());
        builder.compression(compression).producer(7, (short)1, 40);
        for (int i = 0; i < 6; i++)
        {
            final UnsafeBuffer key = bytes("k" + i);
            final UnsafeBuffer value = 4 == i ? null : bytes("value-" + i);
            assertTrue(builder.beginRecord(TIME + 10L * i));
            if (3 == i)
            {
                final UnsafeBuffer header = bytes("h");
                assertTrue(builder.header(header, 0, 1, header, 0, 1));
            }
            assertTrue(builder.endRecord(key, 0, key.capacity(), value, 0, null == value ? 0 : value.capacity()));
        }
        final int length = builder.build();
        RecordBatchDescriptor.assignOffsets(source, 0, BASE, 3);
        return length;
    }

    private static UnsafeBuffer bytes(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> records(final UnsafeBuffer buffer)
    {
        final List<String> records = new ArrayList<>();
        final RecordBatchView view = new RecordBatchView().wrap(buffer, 0);
        while (view.nextRecord())
        {
            records.add(view.offset() + "@" + view.timestamp() + ":" +
                view.key().getStringWithoutLengthUtf8(0, view.key().capacity()) + "=" +
                (view.isValueNull() ? "null" : view.value().getStringWithoutLengthUtf8(0, view.value().capacity())) +
                "/" + view.headerCount());
        }
        return records;
    }

    @Test
    void shouldKeepTheChosenRecordsWithTheirOffsetsTimestampsAndHeaders()
    {
        final int length = batch(Compression.NONE);
        final Set<Long> keep = Set.of(101L, 103L, 104L);
        final int written = filter.filter(source, 0, target, 0, (record) -> keep.contains(record.offset()));

        assertTrue(written > RecordBatchDescriptor.RECORDS_OFFSET && written < length, "written " + written);
        assertEquals(written, RecordBatchDescriptor.verify(target, 0, written, written), "a valid batch");
        assertEquals(List.of("101@" + (TIME + 10) + ":k1=value-1/0", "103@" + (TIME + 30) + ":k3=value-3/1",
            "104@" + (TIME + 40) + ":k4=null/0"), records(target));
        final RecordBatchView view = new RecordBatchView().wrap(target, 0);
        assertEquals(BASE, view.baseOffset());
        assertEquals(BASE + 5, view.lastOffset(), "the batch keeps its offset range");
        assertEquals(3, view.recordCount());
        assertEquals(TIME + 40, view.maxTimestamp());
        assertEquals(TIME, view.firstTimestamp());
        assertEquals(7, view.producerId());
        assertEquals(40, view.baseSequence());
        assertEquals(3, view.leaderEpoch());
    }

    @Test
    void shouldCopyABatchWhoseRecordsAreAllKeptUnchangedAndWriteNothingWhenNoneIs()
    {
        final int length = batch(Compression.NONE);
        assertEquals(length, filter.filter(source, 0, target, 0, (record) -> true));
        for (int i = 0; i < length; i++)
        {
            assertEquals(source.getByte(i), target.getByte(i), "byte " + i);
        }
        target.setMemory(0, length, (byte)0);
        assertEquals(0, filter.filter(source, 0, target, 0, (record) -> false));
        assertEquals(0, target.getLong(0), "nothing written");
    }

    @Test
    void shouldKeepAnLz4BatchWholeIfAnyRecordIsKeptAndDropItIfNone()
    {
        final int length = batch(Compression.LZ4);
        assertEquals(length, filter.filter(source, 0, target, 0, (record) -> record.offset() == 105));
        assertEquals(length, RecordBatchDescriptor.verify(target, 0, length, length));
        assertEquals(6, records(target).size());
        assertEquals(0, filter.filter(source, 0, target, 0, (record) -> false));
    }
}
