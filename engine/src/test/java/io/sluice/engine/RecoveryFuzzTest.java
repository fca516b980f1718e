package io.sluice.engine;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.codecs.RecordBatchDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.CachedEpochClock;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzing segment recovery: whatever bytes a segment file holds (a torn write, a corrupt disk, a hostile file),
 * opening the log recovers it without throwing, and everything it then serves is whole, verified batches with
 * rising offsets, and an append continues after them. In the default test run the inputs under
 * {@code RecoveryFuzzTestInputs} are replayed; {@code JAZZER_FUZZ=1} fuzzes (see the engine README).
 */
class RecoveryFuzzTest
{
    private static final LogConfig CONFIG = LogConfig.defaults()
        .with(LogConfig.SEGMENT_BYTES, 64 * 1024)
        .with(LogConfig.SEGMENT_INDEX_BYTES, 4096)
        .with(LogConfig.MAX_MESSAGE_BYTES, 16 * 1024)
        .with(LogConfig.PRETOUCH_BYTES, 0);

    @FuzzTest(maxDuration = "60s")
    void shouldRecoverAnySegmentBytesAndServeOnlyWholeBatches(final byte[] data) throws IOException
    {
        final File directory = Files.createTempDirectory("sluice-recovery-fuzz-").toFile();
        try
        {
            Files.write(new File(directory, LogSegment.fileName(0, LogSegment.LOG_SUFFIX)).toPath(), data);
            try (PartitionLog log = PartitionLog.open("fuzz", 0, directory, CONFIG, new CachedEpochClock()))
            {
                long previousEnd = 0;
                try (LogReadResult result = new LogReadResult())
                {
                    long next = log.logStartOffset();
                    while (next < log.logEndOffset() && log.read(next, 64 * 1024, result) == LogReadResult.OK)
                    {
                        for (int position = 0; position < result.length();
                            position += result.batchLengthAt(position))
                        {
                            final int length = result.batchLengthAt(position);
                            assertEquals(length, RecordBatchDescriptor.verify(result.buffer(), position, length,
                                length), "a served batch verifies");
                            assertTrue(RecordBatchDescriptor.baseOffset(result.buffer(), position) >= previousEnd);
                            previousEnd = RecordBatchDescriptor.baseOffset(result.buffer(), position) +
                                RecordBatchDescriptor.lastOffsetDelta(result.buffer(), position) + 1;
                        }
                        next = result.nextOffset();
                    }
                }
                final TestBatches batches = new TestBatches();
                final long end = log.logEndOffset();
                assertEquals(end, batches.append(log, end, 3, 1000), "appends continue at the recovered end");
            }
        }
        finally
        {
            IoUtil.delete(directory, true);
        }
    }
}
