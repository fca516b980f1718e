package io.sluice.engine;

import io.sluice.codecs.RecordBatchDescriptor;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The follower's side of a partition log: appending a leader's batches as they are, and truncating.
 */
class PartitionLogFollowerTest
{
    private static final LogConfig SMALL = LogConfig.defaults()
        .with(LogConfig.SEGMENT_BYTES, 64 * 1024)
        .with(LogConfig.SEGMENT_INDEX_BYTES, 4096)
        .with(LogConfig.INDEX_INTERVAL_BYTES, 256)
        .with(LogConfig.MAX_MESSAGE_BYTES, 16 * 1024)
        .with(LogConfig.PRETOUCH_BYTES, 0);

    @TempDir
    File dir;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final TestBatches batches = new TestBatches();
    private final UnsafeBuffer copy = new UnsafeBuffer(ByteBuffer.allocateDirect(256 * 1024));
    private PartitionLog leader;
    private PartitionLog follower;

    @AfterEach
    void after()
    {
        if (null != leader)
        {
            leader.close();
        }
        if (null != follower)
        {
            follower.close();
        }
    }

    /** Records per batch: enough for several 64 KiB segments from a few dozen batches. */
    private static final int R = 100;

    private PartitionLog open(final String name)
    {
        return PartitionLog.open("t", 0, new File(dir, name), SMALL, clock);
    }

    private static List<String> values(final long from, final long to)
    {
        return LongStream.range(from, to).mapToObj((i) -> "v-" + i).collect(Collectors.toList());
    }

    /**
     * Copy the leader's log from {@code from} to its end into the follower, one read (one or more batches) at a time,
     * as replication does.
     */
    private long replicate(final long from)
    {
        long next = from;
        long followerEnd = follower.logEndOffset();
        try (LogReadResult result = new LogReadResult())
        {
            while (leader.read(next, 8 * 1024, result) == LogReadResult.OK)
            {
                result.buffer().getBytes(0, copy, 0, result.length());
                followerEnd = follower.appendAsFollower(copy, 0, result.length());
                assertTrue(followerEnd >= 0, () -> "follower append failed: " + result);
                next = result.nextOffset();
            }
        }
        return followerEnd;
    }

    @Test
    void shouldKeepTheLeadersOffsetsAndEpochsAcrossSegmentsAndARestart()
    {
        leader = open("leader");
        follower = open("follower");
        for (int i = 0; i < 40; i++)
        {
            if (i == 15)
            {
                leader.leaderEpoch(3);
            }
            if (i == 30)
            {
                leader.leaderEpoch(5);
            }
            assertEquals(i * R, batches.append(leader, i * R, R, 1000 + i));
        }
        assertTrue(leader.segmentCount() > 1, "the test needs several segments");

        assertEquals(40 * R, replicate(0));
        assertEquals(40 * R, follower.logEndOffset());
        assertEquals(values(0, 40 * R), TestBatches.readAll(follower, 0));
        assertEquals(5, follower.leaderEpoch());
        assertEquals(leader.segmentCount(), follower.segmentCount());
        for (final int epoch : new int[]{ 0, 2, 3, 4, 5, 9 })
        {
            assertEquals(leader.epochAtOrBelow(epoch), follower.epochAtOrBelow(epoch), "epoch " + epoch);
            assertEquals(leader.endOffsetForEpoch(epoch), follower.endOffsetForEpoch(epoch), "end of epoch " + epoch);
        }
        assertEquals(leader.offsetForTimestamp(1020), follower.offsetForTimestamp(1020));

        follower.close();
        follower = open("follower"); // recovery checks every batch's epoch against the follower's checkpoint
        assertEquals(40 * R, follower.logEndOffset());
        assertEquals(values(0, 40 * R), TestBatches.readAll(follower, 0));
        assertEquals(30 * R, follower.endOffsetForEpoch(3));
    }

