package io.sluice.broker;

import io.sluice.engine.LogConfig;
import io.sluice.engine.LogManager;
import io.sluice.transport.PartitionRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Committed offsets in {@code __consumer_offsets}: compaction keeps the latest value of every key while the log
 * stops growing, and a reopen reads back exactly the latest values.
 */
class GroupOffsetsTest
{
    @TempDir
    File data;

    @Test
    void shouldKeepEveryLatestOffsetWhileCompactionBoundsTheLogWhenCommitsRepeat()
    {
        final Map<String, String> smallSegments = Map.of(
            LogConfig.SEGMENT_BYTES, String.valueOf(64 * 1024), LogConfig.PRETOUCH_BYTES, "0");
        final Map<PartitionRef, Long> expected = new HashMap<>();
        long maxRecords = 0;
        try (LogManager logs = open())
        {
            final GroupOffsets offsets = new GroupOffsets(logs, smallSegments, 500);
            for (int round = 0; round < 200; round++)
            {
                for (int partition = 0; partition < 20; partition++)
                {
                    final long offset = round * 100L + partition;
                    assertTrue(offsets.commit("g", "t", partition, offset, 1000 + round) >= 0);
                    expected.put(new PartitionRef("t", partition), offset);
                }
                offsets.commit("other", "t", 0, round, 1000 + round);
                logs.maintenanceInvoker().invoke();
                maxRecords = Math.max(maxRecords, offsets.log().logEndOffset() - offsets.log().logStartOffset());
            }
            assertTrue(offsets.log().logEndOffset() > 200 * 21, "copies were appended after the commits");
            assertTrue(offsets.log().logStartOffset() > 0, "old segments deleted");
            assertTrue(maxRecords < 2_000, "the log stays bounded: at most " + maxRecords + " records of 4,200");
            assertEquals(expected, offsets.offsets("g"));
        }
        try (LogManager logs = open())
        {
            final GroupOffsets reopened = new GroupOffsets(logs, smallSegments, 500);
            assertEquals(expected, reopened.offsets("g"), "the latest values survive compaction and a reopen");
            assertEquals(199, reopened.committed("other", "t", 0));
            assertEquals(Set.of("g", "other"), reopened.groups());
        }
    }

    private LogManager open()
    {
        return LogManager.open(new LogManager.Context()
            .dataDirectory(data)
            .maintenanceMode(LogManager.MaintenanceMode.INVOKER));
    }
}
