package io.sluice.engine;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.EpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Stress tests of one writer against lock-free readers and the maintenance steps (segment preparation, pretouch,
 * retention, unmapping). Every thread does a bounded amount of work and checks what it sees; the test then joins
 * them with a generous timeout that fails it instead of hanging. Random choices use a seed printed on failure.
 */
class PartitionLogConcurrencyTest
{
    private static final long TIMESTAMP_ORIGIN = 1_600_000_000_000L;
    private static final long JOIN_TIMEOUT_SECONDS = 120;
    private static final LogConfig SMALL = LogConfig.defaults()
        .with(LogConfig.SEGMENT_BYTES, 64 * 1024)
        .with(LogConfig.SEGMENT_INDEX_BYTES, 4096)
        .with(LogConfig.INDEX_INTERVAL_BYTES, 512)
        .with(LogConfig.PRETOUCH_BYTES, 16 * 1024)
        .with(LogConfig.RETENTION_MS, -1);
    private static final LogConfig RETAINED = SMALL.with(LogConfig.RETENTION_BYTES, 256 * 1024);

    @TempDir
    File dir;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final List<Thread> threads = new ArrayList<>();
    private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final long seed = Long.getLong("sluice.stress.seed", System.nanoTime());
    private volatile boolean stop;
    private volatile boolean writerDone;
    private PartitionLog log;

