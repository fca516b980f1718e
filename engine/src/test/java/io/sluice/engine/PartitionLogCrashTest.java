package io.sluice.engine;

import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kills a writing process with SIGKILL at random moments and checks that recovery keeps every batch whose append
 * had returned, with its content, and nothing that breaks the offset sequence.
 * <p>
 * Each round starts a {@link CrashingAppender} on the same data directory, lets it append for 50 to 400 ms after
 * its first acknowledgement, kills it, then recovers the log in this JVM, checks it, appends to it and reopens it.
 * Later rounds thus recover logs that earlier rounds recovered and appended to. Segments are 256 KiB, so kills land
 * in rolls as well as in plain appends: rolls that activate a segment prepared by the maintenance thread, and rolls
 * that create their segment on the writer thread (the rounds alternate). The seed is printed on failure; rerun one
 * with {@code -Dsluice.crash.seed=<seed>}.
 */
class PartitionLogCrashTest
{
    private static final String TOPIC = "crash";
    private static final int ROUNDS = 24;
    private static final long START_TIMEOUT_SECONDS = 120;
    private static final Map<String, String> TOPIC_CONFIG = Map.of(
        LogConfig.SEGMENT_BYTES, String.valueOf(256 * 1024),
        LogConfig.SEGMENT_INDEX_BYTES, "4096",
        LogConfig.INDEX_INTERVAL_BYTES, "1024",
        LogConfig.PRETOUCH_BYTES, String.valueOf(64 * 1024),
        LogConfig.RETENTION_MS, "-1");

    @TempDir
    File temp;

    private ChildJvm child;