    @Test
    void shouldRefuseABadBatchAndWriteNothingOfItsMessage()
    {
        follower = open("follower");
        final int length = batches.batch(0, 3, 1000);
        batches.buffer.getBytes(0, copy, 0, length);
        RecordBatchDescriptor.assignOffsets(copy, 0, 0, 2);
        final int second = batches.batch(3, 2, 1000);
        batches.buffer.getBytes(0, copy, length, second);
        RecordBatchDescriptor.assignOffsets(copy, length, 4, 2); // a gap: offset 3 is missing

        assertEquals(PartitionLog.NOT_CONTIGUOUS, follower.appendAsFollower(copy, 0, length + second));
        assertEquals(0, follower.logEndOffset(), "the first, good batch of the message is not written either");

        RecordBatchDescriptor.assignOffsets(copy, length, 3, 1); // epoch 1 after epoch 2
        assertEquals(PartitionLog.EPOCH_REGRESSION, follower.appendAsFollower(copy, 0, length + second));
        assertEquals(0, follower.logEndOffset());

        RecordBatchDescriptor.assignOffsets(copy, length, 3, 2);
        copy.putByte(length + second - 1, (byte)(copy.getByte(length + second - 1) ^ 1)); // CRC no longer matches
        assertTrue(follower.appendAsFollower(copy, 0, length + second) < 0);
        assertEquals(0, follower.logEndOffset());

        RecordBatchDescriptor.assignOffsets(copy, 0, 1, 2); // not at the log end
        assertEquals(PartitionLog.NOT_CONTIGUOUS, follower.appendAsFollower(copy, 0, length));
        RecordBatchDescriptor.assignOffsets(copy, 0, 0, 2);
        assertEquals(3, follower.appendAsFollower(copy, 0, length));
        assertEquals(values(0, 3), TestBatches.readAll(follower, 0));
        assertEquals(2, follower.leaderEpoch());
    }

    @Test
    void shouldTruncateAcrossSegmentsAndTakeTheNewLeadersBatches()
    {
        leader = open("leader");
        follower = open("follower");
        for (int i = 0; i < 30; i++)
        {
            batches.append(leader, i * R, R, 1000 + i);
        }
        replicate(0);
        follower.leaderEpoch(1); // the follower led epoch 1 and wrote records no one else has
        for (int i = 30; i < 40; i++)
        {
            batches.append(follower, 100 * R + i, R, 1000 + i);
        }
        final int segmentsBefore = follower.segmentCount();

        // The new leader (epoch 2) says epoch 0 ended at 15 * R + 50: inside the 16th batch, which goes too.
        assertEquals(15 * R, follower.truncateTo(15 * R + 50));
        assertEquals(15 * R, follower.logEndOffset());
        assertTrue(follower.segmentCount() < segmentsBefore, "later segments are deleted");
        assertEquals(0, follower.leaderEpoch(), "epoch 1 started after the new end");
        assertEquals(15 * R, follower.endOffsetForEpoch(0));
        assertEquals(values(0, 15 * R), TestBatches.readAll(follower, 0));
        assertEquals(-1, follower.offsetForTimestamp(1015 + R), "the time index forgot the removed batches");

        leader.leaderEpoch(2);
        for (int i = 30; i < 35; i++)
        {
            batches.append(leader, i * R, R, 5000 + i);
        }
        assertEquals(35 * R, replicate(15 * R));
        assertEquals(values(0, 35 * R), TestBatches.readAll(follower, 0));
        assertEquals(30 * R, follower.offsetForTimestamp(5030));
        assertEquals(2, follower.leaderEpoch());

        follower.close();
        follower = open("follower");
        assertEquals(values(0, 35 * R), TestBatches.readAll(follower, 0));
        assertEquals(30 * R, follower.endOffsetForEpoch(0));
        assertEquals(35 * R, follower.endOffsetForEpoch(2));
        final String[] leftovers = new File(dir, "follower").list((d, name) -> name.endsWith(LogSegment.DELETED_SUFFIX));
        assertEquals(0, null == leftovers ? 0 : leftovers.length);
    }

