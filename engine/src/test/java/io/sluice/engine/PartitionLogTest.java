package io.sluice.engine;

import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.RandomAccessFile;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.*;

class PartitionLogTest
{
    private static final LogConfig SMALL = LogConfig.defaults()
        .with(LogConfig.SEGMENT_BYTES, 64 * 1024)
        .with(LogConfig.SEGMENT_INDEX_BYTES, 4096)
        .with(LogConfig.INDEX_INTERVAL_BYTES, 256)
        .with(LogConfig.MAX_MESSAGE_BYTES, 16 * 1024)
        .with(LogConfig.PRETOUCH_BYTES, 8192);

    @TempDir
    File dir;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final TestBatches batches = new TestBatches();
    private PartitionLog log;

    @AfterEach
    void after()
    {
        if (null != log)
        {
            log.close();
        }
    }

    private PartitionLog open(final LogConfig config)
    {
        log = PartitionLog.open("t", 0, new File(dir, "t-0"), config, clock);
        return log;
    }

    private static List<String> values(final long from, final long to)
    {
        return LongStream.range(from, to).mapToObj((i) -> "v-" + i).collect(Collectors.toList());
    }

    @Test
    void shouldAssignConsecutiveOffsetsAndReadBackAcrossSegments()
    {
        open(SMALL);
        long next = 0;
        for (int i = 0; i < 500; i++)
        {
            final int count = 1 + i % 5;
            assertEquals(next, batches.append(log, next, count, 1000 + next));
            next += count;
        }
        assertEquals(next, log.logEndOffset());
        assertTrue(log.segmentCount() > 1, "segments: " + log.segmentCount());
        assertEquals(values(0, next), TestBatches.readAll(log, 0));
        assertEquals(values(777, next), TestBatches.readAll(log, 777));
    }

    @Test
    void shouldReadAtLeastOneBatchAndRespectMaxBytes()
    {
        open(SMALL);
        for (int i = 0; i < 10; i++)
        {
            batches.append(log, i * 10L, 10, 0);
        }
        try (LogReadResult result = new LogReadResult())
        {
            assertEquals(LogReadResult.OK, log.read(15, 1, result));
            assertEquals(10, result.firstOffset());
            assertEquals(20, result.nextOffset());
            final int second = result.length();
            log.read(0, 1, result);
            final int first = result.length();
            log.read(20, 1, result);
            final int third = result.length();

            assertEquals(LogReadResult.OK, log.read(0, first + second + third, result));
            assertEquals(30, result.nextOffset());
            assertEquals(first + second + third, result.length());
            assertEquals(LogReadResult.OK, log.read(0, first + second + third - 1, result));
            assertEquals(20, result.nextOffset());

            assertEquals(LogReadResult.NO_DATA, log.read(100, 1000, result));
            assertEquals(LogReadResult.OFFSET_OUT_OF_RANGE, log.read(101, 1000, result));
            assertEquals(LogReadResult.OFFSET_OUT_OF_RANGE, log.read(-1, 1000, result));
            assertEquals(100, result.logEndOffset());
        }
    }

    @Test
    void shouldFindOffsetForTimestamp()
    {
        open(SMALL);
        for (int i = 0; i < 300; i++)
        {
            batches.append(log, i * 3L, 3, 10_000 + i * 10L);
        }
        assertEquals(0, log.offsetForTimestamp(0));
        assertEquals(0, log.offsetForTimestamp(10_000));
        assertEquals(1, log.offsetForTimestamp(10_001));
        assertEquals(3, log.offsetForTimestamp(10_003));
        assertEquals(450, log.offsetForTimestamp(10_000 + 1500));
        assertEquals(899, log.offsetForTimestamp(10_000 + 2992));
        assertEquals(-1, log.offsetForTimestamp(10_000 + 2993));
    }