    @AfterEach
    void stopChild() throws InterruptedException
    {
        if (null != child)
        {
            child.close();
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedBatchWhenKilledAtRandomMoments() throws Exception
    {
        final long seed = Long.getLong("sluice.crash.seed", System.nanoTime());
        try
        {
            killAndRecover(new Random(seed));
        }
        catch (final Throwable ex)
        {
            throw new AssertionError("failed with seed " + seed + " (rerun with -Dsluice.crash.seed=" + seed + ")", ex);
        }
    }

    private void killAndRecover(final Random random) throws Exception
    {
        final File data = new File(temp, "data");
        try (LogManager logs = openInvoker(data))
        {
            logs.createTopic(TOPIC, 1, TOPIC_CONFIG);
        }

        final TestBatches batches = new TestBatches();
        long logEnd = 0;
        long acknowledgedTotal = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final String context = "round " + round + " (" + maintenanceMode(round) + " maintenance): ";
            child = ChildJvm.start(CrashingAppender.class, new File(temp, "appender-" + round + ".err"),
                data.getPath(), TOPIC, String.valueOf(random.nextLong()), maintenanceMode(round).name());

            final String ready = child.nextLine(START_TIMEOUT_SECONDS);
            assertEquals("ready " + logEnd, ready, context + "the appender recovered a different log end");
            final String first = child.nextLine(START_TIMEOUT_SECONDS);
            assertNotNull(first, context + "appender ended before its first append: " + child.stderr());

            Thread.sleep(50 + random.nextInt(351));
            final int status = child.kill();
            assertEquals(137, status, context + "appender did not die of SIGKILL: " + child.stderr());

            final List<String> acks = child.remainingLines();
            acks.add(0, first);
            final long acknowledgedEnd = checkAcknowledgements(context, logEnd, acks, child);
            child.close();
            child = null;
            acknowledgedTotal += acknowledgedEnd - logEnd;

            logEnd = recoverCheckAndAppend(context, data, acknowledgedEnd, batches, 1 + random.nextInt(20));
        }

        assertTrue(acknowledgedTotal > ROUNDS, "appenders acknowledged only " + acknowledgedTotal + " records");
        try (LogManager logs = openInvoker(data))
        {
            final PartitionLog log = logs.log(TOPIC, 0);
            assertTrue(log.segmentCount() > 1, "no roll in " + ROUNDS + " rounds: " + log.segmentCount());
            System.out.println("crash test: " + ROUNDS + " rounds, " + acknowledgedTotal +
                " records acknowledged by killed appenders, " + log + ", " + log.segmentCount() + " segments");
        }
    }

    /**
     * A kill inside a roll that creates its segment itself (no prepared one) leaves the new {@code .log} file short,
     * down to 0 bytes: {@code createSegment} creates it, then fills it with zeros. Recovery maps the short file as an
     * empty segment, and the next roll creates a segment at the same base offset, under the same file names. Every
     * record must survive that, and retention of the short segment must not take the files of the real one.
     */
    @Test
    void shouldKeepEveryRecordWhenASegmentFileWasCutShortByAKillDuringARoll() throws Exception
    {
        final LogConfig config = LogConfig.defaults()
            .with(LogConfig.SEGMENT_BYTES, 64 * 1024)
            .with(LogConfig.SEGMENT_INDEX_BYTES, 4096)
            .with(LogConfig.RETENTION_MS, -1)
            .with(LogConfig.RETENTION_BYTES, 150 * 1024);
        final File directory = new File(temp, "t-0");
        final TestBatches batches = new TestBatches();
        final CachedEpochClock clock = new CachedEpochClock();

        long next = 0;
        PartitionLog log = PartitionLog.open("t", 0, directory, config, clock);
        try
        {
            while (log.segmentCount() < 3)
            {
                assertEquals(next, batches.append(log, next, 10, CrashingAppender.TIMESTAMP_ORIGIN + next));
                next += 10;
            }
        }
        finally
        {
            log.close();
        }
        // the state a kill leaves right after createSegment created the next segment's log file
        assertTrue(new File(directory, LogSegment.fileName(next, LogSegment.LOG_SUFFIX)).createNewFile());

        final long start;
        log = PartitionLog.open("t", 0, directory, config, clock);
        try
        {
            assertEquals(next, log.logEndOffset());
            final int segments = log.segmentCount();
            while (log.segmentCount() < segments + 4)
            {
                assertEquals(next, batches.append(log, next, 10, CrashingAppender.TIMESTAMP_ORIGIN + next));
                next += 10;
            }
            log.doMaintenance(0);
            start = log.logStartOffset();
            assertTrue(start > 0, "retention deleted nothing");
            assertEquals(next, log.logEndOffset());
            try (VerifyingReader reader = new VerifyingReader(64 * 1024, CrashingAppender.TIMESTAMP_ORIGIN))
            {
                assertEquals(next, reader.readToEnd(log, start));
            }
        }
        finally
        {
            log.close();
        }

        log = PartitionLog.open("t", 0, directory, config, clock);
        try (VerifyingReader reader = new VerifyingReader(64 * 1024, CrashingAppender.TIMESTAMP_ORIGIN))
        {
            final String files = "files: " + new TreeSet<>(List.of(directory.list()));
            assertEquals(next, log.logEndOffset(), "log end after reopen; " + files);
            assertEquals(start, log.logStartOffset(), "log start after reopen; " + files);
            assertEquals(next, reader.readToEnd(log, start));
        }
        finally
        {
            log.close();
        }
    }

    /**
     * The acknowledged batches of one appender follow each other from the log end it started at.
     *
     * @return the end of the last acknowledged batch.
     */
    private static long checkAcknowledgements(
        final String context, final long start, final List<String> acks, final ChildJvm appender)
    {
        long next = start;
        for (final String ack : acks)
        {
            if (ack.startsWith("error"))
            {
                fail(context + "appender reported " + ack + "; its stderr:\n" + appender.stderr());
            }
            final String[] parts = ack.split(" ");
            assertEquals(2, parts.length, context + "bad line '" + ack + "'");
            assertEquals(next, Long.parseLong(parts[0]), context + "acknowledged base offset out of sequence");
            final int count = Integer.parseInt(parts[1]);
            assertTrue(count >= 1 && count <= 20, context + "bad count in '" + ack + "'");
            next += count;
        }
        return next;
    }

    /**
     * Recover in this JVM: every acknowledged record is there, intact, with contiguous offsets from 0 to the log end;
     * then the log takes an append at its end, and keeps it across a clean close and reopen.
     *
     * @return the log end after the append.
     */
    private static long recoverCheckAndAppend(
        final String context,
        final File data,
        final long acknowledgedEnd,
        final TestBatches batches,
        final int count)
    {
        final long recoveredEnd;
        try (LogManager logs = openInvoker(data);
            VerifyingReader reader = new VerifyingReader(256 * 1024, CrashingAppender.TIMESTAMP_ORIGIN))
        {
            assertEquals(List.of(TOPIC), logs.topics(), context + "topics after recovery");
            final PartitionLog log = logs.log(TOPIC, 0);
            assertEquals(TOPIC_CONFIG.get(LogConfig.SEGMENT_BYTES), String.valueOf(log.config().segmentBytes()));
            recoveredEnd = log.logEndOffset();
            assertTrue(recoveredEnd >= acknowledgedEnd,
                context + "recovered log ends at " + recoveredEnd + " but offsets to " + acknowledgedEnd +
                " were acknowledged");
            assertEquals(0, log.logStartOffset(), context + "log start offset");
            assertEquals(recoveredEnd, reader.readToEnd(log, 0), context + "records readable from 0");

            final int length = batches.batch(recoveredEnd, count, CrashingAppender.TIMESTAMP_ORIGIN + recoveredEnd);
            assertEquals(recoveredEnd, log.append(batches.buffer, 0, length), context + "append after recovery");
            assertEquals(recoveredEnd + count, log.logEndOffset());
        }

        try (LogManager logs = openInvoker(data);
            VerifyingReader reader = new VerifyingReader(256 * 1024, CrashingAppender.TIMESTAMP_ORIGIN))
        {
            final PartitionLog log = logs.log(TOPIC, 0);
            assertEquals(recoveredEnd + count, log.logEndOffset(), context + "log end after a clean reopen");
            final long tail = Math.max(0, recoveredEnd - 100);
            assertEquals(recoveredEnd + count, reader.readToEnd(log, tail), context + "records after a clean reopen");
            assertNotEquals(0, reader.recordsChecked());
        }
        return recoveredEnd + count;
    }

    /**
     * Even rounds run the appender with its maintenance thread, so most rolls activate a prepared segment; odd rounds
     * without, so every roll creates its segment on the writer thread. {@code -Dsluice.crash.maintenance=MODE} runs
     * every round in one mode.
     */
    private static LogManager.MaintenanceMode maintenanceMode(final int round)
    {
        final String forced = System.getProperty("sluice.crash.maintenance");
        if (null != forced)
        {
            return LogManager.MaintenanceMode.valueOf(forced);
        }
        return 0 == round % 2 ? LogManager.MaintenanceMode.DEDICATED : LogManager.MaintenanceMode.INVOKER;
    }

    private static LogManager openInvoker(final File data)
    {
        return LogManager.open(new LogManager.Context()
            .dataDirectory(data)
            .maintenanceMode(LogManager.MaintenanceMode.INVOKER));
    }
}
