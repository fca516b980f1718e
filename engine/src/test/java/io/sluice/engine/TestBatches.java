package io.sluice.engine;

import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.RecordBatchView;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds batches and reads logs back for tests.
 */
final class TestBatches
{
    final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(1024 * 1024));
    private final RecordBatchBuilder builder = new RecordBatchBuilder();

    /**
     * A batch of records whose values are "v-<first+i>", timestamps {@code timestamp + i}.
     *
     * @return the batch length, batch at offset 0 of {@link #buffer}.
     */
    int batch(final long first, final int count, final long timestamp)
    {
        builder.wrap(buffer, 0, buffer.capacity());
        for (int i = 0; i < count; i++)
        {
            final byte[] value = ("v-" + (first + i)).getBytes(StandardCharsets.UTF_8);
            if (!builder.append(timestamp + i, ("k" + (first + i) % 7).getBytes(StandardCharsets.UTF_8), value))
            {
                throw new IllegalStateException("batch full");
            }
        }
        return builder.build();
    }

    /**
     * A batch as {@link #batch} from an idempotent producer.
     *
     * @return the batch length, batch at offset 0 of {@link #buffer}.
     */
    int idempotentBatch(
        final long first, final int count, final long producerId, final short epoch, final int baseSequence)
    {
        builder.wrap(buffer, 0, buffer.capacity()).producer(producerId, epoch, baseSequence);
        for (int i = 0; i < count; i++)
        {
            builder.append(1000 + i, null, ("v-" + (first + i)).getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    long append(final PartitionLog log, final long first, final int count, final long timestamp)
    {
        final int length = batch(first, count, timestamp);
        return log.append(buffer, 0, length);
    }

    /**
     * Every record value from {@code from} to the log end, checking offsets are consecutive.
     */
    static List<String> readAll(final PartitionLog log, final long from)
    {
        final List<String> values = new ArrayList<>();
        final RecordBatchView view = new RecordBatchView();
        try (LogReadResult result = new LogReadResult())
        {
            long next = from;
            while (log.read(next, 64 * 1024, result) == LogReadResult.OK)
            {
                final DirectBuffer buffer = result.buffer();
                for (int position = 0; position < result.length(); position += result.batchLengthAt(position))
                {
                    view.wrap(buffer, position);
                    while (view.nextRecord())
                    {
                        if (view.offset() < next)
                        {
                            continue;
                        }
                        if (view.offset() != next)
                        {
                            throw new AssertionError("gap: expected offset " + next + " got " + view.offset());
                        }
                        values.add(view.value().getStringWithoutLengthUtf8(0, view.value().capacity()));
                        next++;
                    }
                }
                if (next != result.nextOffset())
                {
                    throw new AssertionError("nextOffset " + result.nextOffset() + " != " + next);
                }
            }
        }
        return values;
    }

    static boolean hasPreparedSegment(final java.io.File directory)
    {
        final String[] names = directory.list(
            (dir, name) -> name.startsWith(PartitionLog.PREPARED_PREFIX) && name.endsWith(LogSegment.LOG_SUFFIX));
        return null != names && names.length > 0;
    }

    /**
     * Encode one record "v-<offset>" at index 0 of {@code target}.
     *
     * @return the batch length.
     */
    int batchInto(final org.agrona.MutableDirectBuffer target, final long offset)
    {
        builder.wrap(target, 0, target.capacity());
        builder.append(offset, null, ("v-" + offset).getBytes(StandardCharsets.UTF_8));
        return builder.build();
    }
}