    @Test
    void shouldRecoverEverythingAfterReopen()
    {
        open(SMALL);
        for (int i = 0; i < 400; i++)
        {
            batches.append(log, i * 2L, 2, i);
        }
        log.close();
        open(SMALL);
        assertEquals(800, log.logEndOffset());
        assertEquals(values(0, 800), TestBatches.readAll(log, 0));
        assertEquals(800, batches.append(log, 800, 1, 5000));
    }

    @Test
    void shouldTruncateAtCorruptBatchAndKeepAppending() throws Exception
    {
        open(SMALL);
        final long[] positions = new long[200];
        long position = 0;
        for (int i = 0; i < 100; i++)
        {
            positions[i] = position;
            position += batches.batch(i * 2L, 2, i);
            batches.append(log, i * 2L, 2, i);
        }
        final File segment = new File(log.directory(), "00000000000000000000.log");
        log.close();
        log = null;

        try (RandomAccessFile raf = new RandomAccessFile(segment, "rw"))
        {
            raf.seek(positions[40] + 50);
            final int b = raf.read();
            raf.seek(positions[40] + 50);
            raf.write(b ^ 0x5A);
        }

        open(SMALL);
        assertEquals(80, log.logEndOffset());
        assertEquals(values(0, 80), TestBatches.readAll(log, 0));
        assertEquals(80, batches.append(log, 80, 2, 0));
        log.close();
        open(SMALL);
        assertEquals(82, log.logEndOffset());
    }

    @Test
    void shouldDetectAFlippedLeaderEpoch() throws Exception
    {
        open(SMALL);
        for (int i = 0; i < 10; i++)
        {
            batches.append(log, i, 1, i);
        }
        final int length = batches.batch(0, 1, 0);
        final File segment = new File(log.directory(), "00000000000000000000.log");
        log.close();
        log = null;
        try (RandomAccessFile raf = new RandomAccessFile(segment, "rw"))
        {
            raf.seek(5L * length + io.sluice.codecs.RecordBatchDescriptor.LEADER_EPOCH_OFFSET);
            raf.write(7);
        }
        open(SMALL);
        assertEquals(5, log.logEndOffset());
    }

    @Test
    void shouldRefuseBadBatchesAndWriteNothing()
    {
        open(SMALL);
        final int length = batches.batch(0, 3, 0);
        batches.buffer.putByte(length - 1, (byte)(batches.buffer.getByte(length - 1) ^ 1));
        assertEquals(io.sluice.codecs.RecordBatchDescriptor.BAD_CRC, log.append(batches.buffer, 0, length));
        assertEquals(io.sluice.codecs.RecordBatchDescriptor.TRUNCATED, log.append(batches.buffer, 0, length - 1));
        assertEquals(0, log.logEndOffset());

        final int big = batches.batch(0, 1, 0);
        final PartitionLog tiny = log;
        assertEquals(PartitionLog.RECORD_TOO_LARGE, tiny.append(batches.buffer, 0, 20_000));
        assertEquals(0, tiny.append(batches.buffer, 0, big));
    }

    @Test
    void shouldEnforceRetentionBySizeAndTime()
    {
        open(SMALL.with(LogConfig.RETENTION_BYTES, 100_000).with(LogConfig.RETENTION_MS, -1));
        for (int i = 0; i < 2000; i++)
        {
            batches.append(log, i, 1, i);
        }
        final int before = log.segmentCount();
        log.doMaintenance(0);
        assertTrue(log.segmentCount() < before);
        assertTrue(log.sizeInBytes() >= 100_000 - 64 * 1024, "size " + log.sizeInBytes());
        final long start = log.logStartOffset();
        assertTrue(start > 0);
        assertEquals(values(start, 2000), TestBatches.readAll(log, start));
        try (LogReadResult result = new LogReadResult())
        {
            assertEquals(LogReadResult.OFFSET_OUT_OF_RANGE, log.read(0, 100, result));
        }
        log.close();

        open(SMALL.with(LogConfig.RETENTION_MS, 1000));
        assertEquals(start, log.logStartOffset());
        log.doMaintenance(2000 + 1000 + 1);
        assertEquals(1, log.segmentCount());
    }

