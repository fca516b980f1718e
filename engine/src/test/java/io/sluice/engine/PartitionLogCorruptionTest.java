package io.sluice.engine;

import io.sluice.codecs.RecordBatchDescriptor;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random byte flips in the segments of a closed log: recovery truncates at the damaged batch, serves nothing from it
 * on, and appends continue.
 */
class PartitionLogCorruptionTest
{
    private static final LogConfig SMALL = LogConfig.defaults()
        .with(LogConfig.SEGMENT_BYTES, 64 * 1024)
        .with(LogConfig.SEGMENT_INDEX_BYTES, 4096)
        .with(LogConfig.INDEX_INTERVAL_BYTES, 512)
        .with(LogConfig.PRETOUCH_BYTES, 0);
    private static final int ROUNDS = 50;

    @TempDir
    File temp;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final TestBatches batches = new TestBatches();

    /** A batch found by walking a segment file. */
    private record StoredBatch(File segment, int position, int length, long baseOffset)
    {
    }

    @Test
    void shouldTruncateAtTheDamagedBatchWhenRandomBytesOfAClosedSegmentAreFlipped() throws Exception
    {
        final long seed = Long.getLong("sluice.corrupt.seed", System.nanoTime());
        final Random random = new Random(seed);
        for (int round = 0; round < ROUNDS; round++)
        {
            final String context = "round " + round + " (rerun with -Dsluice.corrupt.seed=" + seed + ")";
            final File directory = new File(temp, "t-" + round);

            PartitionLog log = PartitionLog.open("t", 0, directory, SMALL, clock);
            long next = 0;
            while (log.segmentCount() < 3 + random.nextInt(3))
            {
                final int count = 1 + random.nextInt(6);
                assertEquals(next, batches.append(log, next, count, 1_000 + next), context);
                next += count;
            }
            log.close();

            final List<StoredBatch> stored = storedBatches(directory);
            assertEquals(next, stored.get(stored.size() - 1).baseOffset +
                RecordBatchDescriptor.recordCount(batchBytes(stored.get(stored.size() - 1)), 0), context);
            final StoredBatch damaged = stored.get(random.nextInt(stored.size()));
            final int at = damaged.position + random.nextInt(damaged.length);
            flip(damaged.segment, at, 1 + random.nextInt(255));

            log = PartitionLog.open("t", 0, directory, SMALL, clock);
            try
            {
                assertEquals(damaged.baseOffset, log.logEndOffset(),
                    context + ": flipped byte " + (at - damaged.position) + " of the batch at " + damaged.baseOffset);
                assertEquals(values(0, damaged.baseOffset), TestBatches.readAll(log, 0), context);
                assertEquals(damaged.baseOffset, batches.append(log, damaged.baseOffset, 2, 5_000), context);
            }
            finally
            {
                log.close();
            }

            log = PartitionLog.open("t", 0, directory, SMALL, clock);
            try
            {
                assertEquals(damaged.baseOffset + 2, log.logEndOffset(), context);
                assertEquals(values(0, damaged.baseOffset + 2), TestBatches.readAll(log, 0), context);
            }
            finally
            {
                log.close();
            }
        }
    }

    private static List<String> values(final long from, final long to)
    {
        return LongStream.range(from, to).mapToObj((i) -> "v-" + i).collect(Collectors.toList());
    }

    /**
     * Every batch of every segment file, found by stepping over batch lengths until the zeros past the end.
     */
    private static List<StoredBatch> storedBatches(final File directory) throws Exception
    {
        final File[] segments = directory.listFiles((dir, name) -> LogSegment.parseBaseOffset(name, ".log") >= 0);
        assertTrue(null != segments && segments.length > 1);
        Arrays.sort(segments);
        final List<StoredBatch> stored = new ArrayList<>();
        for (final File segment : segments)
        {
            final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment.toPath())).order(ByteOrder.LITTLE_ENDIAN);
            int position = 0;
            while (position + RecordBatchDescriptor.RECORDS_OFFSET <= bytes.capacity())
            {
                final int length = bytes.getInt(position + RecordBatchDescriptor.BATCH_LENGTH_OFFSET);
                if (0 == length)
                {
                    break;
                }
                stored.add(new StoredBatch(
                    segment, position, length, bytes.getLong(position + RecordBatchDescriptor.BASE_OFFSET_OFFSET)));
                position += length;
            }
        }
        return stored;
    }

    private static org.agrona.concurrent.UnsafeBuffer batchBytes(final StoredBatch batch) throws Exception
    {
        final byte[] bytes = new byte[batch.length];
        try (RandomAccessFile file = new RandomAccessFile(batch.segment, "r"))
        {
            file.seek(batch.position);
            file.readFully(bytes);
        }
        return new org.agrona.concurrent.UnsafeBuffer(bytes);
    }

    private static void flip(final File file, final long position, final int mask) throws Exception
    {
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw"))
        {
            raf.seek(position);
            final int value = raf.read();
            raf.seek(position);
            raf.write(value ^ mask);
        }
    }
}
