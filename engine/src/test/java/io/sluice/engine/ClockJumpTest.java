package io.sluice.engine;

import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The wall clock jumping under a log (NTP stepping it, a VM resumed): backwards, nothing is deleted or refused,
 * offsets go on and a time look-up still finds the first record at or after the time asked; forwards, retention
 * deletes what the new time makes old (as Kafka's does: retention is wall-clock time), never the active segment, and
 * the offsets go on from where they were.
 */
class ClockJumpTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final long HOUR = TimeUnit.HOURS.toMillis(1);
    private static final LogConfig CONFIG = LogConfig.defaults()
        .with(LogConfig.SEGMENT_BYTES, 64 * 1024)
        .with(LogConfig.SEGMENT_INDEX_BYTES, 4096)
        .with(LogConfig.INDEX_INTERVAL_BYTES, 512)
        .with(LogConfig.PRETOUCH_BYTES, 0)
        .with(LogConfig.RETENTION_MS, 2 * HOUR)
        .with(LogConfig.SEGMENT_MS, HOUR);

    @TempDir
    File temp;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final TestBatches batches = new TestBatches();
    private PartitionLog log;

    @AfterEach
    void close()
    {
        if (null != log)
        {
            log.close();
        }
    }

    private PartitionLog open()
    {
        clock.update(T0);
        log = PartitionLog.open("t", 0, new File(temp, "t-0"), CONFIG, clock);
        return log;
    }

    /** Append records timestamped by the clock, as a producer with CreateTime would, until {@code segments} exist. */
    private long appendUntil(final int segments)
    {
        long end = log.logEndOffset();
        while (log.segmentCount() < segments)
        {
            assertEquals(end, batches.append(log, end, 10, clock.time()));
            end += 10;
        }
        return end;
    }

    @Test
    void shouldDeleteNothingAndGoOnWhenTheClockJumpsBack()
    {
        open();
        final long before = appendUntil(3);
        final int segments = log.segmentCount();

        clock.update(T0 - 5 * HOUR);
        log.doMaintenance(clock.time());
        assertEquals(0, log.logStartOffset(), "records from the clock's future are not old");
        assertEquals(segments, log.segmentCount());

        final long after = appendUntil(segments + 1);
        assertTrue(after > before, "appends go on with the older timestamps");
        assertEquals(after, TestBatches.readAll(log, 0).size(), "every record, offsets without gaps");
        assertEquals(0, log.offsetForTimestamp(T0 - 5 * HOUR),
            "the first record at or after a time, in log order: the early records (later timestamps) come first");
        assertEquals(0, log.offsetForTimestamp(T0));
        assertEquals(-1, log.offsetForTimestamp(T0 + HOUR));

        clock.update(T0 + HOUR / 2); // back to where it was, and on
        log.doMaintenance(clock.time());
        assertEquals(0, log.logStartOffset());
    }

    @Test
    void shouldDeleteOnlyWhatTheNewTimeMakesOldWhenTheClockJumpsForward()
    {
        open();
        final long end = appendUntil(4);
        final int segments = log.segmentCount();

        clock.update(T0 + HOUR); // within retention: nothing goes
        log.doMaintenance(clock.time());
        assertEquals(0, log.logStartOffset());
        assertEquals(segments, log.segmentCount());

        clock.update(T0 + 30 * 24 * HOUR); // a month on: every sealed segment is past retention
        log.doMaintenance(clock.time());
        assertEquals(1, log.segmentCount(), "the active segment stays");
        assertTrue(log.logStartOffset() > 0 && log.logStartOffset() < end, "the sealed segments went");
        assertEquals(end, log.logEndOffset(), "the log end does not move");
        assertEquals(end, batches.append(log, end, 10, clock.time()), "offsets go on from the end");
    }
}