    @Test
    void shouldDeleteOnlyWholeSegmentsBelowTheOffsetWhenRecordsBeforeItAreNoLongerNeeded()
    {
        open(SMALL.with(LogConfig.RETENTION_MS, -1));
        for (int i = 0; i < 2000; i++)
        {
            batches.append(log, i, 1, i);
        }
        final int before = log.segmentCount();
        assertTrue(before > 3, "segments " + before);
        log.doMaintenance(0);
        assertEquals(before, log.segmentCount(), "no retention, no request: nothing goes");

        log.deleteRecordsBefore(1500);
        log.deleteRecordsBefore(10); // lower: ignored
        log.doMaintenance(0);
        final long start = log.logStartOffset();
        assertTrue(start > 0 && start <= 1500, "start " + start);
        assertTrue(log.segmentCount() < before);
        assertEquals(values(start, 2000), TestBatches.readAll(log, start), "everything from the new start is kept");

        log.deleteRecordsBefore(5000); // past the end: only the active segment stays
        log.doMaintenance(0);
        assertEquals(1, log.segmentCount());
        assertEquals(2000, log.logEndOffset());
    }

    @Test
    void shouldZeroAWholeBatchLeftPastTheEndAfterATornWrite() throws Exception
    {
        open(SMALL);
        long end = 0;
        for (int i = 0; i < 10; i++)
        {
            end += batches.batch(i, 1, i);
            batches.append(log, i, 1, i);
        }
        final int length = batches.batch(10, 1, 10);
        final byte[] stale = new byte[length];
        batches.buffer.getBytes(0, stale);
        final File segment = new File(log.directory(), "00000000000000000000.log");
        log.close();
        log = null;

        // as if the page holding batch 11 reached the device but the one holding batch 10 did not
        try (RandomAccessFile raf = new RandomAccessFile(segment, "rw"))
        {
            raf.seek(end + 4096);
            raf.write(stale);
        }

        open(SMALL);
        assertEquals(10, log.logEndOffset());
        log.close();
        log = null;
        try (RandomAccessFile raf = new RandomAccessFile(segment, "r"))
        {
            raf.seek(end + 4096);
            final byte[] after = new byte[length];
            raf.readFully(after);
            assertArrayEquals(new byte[length], after);
        }
    }

    @Test
    void shouldRollWhenActiveSegmentIsOlderThanSegmentMs()
    {
        clock.update(1_000);
        open(SMALL.with(LogConfig.SEGMENT_MS, 60_000));
        batches.append(log, 0, 1, 0);
        clock.update(1_000 + 59_999);
        batches.append(log, 1, 1, 0);
        assertEquals(1, log.segmentCount());

        clock.update(1_000 + 60_000);
        assertEquals(2, batches.append(log, 2, 1, 0));
        assertEquals(2, log.segmentCount());
        assertTrue(new File(log.directory(), "00000000000000000002.log").exists());
        assertEquals(values(0, 3), TestBatches.readAll(log, 0));
    }

    @Test
    void shouldStampLeaderEpochAndRecoverItsCheckpoint()
    {
        open(SMALL);
        batches.append(log, 0, 2, 0);
        log.leaderEpoch(3);
        batches.append(log, 2, 2, 0);
        assertThrows(IllegalArgumentException.class, () -> log.leaderEpoch(3));
        log.close();

        open(SMALL);
        assertEquals(3, log.leaderEpoch());
        assertEquals(4, log.logEndOffset());
        try (LogReadResult result = new LogReadResult())
        {
            log.read(0, 1, result);
            assertEquals(0, new io.sluice.codecs.RecordBatchView().wrap(result.buffer(), 0).leaderEpoch());
            log.read(2, 1, result);
            assertEquals(3, new io.sluice.codecs.RecordBatchView().wrap(result.buffer(), 0).leaderEpoch());
        }
    }