    @Test
    void shouldRebuildProducerStatesSoARemovedBatchIsAppendedAgainOnRetry()
    {
        follower = open("follower");
        for (int i = 0; i < 3; i++)
        {
            final int length = batches.idempotentBatch(i * 2L, 2, 7, (short)0, i * 2);
            assertEquals(i * 2L, follower.append(batches.buffer, 0, length));
        }
        assertEquals(4, follower.truncateTo(4)); // the third batch (sequences 4-5) is gone

        int length = batches.idempotentBatch(4, 2, 7, (short)0, 4);
        assertEquals(4, follower.append(batches.buffer, 0, length), "the retry is appended, not a duplicate");
        length = batches.idempotentBatch(2, 2, 7, (short)0, 2);
        assertEquals(2, follower.append(batches.buffer, 0, length), "a kept batch is still a duplicate");
        assertEquals(6, follower.logEndOffset());
    }

    @Test
    void shouldRecordTheProducersOfReplicatedBatches()
    {
        leader = open("leader");
        follower = open("follower");
        final int length = batches.idempotentBatch(0, 2, 9, (short)1, 0);
        assertEquals(0, leader.append(batches.buffer, 0, length));
        replicate(0);

        // The follower becomes leader; the producer retries the batch it never saw acknowledged.
        follower.leaderEpoch(1);
        assertEquals(0, follower.append(batches.buffer, 0, batches.idempotentBatch(0, 2, 9, (short)1, 0)));
        assertEquals(2, follower.logEndOffset(), "the retry was a duplicate");
    }

    @Test
    void shouldDropAnEpochItLedWithoutRecordsWhenTheLeaderSaysSo()
    {
        leader = open("leader");
        follower = open("follower");
        for (int i = 0; i < 3; i++)
        {
            batches.append(leader, i * 4L, 4, 1000);
        }
        replicate(0);
        follower.leaderEpoch(5); // led epoch 5 briefly, wrote nothing
        for (int i = 3; i < 5; i++)
        {
            batches.append(leader, i * 4L, 4, 1000); // the old leader's epoch-0 records the follower lacked
        }
        leader.leaderEpoch(6);

        assertEquals(12, follower.truncateTo(leader.endOffsetForEpoch(follower.epochAtOrBelow(5))));
        assertEquals(0, follower.leaderEpoch());
        assertEquals(20, replicate(12), "epoch 0 batches are accepted again");
    }

    @Test
    void shouldEmptyTheLogAndStartAgainAtAnOffset()
    {
        follower = open("follower");
        batches.append(follower, 0, 4, 1000);
        follower.truncateFullyAndStartAt(100);
        assertEquals(100, follower.logStartOffset());
        assertEquals(100, follower.logEndOffset());
        assertEquals(-1, follower.epochAtOrBelow(0));

        final int length = batches.batch(100, 3, 1000);
        batches.buffer.getBytes(0, copy, 0, length);
        RecordBatchDescriptor.assignOffsets(copy, 0, 100, 4);
        assertEquals(103, follower.appendAsFollower(copy, 0, length));

        follower.close();
        follower = open("follower");
        assertEquals(100, follower.logStartOffset());
        assertEquals(values(100, 103), TestBatches.readAll(follower, 100));
        assertEquals(4, follower.epochAtOrBelow(9));
        assertThrows(IllegalArgumentException.class, () -> follower.truncateTo(50));
    }

    /**
     * The new start can be the base offset of a segment the log has (a follower whose log start, moved by retention,
     * is where the leader's log starts): the fresh segment takes that segment's file names, and the old one's
     * retirement must not rename or delete the fresh one's files.
     */
    @Test
    void shouldKeepWhatIsAppendedAfterStartingAgainAtTheBaseOfAnExistingSegment()
    {
        follower = open("follower");
        batches.append(follower, 0, 4, 1000);
        follower.truncateFullyAndStartAt(0);
        follower.doMaintenance(0);

        final int length = batches.batch(0, 3, 1000);
        batches.buffer.getBytes(0, copy, 0, length);
        RecordBatchDescriptor.assignOffsets(copy, 0, 0, 2);
        assertEquals(3, follower.appendAsFollower(copy, 0, length));
        follower.doMaintenance(0);

        follower.close();
        follower = open("follower");
        assertEquals(3, follower.logEndOffset());
        assertEquals(values(0, 3), TestBatches.readAll(follower, 0));
    }
}