    @AfterEach
    void after() throws InterruptedException
    {
        stop = true;
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(JOIN_TIMEOUT_SECONDS));
        }
        if (null != log)
        {
            log.close();
        }
    }

    @Test
    void shouldServeEveryRecordIntactWhenRetentionDeletesSegmentsUnderReaders() throws Exception
    {
        log = PartitionLog.open("t", 0, new File(dir, "t-0"), RETAINED, clock);
        final long end = startWriter(50_000, new Random(seed));
        startMaintenance();

        final int readers = 3;
        final long[] checked = new long[readers];
        final long[] outOfRange = new long[readers];
        for (int r = 0; r < readers; r++)
        {
            final int id = r;
            start("reader-" + r, () ->
            {
                try (VerifyingReader reader = new VerifyingReader(8 * 1024, TIMESTAMP_ORIGIN))
                {
                    reader.seek(0);
                    while (!stop)
                    {
                        final int status = reader.readOnce(log);
                        if (LogReadResult.OK == status)
                        {
                            continue;
                        }
                        if (LogReadResult.OFFSET_OUT_OF_RANGE == status)
                        {
                            final LogReadResult result = reader.result();
                            if (reader.next() >= result.logStartOffset())
                            {
                                throw new AssertionError("offset " + reader.next() + " out of range [" +
                                    result.logStartOffset() + ", " + result.logEndOffset() + "]");
                            }
                            outOfRange[id]++;
                        }
                        else if (LogReadResult.NO_DATA != status)
                        {
                            throw new AssertionError("read at " + reader.next() + " returned status " + status);
                        }
                        else if (writerDone && reader.next() == log.logEndOffset())
                        {
                            break;
                        }
                        // end of a pass, or retention passed the reader: read again from the log start
                        reader.seek(log.logStartOffset());
                    }
                    checked[id] = reader.recordsChecked();
                }
            });
        }

        joinAll();
        assertEquals(end, log.logEndOffset());
        for (int r = 0; r < readers; r++)
        {
            assertTrue(checked[r] > 0, "reader " + r + " checked nothing");
        }
        assertTrue(log.logStartOffset() > 0, "retention deleted nothing: " + log);

        log.doMaintenance(0);
        final String[] files = log.directory().list();
        final long segmentFiles = Arrays.stream(files)
            .filter((name) -> LogSegment.parseBaseOffset(name, LogSegment.LOG_SUFFIX) >= 0)
            .count();
        assertEquals(log.segmentCount(), segmentFiles,
            "segment files left once no reader holds a segment: " + Arrays.toString(files));
        assertEquals(0, Arrays.stream(files).filter((name) -> name.endsWith(LogSegment.DELETED_SUFFIX)).count(),
            Arrays.toString(files));
        try (VerifyingReader reader = new VerifyingReader(64 * 1024, TIMESTAMP_ORIGIN))
        {
            assertEquals(end, reader.readToEnd(log, log.logStartOffset()));
        }
        System.out.println("retention under readers: seed " + seed + ", checked " + Arrays.toString(checked) +
            ", out of range " + Arrays.toString(outOfRange) + ", " + log);
    }

    @Test
    void shouldFindOffsetForTimestampWhenAppendsAndRetentionRunConcurrently() throws Exception
    {
        log = PartitionLog.open("t", 0, new File(dir, "t-0"), RETAINED, clock);
        startWriter(50_000, new Random(seed));
        startMaintenance();

        final AtomicLong found = new AtomicLong();
        for (int s = 0; s < 2; s++)
        {
            final Random random = new Random(seed + 1 + s);
            start("searcher-" + s, () ->
            {
                for (int i = 0; i < 20_000 && !stop; i++)
                {
                    final long start = log.logStartOffset();
                    final long end = log.logEndOffset();
                    // mostly inside the log, sometimes just past its end
                    final long wanted = start + (long)(random.nextDouble() * (end - start + 50));
                    final long offset = log.offsetForTimestamp(TIMESTAMP_ORIGIN + wanted);
                    final long startAfter = log.logStartOffset();
                    if (wanted < end)
                    {
                        // record `wanted` existed; only retention can have moved the answer, to the new log start
                        if (offset != wanted && !(wanted < startAfter && offset > wanted && offset <= startAfter))
                        {
                            throw new AssertionError("timestamp of offset " + wanted + " in [" + start + ", " + end +
                                ") found offset " + offset + "; log start now " + startAfter);
                        }
                        found.incrementAndGet();
                    }
                    else if (-1 != offset && offset != wanted)
                    {
                        throw new AssertionError("timestamp of offset " + wanted + " at or past the end " + end +
                            " found offset " + offset);
                    }
                }
            });
        }

        joinAll();
        assertTrue(found.get() > 0, "no search inside the log");
        assertTrue(log.logStartOffset() > 0, "retention deleted nothing: " + log);
    }

    /**
     * The maintenance thread prepares the next segment as {@code prepared-segment-<n>.*} while the writer may be taking
     * the previous one: no append may fail for it, and every acknowledged record must survive a reopen.
     */
    @Test
    void shouldNeverFailAnAppendWhenMaintenancePreparesSegmentsDuringRolls() throws Exception
    {
        log = PartitionLog.open("t", 0, new File(dir, "t-0"), SMALL, clock);
        final long end = startWriter(Integer.getInteger("sluice.stress.batches", 100_000), new Random(seed));
        startMaintenance();
        joinAll();

        assertEquals(end, log.logEndOffset());
        assertTrue(log.segmentCount() > 50, "segments: " + log.segmentCount());
        log.close();
        log = PartitionLog.open("t", 0, new File(dir, "t-0"), SMALL, clock);
        try (VerifyingReader reader = new VerifyingReader(64 * 1024, TIMESTAMP_ORIGIN))
        {
            assertEquals(end, reader.readToEnd(log, 0), "records after reopen");
        }
    }

    /**
     * The same race, pinned down: the maintenance thread runs between the writer taking the prepared segment and
     * renaming its files. It sees no prepared segment and a last segment past half full, so it prepares another one
     * and, when both used the same {@code prepared-segment.*} names, deleted the files the writer was about to rename:
     * the writer then renamed the new, empty files and appended into the mapping of deleted ones, and acknowledged
     * records were gone after a reopen. Each prepared segment now has names of its own. The roll reads the clock between the two steps, which is where this test lets the maintenance
     * thread run.
     */
    @Test
    void shouldKeepAcknowledgedRecordsWhenMaintenanceRunsDuringARoll() throws Exception
    {
        final MaintenanceDuringRollClock rollClock = new MaintenanceDuringRollClock();
        log = PartitionLog.open("t", 0, new File(dir, "t-0"), SMALL, rollClock);
        rollClock.log = log;
        final TestBatches batches = new TestBatches();
        final int capacity = SMALL.segmentBytes();

        long next = 0;
        while (log.sizeInBytes() < capacity / 2)
        {
            assertEquals(next, batches.append(log, next, 5, TIMESTAMP_ORIGIN + next));
            next += 5;
        }
        log.doMaintenance(0);
        assertTrue(TestBatches.hasPreparedSegment(log.directory()),
            "the next segment is prepared once the active one is half full");

        while (1 == log.segmentCount())
        {
            final int length = batches.batch(next, 5, TIMESTAMP_ORIGIN + next);
            // a batch that does not fit rolls without reading the clock first: the first read is inside the roll
            rollClock.armed = log.sizeInBytes() + length > capacity;
            assertEquals(next, log.append(batches.buffer, 0, length));
            next += 5;
        }
        assertEquals(1, rollClock.runs, "maintenance ran inside the roll");
        for (int i = 0; i < 10; i++)
        {
            assertEquals(next, batches.append(log, next, 5, TIMESTAMP_ORIGIN + next));
            next += 5;
        }
        log.close();

        log = PartitionLog.open("t", 0, new File(dir, "t-0"), SMALL, clock);
        assertEquals(next, log.logEndOffset(), "acknowledged records lost after reopen");
        try (VerifyingReader reader = new VerifyingReader(64 * 1024, TIMESTAMP_ORIGIN))
        {
            assertEquals(next, reader.readToEnd(log, 0));
        }
    }

    /**
     * A clock that, once armed, runs one maintenance step on the maintenance thread of this test (a thread of its own,
     * joined) when the writer next reads it.
     */
    private final class MaintenanceDuringRollClock implements EpochClock
    {
        PartitionLog log;
        volatile boolean armed;
        int runs;

        public long time()
        {
            if (armed)
            {
                armed = false;
                runs++;
                final Thread maintenance = new Thread(() -> log.doMaintenance(0), "maintenance");
                threads.add(maintenance);
                maintenance.start();
                try
                {
                    maintenance.join(TimeUnit.SECONDS.toMillis(JOIN_TIMEOUT_SECONDS));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            return 0;
        }
    }

    /**
     * Start the one writer: {@code batches} batches of 1 to 20 records, each append checked to return the expected
     * base offset.
     *
     * @return the log end offset the writer will reach.
     */
    private long startWriter(final int batches, final Random random)
    {
        final int[] counts = new int[batches];
        long end = log.logEndOffset();
        for (int i = 0; i < batches; i++)
        {
            counts[i] = 1 + random.nextInt(20);
            end += counts[i];
        }
        start("writer", () ->
        {
            final TestBatches builder = new TestBatches();
            long next = log.logEndOffset();
            try
            {
                for (int i = 0; i < batches && !stop; i++)
                {
                    final int length = builder.batch(next, counts[i], TIMESTAMP_ORIGIN + next);
                    final long baseOffset = log.append(builder.buffer, 0, length);
                    if (baseOffset != next)
                    {
                        throw new AssertionError("append " + i + " returned " + baseOffset + " where " + next +
                            " was expected; " + log);
                    }
                    next += counts[i];
                }
            }
            finally
            {
                writerDone = true;
            }
        });
        return end;
    }

    /**
     * Start a maintenance loop like the {@link LogManager}'s agent, running until the writer is done.
     */
    private void startMaintenance()
    {
        start("maintenance", () ->
        {
            while (!writerDone && !stop)
            {
                if (0 == log.doMaintenance(System.currentTimeMillis()))
                {
                    Thread.yield();
                }
            }
        });
    }

    private void start(final String name, final ThrowingRunnable body)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                failures.add(ex);
                stop = true;
            }
        }, name);
        threads.add(thread);
        thread.start();
    }

    private void joinAll() throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(JOIN_TIMEOUT_SECONDS);
        for (final Thread thread : threads)
        {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime())));
            if (thread.isAlive())
            {
                stop = true;
                fail(thread.getName() + " did not finish within " + JOIN_TIMEOUT_SECONDS + " s (seed " + seed + ")");
            }
        }
        if (!failures.isEmpty())
        {
            final AssertionError error = new AssertionError(
                failures.size() + " thread(s) failed (rerun with -Dsluice.stress.seed=" + seed + ")",
                failures.peek());
            failures.stream().skip(1).forEach(error::addSuppressed);
            throw error;
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable
    {
        void run() throws Exception;
    }
}