    @Test
    void shouldAnswerWhereEachLeaderEpochEnds()
    {
        open(SMALL);
        batches.append(log, 0, 2, 0); // epoch 0: offsets 0-1
        log.leaderEpoch(3);
        batches.append(log, 2, 3, 0); // epoch 3: offsets 2-4
        log.leaderEpoch(4);
        log.leaderEpoch(7); // epoch 4 had no records: 7 replaces it at the same start offset
        batches.append(log, 5, 1, 0); // epoch 7: offset 5

        assertEquals(0, log.epochAtOrBelow(0));
        assertEquals(2, log.endOffsetForEpoch(0));
        assertEquals(0, log.epochAtOrBelow(2), "an epoch this log never had: the one before it");
        assertEquals(2, log.endOffsetForEpoch(2));
        assertEquals(3, log.epochAtOrBelow(3));
        assertEquals(5, log.endOffsetForEpoch(3));
        assertEquals(3, log.epochAtOrBelow(4), "an epoch without records is no epoch of this log");
        assertEquals(5, log.endOffsetForEpoch(4));
        assertEquals(7, log.epochAtOrBelow(7));
        assertEquals(6, log.endOffsetForEpoch(7), "the latest epoch ends at the log end");
        assertEquals(7, log.epochAtOrBelow(9));
        assertEquals(6, log.endOffsetForEpoch(9));
        assertEquals(-1, log.epochAtOrBelow(-1));
        assertEquals(-1, log.endOffsetForEpoch(-1));

        log.close();
        open(SMALL); // the same answers from the checkpoint
        assertEquals(3, log.epochAtOrBelow(4));
        assertEquals(5, log.endOffsetForEpoch(3));
        assertEquals(6, log.endOffsetForEpoch(7));
    }

