package io.sluice.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A prepared segment is zero-filled a budget at a time, and each step's zeros can be written to the device before the
 * next (PartitionLog's maintenance does, outside its lock, and activates none with zeros unwritten): none are left
 * as dirty pages for the kernel to write back later, all at once.
 */
class PreparedSegmentTest
{
    private static final LogConfig CONFIG = LogConfig.defaults()
        .with(LogConfig.SEGMENT_BYTES, 64 * 1024)
        .with(LogConfig.SEGMENT_INDEX_BYTES, 8192);

    @TempDir
    File directory;

    @Test
    void shouldSizeTheIndexesToWhatTheSegmentCanFill()
    {
        final LogConfig segment64MiB = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 64 * 1024 * 1024);
        assertEquals((16_384 + 2) * 8, PartitionLog.offsetIndexBytes(segment64MiB), "an entry per 4 KiB at most");
        assertEquals((16_384 + 2) * 12, PartitionLog.timeIndexBytes(segment64MiB));
        assertEquals(4096, PartitionLog.offsetIndexBytes(segment64MiB.with(LogConfig.SEGMENT_INDEX_BYTES, 4096)),
            "never more than segment.index.bytes");
        assertEquals(10 * 1024 * 1024, PartitionLog.offsetIndexBytes(segment64MiB.with(
            LogConfig.INDEX_INTERVAL_BYTES, 0)), "every batch indexed: segment.index.bytes decides");
    }

    @Test
    void shouldWriteOutEachStepOfZerosBeforeTheNext()
    {
        final PreparedSegment segment = PreparedSegment.begin(directory, CONFIG, 1);
        final long total = CONFIG.segmentBytes() + PartitionLog.offsetIndexBytes(CONFIG) +
            PartitionLog.timeIndexBytes(CONFIG);
        final int budget = 16 * 1024;
        int steps = 0;
        boolean ready = false;
        while (!ready)
        {
            ready = segment.allocate(budget);
            steps++;
            final long unwritten = segment.unwrittenBytes();
            assertTrue(unwritten > 0 && unwritten <= budget, "step " + steps + " filled " + unwritten);
            segment.writeOut();
            assertEquals(0, segment.unwrittenBytes(), "step " + steps + " left zeros unwritten");
        }
        assertTrue(steps >= total / budget, "allocated in steps of the budget: " + steps);
        for (final File file : directory.listFiles())
        {
            assertTrue(file.getName().startsWith(PartitionLog.PREPARED_PREFIX + "-1"), file.getName());
        }
        assertEquals(total, directory.listFiles()[0].length() + directory.listFiles()[1].length() +
            directory.listFiles()[2].length());
        segment.delete();
        assertFalse(directory.listFiles().length > 0, "deleted");
    }
}
