package io.sluice.engine;

import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.RecordBatchView;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogCleanerTest
{
    private static final long TIME = 1_700_000_000_000L;
    private static final LogConfig COMPACT = LogConfig.defaults()
        .with(LogConfig.SEGMENT_BYTES, 64 * 1024)
        .with(LogConfig.SEGMENT_INDEX_BYTES, 4096)
        .with(LogConfig.INDEX_INTERVAL_BYTES, 256)
        .with(LogConfig.MAX_MESSAGE_BYTES, 16 * 1024)
        .with(LogConfig.PRETOUCH_BYTES, 0)
        .with(LogConfig.CLEANUP_POLICY, "compact");

    @TempDir
    File dir;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final UnsafeBuffer batch = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** What was appended, by offset: "key=value", value "null" for a tombstone. */
    private final Map<Long, String> appended = new HashMap<>();

    @AfterEach
    void after() throws Exception
    {
        for (final AutoCloseable closeable : toClose)
        {
            closeable.close();
        }
    }

    private PartitionLog open(final String name, final LogConfig config)
    {
        final PartitionLog log = PartitionLog.open("t", 0, new File(dir, name), config, clock);
        toClose.add(log);
        return log;
    }

    /**
     * Append one batch of {@code key=value} records (a null value is a tombstone), each at {@code timestamp}.
     */
    private long append(final PartitionLog log, final long timestamp, final String... records)
    {
        builder.wrap(batch, 0, batch.capacity());
        for (final String record : records)
        {
            final int split = record.indexOf('=');
            final byte[] key = record.substring(0, split).getBytes(StandardCharsets.UTF_8);
            final String value = record.substring(split + 1);
            assertTrue(builder.append(timestamp, key, "null".equals(value) ? null : value.getBytes(StandardCharsets.UTF_8)));
        }
        final int length = builder.build();
        final long base = log.append(batch, 0, length);
        assertTrue(base >= 0, "append: " + base);
        for (int i = 0; i < records.length; i++)
        {
            appended.put(base + i, records[i]);
        }
        return base;
    }

    /** Append one record without remembering it: for long runs. */
    private long appendOne(final PartitionLog log, final String key, final String value)
    {
        builder.wrap(batch, 0, batch.capacity());
        builder.append(TIME, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        return log.append(batch, 0, builder.build());
    }

    /** Every record from {@code from} to the log end: offset to "key=value". */
    private static Map<Long, String> readAll(final PartitionLog log, final long from)
    {
        final Map<Long, String> records = new java.util.LinkedHashMap<>();
        final RecordBatchView view = new RecordBatchView();
        try (LogReadResult result = new LogReadResult())
        {
            long next = from;
            long previous = -1;
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
                        assertTrue(view.offset() > previous, "offsets rise: " + view.offset() + " after " + previous);
                        previous = view.offset();
                        records.put(view.offset(), text(view.key()) + "=" +
                            (view.isValueNull() ? "null" : text(view.value())));
                    }
                }
                next = result.nextOffset();
            }
        }
        return records;
    }

    private static String text(final DirectBuffer buffer)
    {
        return buffer.getStringWithoutLengthUtf8(0, buffer.capacity());
    }

    /** Run maintenance until a cleaning pass more than {@code passesBefore} has completed. */
    private static void cleanOnce(final PartitionLog log, final long nowMs)
    {
        final long passes = log.cleaner().passesCompleted();
        for (int i = 0; i < 10_000 && log.cleaner().passesCompleted() == passes; i++)
        {
            log.doMaintenance(nowMs + i * 200L);
        }
        assertEquals(passes + 1, log.cleaner().passesCompleted(), "a cleaning pass completed");
    }

    private static long activeBase(final PartitionLog log)
    {
        final LogSegment[] segments = log.segmentArray();
        return segments[segments.length - 1].baseOffset;
    }

    /**
     * 50 keys updated 6,000 times across many segments: after a pass, the sealed segments hold each key once, at
     * the offset it was appended at, with its latest value; reads skip the gaps; a restart reads the same log.
     */
    @Test
    void shouldKeepEachKeysLatestRecordAtItsOffsetAcrossARestart()
    {
        PartitionLog log = open("t-0", COMPACT);
        final Random random = new Random(42);
        for (int i = 0; i < 600; i++)
        {
            final String[] records = new String[10];
            for (int r = 0; r < records.length; r++)
            {
                records[r] = "key-" + random.nextInt(50) + "=value-" + (i * 10 + r) + "-" + "x".repeat(20);
            }
            append(log, TIME + i, records);
        }
        final long end = log.logEndOffset();
        assertEquals(6000, end);
        assertTrue(log.segmentCount() > 5, "segments: " + log.segmentCount());

        cleanOnce(log, TIME);
        final long activeBase = activeBase(log);
        final Map<Long, String> read = readAll(log, 0);
        assertEquals(end, log.logEndOffset(), "cleaning moves no offset");

        final Map<String, Long> latestBelowActive = new HashMap<>();
        final Map<String, Long> latest = new HashMap<>();
        appended.forEach((offset, record) ->
        {
            final String key = record.substring(0, record.indexOf('='));
            latest.merge(key, offset, Math::max);
            if (offset < activeBase)
            {
                latestBelowActive.merge(key, offset, Math::max);
            }
        });
        final Set<String> keysBelowActive = new HashSet<>();
        for (final Map.Entry<Long, String> record : read.entrySet())
        {
            assertEquals(appended.get(record.getKey()), record.getValue(), "the record appended at that offset");
            final String key = record.getValue().substring(0, record.getValue().indexOf('='));
            if (record.getKey() < activeBase)
            {
                assertTrue(keysBelowActive.add(key), "one record of " + key + " in the sealed segments");
                assertEquals(latestBelowActive.get(key), record.getKey(), "the latest of " + key);
            }
        }
        for (final Map.Entry<String, Long> key : latest.entrySet())
        {
            assertTrue(read.containsKey(key.getValue()), "the latest record of " + key.getKey());
        }
        assertEquals(50, keysBelowActive.size());
        assertEquals(50 + (end - activeBase), read.size(), "one record a key below the active segment, all above");
        assertEquals(activeBase - 50, log.cleaner().recordsRemoved());

        final long gap = firstGap(read);
        final Map<Long, String> fromGap = readAll(log, gap);
        assertTrue(fromGap.keySet().iterator().next() > gap, "a read in a gap starts at the next record");

        log.close();
        log = open("t-0", COMPACT);
        assertEquals(end, log.logEndOffset());
        assertEquals(read, readAll(log, 0), "the same log after recovery");
        final long next = append(log, TIME + 1000, "key-1=after");
        assertEquals(end, next);
    }

    private static long firstGap(final Map<Long, String> read)
    {
        long expected = 0;
        for (final long offset : read.keySet())
        {
            if (offset != expected)
            {
                return expected;
            }
            expected++;
        }
        throw new AssertionError("no gap");
    }

    @Test
    void shouldRemoveATombstoneOnlyOnceItIsOlderThanTheDeleteRetention()
    {
        final LogConfig config = COMPACT.with(LogConfig.DELETE_RETENTION_MS, 60_000);
        final PartitionLog log = open("t-0", config);
        append(log, TIME, "gone=1", "kept=1");
        append(log, TIME + 1, "gone=null");
        final long tombstone = log.logEndOffset() - 1;
        fillUntilRolled(log, "filler-a", TIME + 2);
        cleanOnce(log, TIME + 10);
        Map<Long, String> read = readAll(log, 0);
        assertFalse(read.containsKey(0L), "gone=1 was replaced by its tombstone");
        assertEquals("gone=null", read.get(tombstone), "the tombstone stays within delete.retention.ms");

        fillUntilRolled(log, "filler-b", TIME + 3);
        cleanOnce(log, TIME + 20);
        assertEquals("gone=null", readAll(log, 0).get(tombstone), "still young");

        fillUntilRolled(log, "filler-c", TIME + 4);
        cleanOnce(log, TIME + 61_000);
        read = readAll(log, 0);
        assertNull(read.get(tombstone), "removed once older than delete.retention.ms: " + read.get(tombstone));
        assertEquals("kept=1", read.get(1L));
    }

    /** Append the same key until the log rolls, so the records before are in a sealed segment. */
    private void fillUntilRolled(final PartitionLog log, final String key, final long timestamp)
    {
        final int segments = log.segmentCount();
        int i = 0;
        while (log.segmentCount() == segments)
        {
            append(log, timestamp, key + "=" + i++ + "-" + "y".repeat(200));
        }
    }

    @Test
    void shouldReplicateACompactedLogWithItsGapsToAFollower()
    {
        final PartitionLog leader = open("leader", COMPACT);
        for (int i = 0; i < 400; i++)
        {
            append(leader, TIME + i, "k" + (i % 13) + "=" + i + "-" + "z".repeat(100), "other" + (i % 3) + "=" + i);
        }
        cleanOnce(leader, TIME);
        final Map<Long, String> compacted = readAll(leader, 0);
        assertTrue(compacted.size() < 800);

        final PartitionLog follower = open("follower", COMPACT);
        final UnsafeBuffer copy = new UnsafeBuffer(ByteBuffer.allocateDirect(128 * 1024));
        try (LogReadResult result = new LogReadResult())
        {
            long next = 0;
            while (leader.read(next, 64 * 1024, result) == LogReadResult.OK)
            {
                result.buffer().getBytes(0, copy, 0, result.length());
                final long end = follower.appendAsFollower(copy, 0, result.length());
                assertEquals(result.nextOffset(), end, "follower log end after appending");
                next = result.nextOffset();
            }
        }
        assertEquals(leader.logEndOffset(), follower.logEndOffset());
        assertEquals(compacted, readAll(follower, 0));

        final PartitionLog plain = open("plain", COMPACT.with(LogConfig.CLEANUP_POLICY, "delete"));
        assertNull(plain.cleaner(), "no cleaner for the delete policy");
    }

    /**
     * A crash between naming the cleaned copy {@code .log.swap} and giving it the segment's name: recovery finishes
     * the swap. A leftover {@code .cleaned} copy is deleted.
     */
    @Test
    void shouldFinishAnInterruptedSwapWhenTheLogIsRecovered() throws Exception
    {
        PartitionLog log = open("t-0", COMPACT);
        for (int i = 0; i < 300; i++)
        {
            append(log, TIME + i, "k" + (i % 5) + "=" + i + "-" + "w".repeat(300));
        }
        cleanOnce(log, TIME);
        final Map<Long, String> read = readAll(log, 0);
        final long end = log.logEndOffset();
        log.close();

        final File directory = new File(dir, "t-0");
        final File first = new File(directory, LogSegment.fileName(0, LogSegment.LOG_SUFFIX));
        final File swap = new File(first.getPath() + LogCleaner.SWAP_SUFFIX);
        Files.move(first.toPath(), swap.toPath());
        Files.write(first.toPath(), new byte[64 * 1024]); // what the old segment would have been: any bytes
        final File cleaned = new File(directory, LogSegment.fileName(7, LogSegment.LOG_SUFFIX) +
            LogCleaner.CLEANED_SUFFIX);
        Files.write(cleaned.toPath(), new byte[]{ 1, 2, 3 });

        log = open("t-0", COMPACT);
        assertEquals(end, log.logEndOffset());
        assertEquals(read, readAll(log, 0));
        assertFalse(swap.exists());
        assertFalse(cleaned.exists());
    }

    @Test
    void shouldRefuseAnUnknownCleanupPolicyAndKeepRetentionForTheDeletePolicyOnly()
    {
        assertThrows(LogConfigException.class, () -> COMPACT.with(LogConfig.CLEANUP_POLICY, "shred"));
        assertThrows(LogConfigException.class, () -> COMPACT.with(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "1.5"));
        assertTrue(COMPACT.with(LogConfig.CLEANUP_POLICY, "delete, compact").compact());
        assertTrue(COMPACT.with(LogConfig.CLEANUP_POLICY, "compact,delete").delete());

        final PartitionLog log = open("t-0", COMPACT.with(LogConfig.RETENTION_MS, 1));
        for (int i = 0; i < 200; i++)
        {
            append(log, TIME, "k" + i + "=" + "v".repeat(400));
        }
        cleanOnce(log, TIME + 1_000_000);
        assertEquals(0, log.logStartOffset(), "retention.ms does not apply to a compact-only log");
        assertEquals(200, readAll(log, 0).size(), "every key distinct: nothing removed");
        assertNotNull(log.cleaner());
    }

    /**
     * The writer appends, the maintenance thread cleans and a reader reads from the start, all at once: the reader
     * only ever sees rising offsets whose records are the ones appended there, and at the end every key's latest
     * record is in the log.
     */
    @Test
    void shouldServeReadersCorrectRecordsWhileCleaningRunsBesideTheWriter() throws Exception
    {
        final LogManager logs = LogManager.open(new LogManager.Context()
            .dataDirectory(new File(dir, "data"))
            .defaultConfig(COMPACT.with(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.1")));
        toClose.add(logs);
        final PartitionLog log = logs.createTopic("t", 1, Map.of()).get(0);
        final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        final java.util.concurrent.atomic.AtomicReference<Throwable> failure =
            new java.util.concurrent.atomic.AtomicReference<>();
        final java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
        long passesWhileWriting = 0;
        final long[] lastOffsets = new long[97];
        final Thread reader = new Thread(() ->
        {
            try
            {
                while (!done.get())
                {
                    for (final Map.Entry<Long, String> record : readAll(log, log.logStartOffset()).entrySet())
                    {
                        final String value = record.getValue().substring(record.getValue().indexOf('=') + 1);
                        assertEquals(record.getKey(), Long.parseLong(value.substring(1, value.indexOf('-'))),
                            "the record appended at offset " + record.getKey());
                    }
                    reads.incrementAndGet();
                }
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }, "cleaner-test-reader");
        reader.start();
        try
        {
            // Append until cleaning passes have run beside the writer (bounded: a stuck cleaner fails below).
            for (long i = 0; log.cleaner().passesCompleted() < 2 && i < 3_000_000; i++)
            {
                final int key = (int)(i % 97);
                final long offset = appendOne(log, "k" + key, "o" + i + "-" + "p".repeat(40));
                assertEquals(i, offset);
                lastOffsets[key] = offset;
            }
            passesWhileWriting = log.cleaner().passesCompleted();
            // Let the reader go on while the last dirty segments are cleaned: until no pass completed for a second.
            long passes = -1;
            for (int i = 0; i < 30 && passes != log.cleaner().passesCompleted(); i++)
            {
                passes = log.cleaner().passesCompleted();
                Thread.sleep(1000);
            }
        }
        finally
        {
            done.set(true);
            reader.join(30_000);
        }
        if (null != failure.get())
        {
            throw new AssertionError("reader failed", failure.get());
        }
        assertTrue(passesWhileWriting >= 2, "passes beside the writer: " + passesWhileWriting);
        assertTrue(reads.get() > 0);
        final Map<Long, String> read = readAll(log, 0);
        for (int k = 0; k < 97; k++)
        {
            final String record = read.get(lastOffsets[k]);
            assertNotNull(record, "the latest record of k" + k);
            assertTrue(record.startsWith("k" + k + "=o" + lastOffsets[k] + "-"), record);
        }
        assertTrue(read.size() < log.logEndOffset(), "records left: " + read.size());
    }

    /**
     * An idempotent producer's last batch, filtered by compaction, still tells a restarted log the producer's last
     * sequence: it follows the batch's offset range, not its remaining records.
     */
    @Test
    void shouldKnowAnIdempotentProducersSequenceFromAFilteredBatchAfterARestart()
    {
        PartitionLog log = open("t-0", COMPACT);
        builder.wrap(batch, 0, batch.capacity()).producer(5, (short)0, 0);
        for (final String key : new String[]{ "a", "b", "c" })
        {
            builder.append(TIME, key.getBytes(StandardCharsets.UTF_8), "1".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(0, log.append(batch, 0, builder.build()));
        append(log, TIME, "a=2");
        fillUntilRolled(log, "filler", TIME);
        cleanOnce(log, TIME);
        assertNull(readAll(log, 0).get(0L), "a=1 is gone: the producer's batch was filtered");
        log.close();

        log = open("t-0", COMPACT);
        builder.wrap(batch, 0, batch.capacity()).producer(5, (short)0, 3);
        builder.append(TIME, "d".getBytes(StandardCharsets.UTF_8), "1".getBytes(StandardCharsets.UTF_8));
        final long end = log.logEndOffset();
        assertEquals(end, log.append(batch, 0, builder.build()), "the next sequence is appended");
    }
}