    @Test
    void shouldPublishABatchEncodedInPlaceOnlyAtCommit()
    {
        open(SMALL);
        batches.append(log, 0, 2, 0);
        final LogClaim claim = new LogClaim();
        final io.sluice.codecs.RecordBatchBuilder builder = new io.sluice.codecs.RecordBatchBuilder();

        assertEquals(2, log.tryClaim(512, claim));
        assertEquals(512, claim.capacity());
        builder.wrap(claim.buffer(), 0, claim.capacity());
        builder.append(7, null, "v-2".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        builder.append(8, null, "v-3".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        final int length = builder.build();
        assertEquals(2, log.logEndOffset(), "nothing visible before the commit");
        assertThrows(IllegalStateException.class, () -> batches.append(log, 2, 1, 0));

        assertEquals(2, log.commit(claim, length));
        assertEquals(0, claim.capacity());
        assertEquals(4, log.logEndOffset());
        assertEquals(4, batches.append(log, 4, 1, 0));
        assertEquals(values(0, 5), TestBatches.readAll(log, 0));
        assertEquals(3, log.offsetForTimestamp(8));
        log.close();
        open(SMALL);
        assertEquals(values(0, 5), TestBatches.readAll(log, 0));
    }

    @Test
    void shouldLeaveNothingBehindWhenAClaimIsAbortedOrBadlyCommitted()
    {
        open(SMALL);
        final LogClaim claim = new LogClaim();
        assertEquals(0, log.tryClaim(256, claim));
        claim.buffer().setMemory(0, 256, (byte)0x7F);
        log.abort(claim);
        assertEquals(0, log.logEndOffset());

        assertEquals(0, log.tryClaim(256, claim));
        claim.buffer().setMemory(0, 256, (byte)0x7F);
        assertEquals(io.sluice.codecs.RecordBatchDescriptor.BAD_LENGTH, log.commit(claim, 200));
        assertThrows(IllegalStateException.class, () -> log.commit(claim, 200));

        assertEquals(0, batches.append(log, 0, 3, 0));
        log.close();
        open(SMALL);
        assertEquals(values(0, 3), TestBatches.readAll(log, 0));
    }

    @Test
    void shouldRollWhenAClaimDoesNotFitAndRefuseClaimsLargerThanABatchMayBe()
    {
        open(SMALL);
        final LogClaim claim = new LogClaim();
        assertEquals(PartitionLog.RECORD_TOO_LARGE, log.tryClaim(16 * 1024 + 1, claim));
        assertThrows(IllegalArgumentException.class, () -> log.tryClaim(10, claim));

        long next = 0;
        while (log.segmentCount() == 1)
        {
            assertEquals(next, log.tryClaim(16 * 1024, claim));
            assertEquals(next, log.commit(claim, batches.batchInto(claim.buffer(), next)));
            next++;
        }
        assertEquals(values(0, next), TestBatches.readAll(log, 0));
    }

    @Test
    void shouldForceEveryBatchBeforeAppendReturnsWhenFlushPolicyIsAlways()
    {
        open(SMALL.with(LogConfig.FLUSH_POLICY, "always"));
        batches.append(log, 0, 3, 0);
        final LogSegment segment = log.activeSegmentForTest();
        assertEquals(segment.endPosition(), segment.flushedPosition);
        batches.append(log, 3, 2, 0);
        assertEquals(segment.endPosition(), segment.flushedPosition);
    }

    @Test
    void shouldForceOnlyOnTheMaintenanceIntervalWhenFlushPolicyIsInterval()
    {
        open(SMALL.with(LogConfig.FLUSH_POLICY, "interval").with(LogConfig.FLUSH_INTERVAL_MS, 1000));
        log.doMaintenance(10_000);
        batches.append(log, 0, 3, 0);
        final LogSegment segment = log.activeSegmentForTest();
        assertEquals(0, segment.flushedPosition, "not forced by the append");

        log.doMaintenance(10_500);
        assertEquals(0, segment.flushedPosition, "not forced before the interval");
        log.doMaintenance(11_000);
        assertEquals(segment.endPosition(), segment.flushedPosition, "forced once the interval passed");
    }

    @Test
    void shouldLeaveWriteBackToTheKernelUntilCloseWhenFlushPolicyIsNone()
    {
        open(SMALL);
        batches.append(log, 0, 3, 0);
        final LogSegment segment = log.activeSegmentForTest();
        log.doMaintenance(Long.MAX_VALUE / 2);
        assertEquals(0, segment.flushedPosition);
        final int end = segment.endPosition();
        log.close();
        log = null;
        assertEquals(end, segment.flushedPosition, "a clean close forces everything");
    }

    @Test
    void shouldRefuseAnUnknownFlushPolicyNamingTheKey()
    {
        final LogConfigException ex = assertThrows(LogConfigException.class,
            () -> LogConfig.defaults().with(LogConfig.FLUSH_POLICY, "sometimes"));
        assertTrue(ex.getMessage().contains("flush.policy"), ex.getMessage());
    }

    private static final LogConfig LARGE = LogConfig.defaults()
        .with(LogConfig.SEGMENT_BYTES, 8 * 1024 * 1024)
        .with(LogConfig.PRETOUCH_BYTES, 0);

    private long fileLength(final long baseOffset, final String suffix)
    {
        return new File(log.directory(), LogSegment.fileName(baseOffset, suffix)).length();
    }

    /**
     * Appends batches of 100 records until the log has {@code segments} segments.
     *
     * @return the next offset.
     */
    private long appendUntilSegments(final long from, final int segments)
    {
        long next = from;
        while (log.segmentCount() < segments)
        {
            assertEquals(next, batches.append(log, next, 100, 1000 + next));
            next += 100;
        }
        return next;
    }

    @Test
    void shouldOpenANewLogWithAStarterSegmentThenRollIntoAPreparedFullOne()
    {
        open(LARGE);
        assertEquals(PartitionLog.STARTER_SEGMENT_BYTES, fileLength(0, LogSegment.LOG_SUFFIX));
        assertEquals(PartitionLog.STARTER_INDEX_ENTRIES * OffsetIndex.ENTRY_LENGTH,
            fileLength(0, LogSegment.INDEX_SUFFIX));
        assertEquals(PartitionLog.STARTER_INDEX_ENTRIES * TimeIndex.ENTRY_LENGTH,
            fileLength(0, LogSegment.TIME_INDEX_SUFFIX));

        while (!log.isNextSegmentPrepared())
        {
            log.doMaintenance(0);
        }
        final long next = appendUntilSegments(0, 2);
        assertEquals(8 * 1024 * 1024, fileLength(secondBaseOffset(), LogSegment.LOG_SUFFIX),
            "the prepared, full-size segment");
        assertEquals(values(0, next), TestBatches.readAll(log, 0));
    }

    @Test
    void shouldRollIntoAnotherStarterSegmentWhenNoneIsPrepared()
    {
        open(LARGE);
        final long next = appendUntilSegments(0, 2);
        assertEquals(PartitionLog.STARTER_SEGMENT_BYTES, fileLength(secondBaseOffset(), LogSegment.LOG_SUFFIX));
        assertEquals(values(0, next), TestBatches.readAll(log, 0));
    }

    @Test
    void shouldKeepAStarterSegmentItsSizeWhenTheLogIsRecovered()
    {
        open(LARGE);
        for (int i = 0; i < 10; i++)
        {
            batches.append(log, i * 100L, 100, 1000);
        }
        log.close();
        open(LARGE);
        assertEquals(1000, log.logEndOffset());
        assertEquals(PartitionLog.STARTER_SEGMENT_BYTES, fileLength(0, LogSegment.LOG_SUFFIX));
        final long next = appendUntilSegments(1000, 2);
        assertEquals(values(0, next), TestBatches.readAll(log, 0));
    }

    @Test
    void shouldPromoteThePreparedSegmentOverAnEmptyStarterOnly()
    {
        open(LARGE);
        assertFalse(log.promotePreparedSegment(), "nothing prepared yet");
        while (!log.isNextSegmentPrepared())
        {
            log.doMaintenance(0);
        }
        assertTrue(log.promotePreparedSegment());
        assertFalse(log.isNextSegmentPrepared());
        assertEquals(8 * 1024 * 1024, fileLength(0, LogSegment.LOG_SUFFIX));
        assertEquals(1, log.segmentCount());
        assertFalse(log.promotePreparedSegment(), "not a starter any more");

        for (int i = 0; i < 100; i++)
        {
            assertEquals(i * 100L, batches.append(log, i * 100L, 100, 1000));
        }
        assertEquals(1, log.segmentCount(), "no roll after the starter's megabyte");
        log.doMaintenance(0);
        log.close();
        open(LARGE);
        assertEquals(values(0, 10_000), TestBatches.readAll(log, 0));
        assertEquals(8 * 1024 * 1024, fileLength(0, LogSegment.LOG_SUFFIX));

        log.close();
        log = PartitionLog.open("t", 1, new File(dir, "t-1"), LARGE, clock);
        batches.append(log, 0, 1, 1000);
        while (!log.isNextSegmentPrepared())
        {
            log.doMaintenance(0);
        }
        assertFalse(log.promotePreparedSegment(), "the starter holds data");
    }

    @Test
    void shouldMakeTheStarterSegmentLargeEnoughForTheLargestBatch()
    {
        open(LARGE.with(LogConfig.MAX_MESSAGE_BYTES, 3 * 1024 * 1024));
        assertEquals(3 * 1024 * 1024, fileLength(0, LogSegment.LOG_SUFFIX));
        log.close();
        log = PartitionLog.open("t", 1, new File(dir, "t-1"), SMALL, clock);
        assertEquals(64 * 1024, fileLength(0, LogSegment.LOG_SUFFIX), "never larger than segment.bytes");
    }

    private long secondBaseOffset()
    {
        final String[] names = log.directory().list((dir, name) -> name.endsWith(LogSegment.LOG_SUFFIX) &&
            !name.startsWith(PartitionLog.PREPARED_PREFIX) && !name.equals(LogSegment.fileName(0, LogSegment.LOG_SUFFIX)));
        assertNotNull(names);
        assertEquals(1, names.length, List.of(names).toString());
        return Long.parseLong(names[0].substring(0, names[0].indexOf('.')));
    }
}
