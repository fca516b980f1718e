package io.sluice.engine;

import io.sluice.codecs.RecordBatchDescriptor;
import io.sluice.codecs.RecordBatchView;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The log of one partition: an ordered sequence of {@link LogSegment}s in the directory {@code <topic>-<partition>},
 * offsets assigned at append.
 * <h2>Threads</h2>
 * <ul>
 *   <li>Exactly one <b>writer</b> thread calls {@link #append} (or {@link #tryClaim}, {@link #commit},
 *   {@link #abort}), {@link #leaderEpoch(int)} and rolls segments. It takes no lock except the short segment-list
 *   lock when it rolls.</li>
 *   <li>Any number of <b>reader</b> threads call {@link #read}, {@link #offsetForTimestamp},
 *   {@link #logStartOffset()} and {@link #logEndOffset()} without locks. They see a batch only after the writer has
 *   published it (release store of the segment end and log end offset), so a half-written batch is never
 *   visible.</li>
 *   <li>The {@link LogManager}'s <b>maintenance</b> thread prepares the next segment, touches pages ahead of the
 *   writer, flushes, enforces retention and unmaps retired segments once no reader pins them.</li>
 * </ul>
 * {@link #close()} and deletion require the writer to have stopped appending to this log.
 * <h2>Recovery</h2>
 * Opening a log scans every segment and verifies every batch (bounds, CRC32C, record structure, offset contiguity
 * and leader epoch against the leader-epoch checkpoint). At the first torn or corrupt batch the log is truncated:
 * the rest of that segment is zeroed and later segments are deleted. Indexes are rebuilt by the scan.
 */
public final class PartitionLog implements AutoCloseable
{
    /** Append refused: the batch is larger than {@code max.message.bytes}. */
    public static final long RECORD_TOO_LARGE = -20;
    /** Append refused: the batch's offset deltas are not 0 .. recordCount - 1 (a producer batch has no gaps). */
    public static final long INVALID_OFFSET_DELTAS = -21;
    /** Append refused: the device is full; nothing was written, retry when space returns. */
    public static final long STORAGE_FULL = -22;
    /** Append refused: a segment file could not be created; nothing was written. */
    public static final long STORAGE_ERROR = -23;
    /** Append refused: the log is closed or deleted. */
    public static final long LOG_CLOSED = -24;
    /**
     * Append refused: the batch of an idempotent producer is neither the next in its sequence nor a duplicate of a
     * recent one, or has an older producer epoch (see {@link ProducerStates}).
     */
    public static final long OUT_OF_ORDER_SEQUENCE = -25;
    /** Follower append refused: a batch does not start at the log end offset (or the next batch's offset). */
    public static final long NOT_CONTIGUOUS = -26;
    /** Follower append refused: a batch's leader epoch is older than the log's latest epoch. */
    public static final long EPOCH_REGRESSION = -27;

    static final String PREPARED_PREFIX = "prepared-segment";
    /**
     * Log bytes of a starter segment: one the writer's thread creates itself (a new log's first segment, the segment
     * after a full truncation, a roll that found no prepared segment), unless {@code max.message.bytes} asks for
     * more or {@code segment.bytes} for less. Zero-filling a whole segment there stalled a broker's agent for over
     * 10 s on a busy disk; a starter costs 1 MiB, and the writer rolls into a full prepared segment once it is full.
     */
    static final int STARTER_SEGMENT_BYTES = 1024 * 1024;
    /** Index entries of a starter segment: 256 cover its megabyte at the default index interval. */
    static final int STARTER_INDEX_ENTRIES = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);
    private static final int PAGE_SIZE = 4096;
    private static final int MAX_READ_ATTEMPTS = 1000;
    private static final int PREPARE_BUDGET_BYTES = 2 * 1024 * 1024;
    private static final int PRETOUCH_BUDGET_PAGES = 1024;
    private static final LogSegment[] NO_SEGMENTS = new LogSegment[0];
    private static final ThreadLocal<RecordBatchView> TIMESTAMP_VIEW = ThreadLocal.withInitial(RecordBatchView::new);
    private static final VarHandle LOG_END_OFFSET;

    static
    {
        try
        {
            LOG_END_OFFSET = MethodHandles.lookup().findVarHandle(PartitionLog.class, "logEndOffset", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String topic;
    private final int partition;
    private final File directory;
    private final LogConfig config;
    private final EpochClock clock;
    private final LeaderEpochCache epochCache;
    /** Guards changes to the segment list: the writer's roll against retention. Readers never take it. */
    private final Object segmentsLock = new Object();
    /** Serialises maintenance steps against close and delete, which unmap what maintenance touches. */
    private final Object maintenanceLock = new Object();
    private final AtomicReference<PreparedSegment> prepared = new AtomicReference<>();
    private final List<LogSegment> retired = new ArrayList<>();
    private final ProducerStates producerStates = new ProducerStates();
    /** Compacts the sealed segments when cleanup.policy includes compact; null otherwise. */
    private final LogCleaner cleaner;

    private volatile LogSegment[] segments;
    /**
     * Changes to the segment list other than a roll's append, or to a sealed segment's data (truncation, retention,
     * a full truncation, a cleaner's swap), so a cleaning pass knows its segments are as it found them. Under the
     * maintenance lock.
     */
    private int segmentChanges;
    private volatile long logStartOffset;
    /** Segments wholly below this offset may go, whatever retention says: see {@link #deleteRecordsBefore}. */
    private volatile long deleteBeforeOffset;
    @SuppressWarnings("unused")
    private volatile long logEndOffset;
    private volatile boolean closed;
    private long lastFlushMs;
    private long preparedSequence;
    private volatile PreparedSegment preparing;
    private long nextPrepareAttemptMs;

    // writer thread state
    private LogSegment active;
    private long nextOffset;
    private int leaderEpoch;
    private int claimLength;
    private final int maxMessageBytes;
    private final int indexIntervalBytes;
    private final long segmentMs;
    private final boolean flushAlways;

    private PartitionLog(
        final String topic,
        final int partition,
        final File directory,
        final LogConfig config,
        final EpochClock clock,
        final LeaderEpochCache epochCache)
    {
        this.topic = topic;
        this.partition = partition;
        this.directory = directory;
        this.config = config;
        this.clock = clock;
        this.epochCache = epochCache;
        this.maxMessageBytes = Math.min(config.maxMessageBytes(), config.segmentBytes());
        this.indexIntervalBytes = config.indexIntervalBytes();
        this.segmentMs = config.segmentMs();
        this.flushAlways = config.flushPolicy() == FlushPolicy.ALWAYS;
        this.cleaner = config.compact() ? new LogCleaner(this, config) : null;
    }

    /**
     * Open the log in {@code directory}, creating it if empty, and recover it.
     *
     * @param topic     of the partition.
     * @param partition number.
     * @param directory of the partition; created if missing.
     * @param config    of the log.
     * @param clock     for segment age and retention.
     * @return the open log.
     * @throws LogStorageException if the directory or its files cannot be used.
     */
    public static PartitionLog open(
        final String topic, final int partition, final File directory, final LogConfig config, final EpochClock clock)
    {
        if (!directory.isDirectory() && !directory.mkdirs())
        {
            throw new LogStorageException("cannot create partition directory " + directory);
        }
        final LeaderEpochCache loadedCache = LeaderEpochCache.load(directory);
        final boolean rebuildEpochs = null == loadedCache;
        final LeaderEpochCache cache = rebuildEpochs ? LeaderEpochCache.empty(directory) : loadedCache;
        final PartitionLog log = new PartitionLog(topic, partition, directory, config, clock, cache);
        log.recover(rebuildEpochs);
        return log;
    }

    /** @return the topic. */
    public String topic()
    {
        return topic;
    }

    /** @return the partition number. */
    public int partition()
    {
        return partition;
    }

    /** @return the partition directory. */
    public File directory()
    {
        return directory;
    }

    /** @return the configuration. */
    public LogConfig config()
    {
        return config;
    }

    /**
     * First offset still in the log; advanced by retention. Any thread.
     *
     * @return the log start offset.
     */
    public long logStartOffset()
    {
        return logStartOffset;
    }

    /**
     * Let maintenance delete every segment whose records all lie below {@code offset}, as retention deletes
     * segments (Kafka's {@code deleteRecords}, at segment granularity): the log start offset moves to the base of
     * the first segment kept, which is at most {@code offset}; the active segment is never deleted. Any thread; a
     * lower offset than asked before is ignored.
     *
     * @param offset records below it are no longer needed.
     */
    public void deleteRecordsBefore(final long offset)
    {
        if (offset > deleteBeforeOffset)
        {
            deleteBeforeOffset = offset;
        }
    }

    /**
     * Offset the next append will get; every offset below it is readable. Any thread.
     *
     * @return the log end offset.
     */
    public long logEndOffset()
    {
        return (long)LOG_END_OFFSET.getAcquire(this);
    }

    /**
     * Bytes of data held by the log's segments (not their preallocated size). Any thread.
     *
     * @return the data size in bytes.
     */
    public long sizeInBytes()
    {
        long size = 0;
        for (final LogSegment segment : segments)
        {
            size += segment.endPosition();
        }
        return size;
    }

    /**
     * Number of segments. Any thread.
     *
     * @return the segment count.
     */
    public int segmentCount()
    {
        return segments.length;
    }

    /**
     * Whether the next segment is prepared, so that a roll now costs three renames rather than allocating a segment
     * on the writer thread. The maintenance thread prepares one after open and after every roll. Any thread.
     *
     * @return true if a prepared segment is ready.
     */
    public boolean isNextSegmentPrepared()
    {
        return null != prepared.get();
    }

    /**
     * Replace an empty starter segment with the prepared one, so that a log set up ahead of latency-sensitive
     * appends (a benchmark, a trading day) appends into a full, pretouched segment from its first record rather
     * than rolling after the starter's megabyte. The maintenance thread then prepares the next segment: wait for
     * {@link #isNextSegmentPrepared()} again before appending, or that zero-filling runs beside the appends. Writer
     * thread, with no claim open.
     *
     * @return true if the prepared segment is now the active one; false if the active segment holds data, is not a
     * starter, or no segment is prepared yet.
     * @throws LogStorageException if the prepared segment cannot be renamed into place; the log is unchanged.
     */
    public boolean promotePreparedSegment()
    {
        if (claimLength > 0)
        {
            throw new IllegalStateException("a claim is open: commit or abort it first");
        }
        final LogSegment starter = active;
        if (0 != starter.endPositionPlain() || starter.capacity() >= config.segmentBytes())
        {
            return false;
        }
        synchronized (maintenanceLock)
        {
            final PreparedSegment spare = prepared.get();
            if (closed || null == spare || !prepared.compareAndSet(spare, null))
            {
                return false;
            }
            starter.markDeleted(); // before the prepared files take its names
            final LogSegment promoted;
            try
            {
                promoted = spare.activate(directory, starter.baseOffset, clock.time());
            }
            catch (final LogStorageException ex)
            {
                starter.unmarkDeleted();
                spare.delete();
                throw ex;
            }
            synchronized (segmentsLock)
            {
                final LogSegment[] updated = segments.clone();
                updated[updated.length - 1] = promoted;
                segments = updated;
            }
            active = promoted;
            starter.retire();
            retired.add(starter);
            return true;
        }
    }

    /**
     * Leader epoch stamped on appended batches. Writer thread.
     *
     * @return the current leader epoch.
     */
    public int leaderEpoch()
    {
        return leaderEpoch;
    }

    /**
     * Start a new leader epoch at the log end offset; checkpointed before it returns. Writer thread.
     *
     * @param epoch larger than the current epoch.
     * @throws IllegalArgumentException if the epoch does not increase.
     */
    public void leaderEpoch(final int epoch)
    {
        if (epoch <= leaderEpoch)
        {
            throw new IllegalArgumentException("leader epoch " + epoch + " <= current " + leaderEpoch);
        }
        epochCache.add(epoch, nextOffset);
        epochCache.persist();
        leaderEpoch = epoch;
    }

    /**
     * The largest leader epoch of this log at or below {@code epoch}: with {@link #endOffsetForEpoch(int)}, what a
     * leader answers a follower that last fetched in {@code epoch} (Kafka's {@code OffsetsForLeaderEpoch}). Writer
     * thread.
     *
     * @param epoch the follower's epoch.
     * @return the epoch, or -1 if this log has no epoch that early.
     */
    public int epochAtOrBelow(final int epoch)
    {
        return epochCache.epochAtOrBelow(epoch);
    }

    /**
     * Where {@link #epochAtOrBelow(int)}'s epoch ends in this log: the first offset of the next later epoch, or the
     * log end offset if it is the latest. A follower whose log goes past it under that epoch has records this log
     * never had, and truncates to it. Writer thread.
     *
     * @param epoch the follower's epoch.
     * @return the end offset, or -1 if this log has no epoch that early.
     */
    public long endOffsetForEpoch(final int epoch)
    {
        return epochCache.endOffsetFor(epoch, nextOffset);
    }

    /**
     * Append one batch, assigning its offsets. The batch is verified first (bounds, CRC32C, records); a batch
     * that fails is refused and nothing is written. Writer thread only; allocation-free.
     *
     * @param buffer holding the batch.
     * @param offset of the batch in the buffer.
     * @param length of the batch: exactly its batch length.
     * A batch of an idempotent producer (producer id 0 or more) is checked against the partition's
     * {@link ProducerStates}: a retry of one of the producer's last batches is not appended again and returns the
     * base offset the original got.
     *
     * @return the base offset assigned (or, for a duplicate, assigned before), or a negative code: one of
     * {@link RecordBatchDescriptor}'s verify errors, {@link #RECORD_TOO_LARGE} (over {@code max.message.bytes} or
     * {@code segment.bytes}), {@link #INVALID_OFFSET_DELTAS}, {@link #OUT_OF_ORDER_SEQUENCE}, {@link #STORAGE_FULL},
     * {@link #STORAGE_ERROR} or {@link #LOG_CLOSED}.
     */
    public long append(final DirectBuffer buffer, final int offset, final int length)
    {
        if (closed)
        {
            return LOG_CLOSED;
        }
        if (length > maxMessageBytes)
        {
            return RECORD_TOO_LARGE;
        }
        final int verified = RecordBatchDescriptor.verify(buffer, offset, length, maxMessageBytes);
        if (verified != length)
        {
            return verified < 0 ? verified : RecordBatchDescriptor.BAD_LENGTH;
        }
        if (RecordBatchDescriptor.lastOffsetDelta(buffer, offset) != RecordBatchDescriptor.recordCount(buffer, offset) - 1)
        {
            return INVALID_OFFSET_DELTAS;
        }
        if (claimLength > 0)
        {
            throw new IllegalStateException("a claim is open: commit or abort it first");
        }
        final long producerId = RecordBatchDescriptor.producerId(buffer, offset);
        if (producerId >= 0)
        {
            final long state = producerStates.check(producerId, RecordBatchDescriptor.producerEpoch(buffer, offset),
                RecordBatchDescriptor.baseSequence(buffer, offset), RecordBatchDescriptor.recordCount(buffer, offset));
            if (state >= 0)
            {
                return state; // a retry of a batch already appended: answered with its offset, not appended again
            }
            if (state == ProducerStates.OUT_OF_ORDER)
            {
                return OUT_OF_ORDER_SEQUENCE;
            }
        }

        final long rollResult = rollIfNeeded(length);
        if (rollResult < 0)
        {
            return rollResult;
        }
        final LogSegment segment = active;
        final int position = segment.endPositionPlain();
        segment.buffer.putBytes(position, buffer, offset, length);
        final long baseOffset = publish(segment, position, length);
        if (producerId >= 0 && baseOffset >= 0)
        {
            recordProducer(buffer, offset, baseOffset);
        }
        return baseOffset;
    }

    private void recordProducer(final DirectBuffer batch, final int offset, final long baseOffset)
    {
        // Sequences follow offset deltas: a batch compaction filtered has fewer records but the same last sequence.
        producerStates.record(RecordBatchDescriptor.producerId(batch, offset),
            RecordBatchDescriptor.producerEpoch(batch, offset), RecordBatchDescriptor.baseSequence(batch, offset),
            RecordBatchDescriptor.lastOffsetDelta(batch, offset) + 1, baseOffset);
    }

    /**
     * Claim up to {@code maxLength} bytes at the end of the log to encode one batch in place, saving the copy and
     * the CRC check of {@link #append}: wrap a {@code RecordBatchBuilder} over {@link LogClaim#buffer()}, then
     * {@link #commit} or {@link #abort}. For trusted, in-process writers: {@link #commit} checks the framing but not
     * the CRC, which the builder computed and recovery checks. Nothing is visible to readers before the commit.
     * Writer thread only; allocation-free.
     *
     * @param maxLength largest batch that will be encoded, at least {@code RecordBatchDescriptor.MIN_BATCH_LENGTH}.
     * @param claim     wrapped over the claimed bytes.
     * @return the base offset the batch will get, or {@link #RECORD_TOO_LARGE}, {@link #STORAGE_FULL},
     * {@link #STORAGE_ERROR} or {@link #LOG_CLOSED}.
     */
    public long tryClaim(final int maxLength, final LogClaim claim)
    {
        if (claimLength > 0)
        {
            throw new IllegalStateException("a claim is open: commit or abort it first");
        }
        if (maxLength < RecordBatchDescriptor.MIN_BATCH_LENGTH)
        {
            throw new IllegalArgumentException(
                "maxLength " + maxLength + " < " + RecordBatchDescriptor.MIN_BATCH_LENGTH);
        }
        if (closed)
        {
            return LOG_CLOSED;
        }
        if (maxLength > maxMessageBytes)
        {
            return RECORD_TOO_LARGE;
        }
        final long rollResult = rollIfNeeded(maxLength);
        if (rollResult < 0)
        {
            return rollResult;
        }
        claim.wrap(active.buffer, active.endPositionPlain(), maxLength);
        claimLength = maxLength;
        return nextOffset;
    }

    /**
     * Publish the batch encoded in a claim, assigning its offsets.
     *
     * @param claim  from {@link #tryClaim}.
     * @param length of the batch encoded at the start of the claim.
     * @return the base offset, or a negative {@code RecordBatchDescriptor} framing error or
     * {@link #INVALID_OFFSET_DELTAS}, in which case the claim is aborted and nothing is published.
     */
    public long commit(final LogClaim claim, final int length)
    {
        if (claimLength <= 0)
        {
            throw new IllegalStateException("no claim is open");
        }
        final LogSegment segment = active;
        final int position = segment.endPositionPlain();
        final UnsafeBuffer log = segment.buffer;
        final int verified = RecordBatchDescriptor.verifyHeader(log, position, Math.min(length, claimLength), length);
        if (verified != length)
        {
            abort(claim);
            return verified < 0 ? verified : RecordBatchDescriptor.BAD_LENGTH;
        }
        if (RecordBatchDescriptor.lastOffsetDelta(log, position) != RecordBatchDescriptor.recordCount(log, position) - 1)
        {
            abort(claim);
            return INVALID_OFFSET_DELTAS;
        }
        claimLength = 0;
        claim.release();
        return publish(segment, position, length);
    }

    /**
     * Give a claim back: its bytes are zeroed and nothing is published.
     *
     * @param claim from {@link #tryClaim}.
     */
    public void abort(final LogClaim claim)
    {
        if (claimLength > 0)
        {
            active.buffer.setMemory(active.endPositionPlain(), claimLength, (byte)0);
            claimLength = 0;
        }
        claim.release();
    }

    /**
     * Append batches a leader sent, keeping their offsets and leader epochs (Kafka's {@code appendAsFollower}).
     * The batches are verified first (bounds, CRC32C, records, offsets contiguous from the log end, epochs never
     * decreasing); if any fails, nothing is written. A batch with a later leader epoch starts that epoch in the
     * leader-epoch checkpoint, so a follower's epochs match its leader's. Batches of idempotent producers are
     * recorded in the producer states, so a follower that becomes leader still drops a retried duplicate. Writer
     * thread only; allocation-free.
     *
     * @param buffer holding the batches, back to back.
     * @param offset of the first batch in the buffer.
     * @param length of the batches.
     * @return the new log end offset, or a negative code: one of {@link RecordBatchDescriptor}'s verify errors,
     * {@link #RECORD_TOO_LARGE} (a batch over {@code segment.bytes}), {@link #INVALID_OFFSET_DELTAS},
     * {@link #NOT_CONTIGUOUS}, {@link #EPOCH_REGRESSION}, {@link #STORAGE_FULL}, {@link #STORAGE_ERROR} or
     * {@link #LOG_CLOSED}.
     */
    public long appendAsFollower(final DirectBuffer buffer, final int offset, final int length)
    {
        if (closed)
        {
            return LOG_CLOSED;
        }
        if (claimLength > 0)
        {
            throw new IllegalStateException("a claim is open: commit or abort it first");
        }
        final int segmentBytes = config.segmentBytes();
        final int end = offset + length;
        long expectedOffset = nextOffset;
        int epoch = Math.max(leaderEpoch, epochCache.latestEpoch());
        int position = offset;
        while (position < end)
        {
            final int batchLength = RecordBatchDescriptor.verify(buffer, position, end - position, segmentBytes);
            if (batchLength < 0)
            {
                return batchLength == RecordBatchDescriptor.BAD_LENGTH &&
                    RecordBatchDescriptor.batchLength(buffer, position) > segmentBytes ? RECORD_TOO_LARGE : batchLength;
            }
            // A compacted leader's batches may have gaps, inside a batch and between batches; offsets still rise.
            final boolean compacted = config.compact();
            final long batchBase = RecordBatchDescriptor.baseOffset(buffer, position);
            if (!compacted && RecordBatchDescriptor.lastOffsetDelta(buffer, position) !=
                RecordBatchDescriptor.recordCount(buffer, position) - 1)
            {
                return INVALID_OFFSET_DELTAS;
            }
            if (compacted ? batchBase < expectedOffset : batchBase != expectedOffset)
            {
                return NOT_CONTIGUOUS;
            }
            final int batchEpoch = RecordBatchDescriptor.leaderEpoch(buffer, position);
            if (batchEpoch < epoch)
            {
                return EPOCH_REGRESSION;
            }
            epoch = batchEpoch;
            expectedOffset = batchBase + RecordBatchDescriptor.lastOffsetDelta(buffer, position) + 1;
            position += batchLength;
        }

        position = offset;
        boolean epochsChanged = false;
        while (position < end)
        {
            final int batchLength = RecordBatchDescriptor.batchLength(buffer, position);
            final long rollResult = rollIfNeeded(batchLength);
            if (rollResult < 0)
            {
                if (epochsChanged)
                {
                    epochCache.persist();
                }
                return rollResult;
            }
            final int batchEpoch = RecordBatchDescriptor.leaderEpoch(buffer, position);
            final long baseOffset = RecordBatchDescriptor.baseOffset(buffer, position);
            if (batchEpoch > leaderEpoch || epochCache.latestEpoch() < 0)
            {
                epochCache.add(batchEpoch, baseOffset);
                leaderEpoch = batchEpoch;
                epochsChanged = true;
            }
            final LogSegment segment = active;
            final int at = segment.endPositionPlain();
            segment.buffer.putBytes(at, buffer, position, batchLength);
            publishAssigned(segment, at, batchLength, baseOffset);
            if (RecordBatchDescriptor.producerId(buffer, position) >= 0)
            {
                recordProducer(buffer, position, baseOffset);
            }
            position += batchLength;
        }
        if (epochsChanged)
        {
            // Before the records count as replicated: recovery checks every batch's epoch against the checkpoint.
            epochCache.persist();
        }
        return nextOffset;
    }

    /**
     * Remove every record at or after {@code offset}, as a follower does when its leader's log diverged from its own
     * (Kafka's {@code truncateTo}). A truncation point inside a batch removes that whole batch. Later segments are
     * deleted, the segment holding the point is cut back and its indexes rebuilt, leader epochs starting at or after
     * the new end are dropped from the checkpoint, and the producer states are rebuilt from the log.
     * <p>
     * Writer thread, with no claim open. Readers must not be reading at or above {@code offset}: a broker reads a
     * partition for consumers only below its high watermark, which a follower never truncates below.
     *
     * @param offset first offset to remove.
     * @return the new log end offset: at most {@code offset}, or the unchanged end if it was already at or below it
     * (then only a leader epoch started at the log end, with no records, is dropped).
     * @throws IllegalArgumentException if {@code offset} is below the log start offset: use
     *                                  {@link #truncateFullyAndStartAt(long)}.
     */
    public long truncateTo(final long offset)
    {
        if (claimLength > 0)
        {
            throw new IllegalStateException("a claim is open: commit or abort it first");
        }
        if (offset >= nextOffset)
        {
            // Nothing to remove but an epoch this log started as leader and never wrote in, which the leader's
            // batches now replace.
            if (epochCache.truncateFrom(nextOffset))
            {
                epochCache.persist();
                leaderEpoch = epochCache.latestEpoch();
            }
            return nextOffset;
        }
        if (offset < logStartOffset)
        {
            throw new IllegalArgumentException(
                "offset " + offset + " is below the log start offset " + logStartOffset + " of " + this);
        }
        synchronized (maintenanceLock)
        {
            if (closed)
            {
                return nextOffset;
            }
            segmentChanges++;
            final LogSegment[] snapshot = segments;
            final int index = floorSegment(snapshot, offset);
            final LogSegment keep = snapshot[index];
            if (index < snapshot.length - 1)
            {
                synchronized (segmentsLock)
                {
                    segments = Arrays.copyOf(snapshot, index + 1);
                }
                for (int i = index + 1; i < snapshot.length; i++)
                {
                    final LogSegment removed = snapshot[i];
                    removed.retire();
                    removed.markDeleted();
                    retired.add(removed);
                }
            }

            final UnsafeBuffer log = keep.buffer;
            final int oldEnd = keep.endPositionPlain();
            int position = 0;
            while (position < oldEnd && lastOffsetAt(log, position) < offset)
            {
                position += RecordBatchDescriptor.batchLength(log, position);
            }
            final long newEnd = position < oldEnd ? RecordBatchDescriptor.baseOffset(log, position) : keep.nextOffset;
            // Publish the shorter log before zeroing what it no longer holds.
            LOG_END_OFFSET.setRelease(this, newEnd);
            keep.publishEnd(position);
            if (oldEnd > position)
            {
                log.setMemory(position, oldEnd - position, (byte)0);
                keep.log.force(position, oldEnd - position);
            }
            keep.flushedPosition = Math.min(keep.flushedPosition, position);
            reindex(keep, position);
            keep.nextOffset = newEnd;
            active = keep;
            nextOffset = newEnd;

            afterTruncation(newEnd);
            LOG.info("{}-{}: truncated to offset {}", topic, partition, newEnd);
            return newEnd;
        }
    }

    /**
     * Delete every record and start the log again, empty, at {@code offset}: what a follower does when its leader no
     * longer holds the follower's log end offset (retention removed it) or when its log is wholly below the leader's
     * start. Leader epochs and producer states are forgotten; the next batches appended bring them back. Writer
     * thread, with no claim open and no reader of this log.
     *
     * @param offset the new log start and end offset, at least 0.
     */
    public void truncateFullyAndStartAt(final long offset)
    {
        if (claimLength > 0)
        {
            throw new IllegalStateException("a claim is open: commit or abort it first");
        }
        if (offset < 0)
        {
            throw new IllegalArgumentException("offset " + offset + " is negative");
        }
        synchronized (maintenanceLock)
        {
            if (closed)
            {
                return;
            }
            // The old segments' files are renamed away first: the fresh segment may take the file names of one of
            // them (a new start at its base offset), and renaming after would rename the fresh one's files.
            segmentChanges++;
            final LogSegment[] old = segments;
            for (int i = 0; i < old.length; i++)
            {
                old[i].markDeleted();
            }
            final LogSegment fresh;
            try
            {
                fresh = createSegment(directory, offset, config, clock.time());
            }
            catch (final LogStorageException ex)
            {
                for (final LogSegment segment : old)
                {
                    segment.unmarkDeleted();
                }
                throw ex;
            }
            synchronized (segmentsLock)
            {
                logStartOffset = offset;
                segments = new LogSegment[]{ fresh };
            }
            for (final LogSegment segment : old)
            {
                segment.retire();
                retired.add(segment);
            }
            active = fresh;
            nextOffset = offset;
            LOG_END_OFFSET.setRelease(this, offset);
            epochCache.truncateFrom(0);
            epochCache.persist();
            leaderEpoch = -1;
            producerStates.clear();
            LOG.info("{}-{}: emptied and restarted at offset {}", topic, partition, offset);
        }
    }

    private void reindex(final LogSegment segment, final int end)
    {
        segment.offsetIndex.reset();
        segment.timeIndex.reset();
        segment.maxTimestamp(Long.MIN_VALUE);
        segment.bytesSinceIndexEntry = 0;
        final UnsafeBuffer log = segment.buffer;
        int position = 0;
        while (position < end)
        {
            final int length = RecordBatchDescriptor.batchLength(log, position);
            indexBatch(segment, position, length, RecordBatchDescriptor.baseOffset(log, position));
            final long maxTimestamp = RecordBatchDescriptor.maxTimestamp(log, position);
            if (maxTimestamp > segment.maxTimestamp())
            {
                segment.maxTimestamp(maxTimestamp);
            }
            position += length;
        }
    }

    private void afterTruncation(final long newEnd)
    {
        epochCache.truncateFrom(newEnd);
        epochCache.persist();
        leaderEpoch = epochCache.latestEpoch();
        producerStates.clear();
        for (final LogSegment segment : segments)
        {
            final UnsafeBuffer log = segment.buffer;
            final int end = segment.endPositionPlain();
            int position = 0;
            while (position < end)
            {
                if (RecordBatchDescriptor.producerId(log, position) >= 0)
                {
                    recordProducer(log, position, RecordBatchDescriptor.baseOffset(log, position));
                }
                position += RecordBatchDescriptor.batchLength(log, position);
            }
        }
    }

    private long rollIfNeeded(final int length)
    {
        final LogSegment segment = active;
        final int position = segment.endPositionPlain();
        if (length > segment.capacity() - position || segment.offsetIndex.isFull() || segment.timeIndex.isFull() ||
            (0 != position && clock.time() - segment.createdMs >= segmentMs))
        {
            return roll();
        }
        return 0;
    }

    /**
     * Assign offsets to the batch now at {@code position} of the active segment, index it and publish it.
     */
    private long publish(final LogSegment segment, final int position, final int length)
    {
        final long baseOffset = nextOffset;
        RecordBatchDescriptor.assignOffsets(segment.buffer, position, baseOffset, leaderEpoch);
        return publishAssigned(segment, position, length, baseOffset);
    }

    /**
     * Index and publish the batch now at {@code position}, whose offsets are already in it.
     */
    private long publishAssigned(final LogSegment segment, final int position, final int length, final long baseOffset)
    {
        final UnsafeBuffer log = segment.buffer;
        indexBatch(segment, position, length, baseOffset);

        // The last offset delta, not the record count: a compacted batch a follower copies may have gaps.
        final long next = baseOffset + RecordBatchDescriptor.lastOffsetDelta(log, position) + 1;
        final long maxTimestamp = RecordBatchDescriptor.maxTimestamp(log, position);
        nextOffset = next;
        segment.nextOffset = next;
        segment.publishEnd(position + length);
        if (maxTimestamp > segment.maxTimestamp())
        {
            segment.maxTimestamp(maxTimestamp);
        }
        LOG_END_OFFSET.setRelease(this, next);

        if (flushAlways)
        {
            segment.log.force(position, length);
            segment.flushedPosition = position + length;
        }
        return baseOffset;
    }

    private void indexBatch(final LogSegment segment, final int position, final int length, final long baseOffset)
    {
        // Recovery may index a sealed segment whose index is smaller than it was built with (segment.index.bytes
        // lowered since): past the end of a full index, lookups scan forward from its last entry.
        if ((0 == position || segment.bytesSinceIndexEntry >= indexIntervalBytes) &&
            !segment.offsetIndex.isFull() && !segment.timeIndex.isFull())
        {
            final int relativeOffset = (int)(baseOffset - segment.baseOffset);
            segment.offsetIndex.append(relativeOffset, position);
            segment.timeIndex.maybeAppend(segment.maxTimestamp(), relativeOffset);
            segment.bytesSinceIndexEntry = 0;
        }
        segment.bytesSinceIndexEntry += length;
    }

    /**
     * Read whole batches from the one holding {@code fetchOffset}, up to {@code maxBytes} (at least one batch, so a
     * reader always makes progress), from one segment. Any thread; lock-free and allocation-free.
     *
     * @param fetchOffset first offset wanted.
     * @param maxBytes    soft limit on bytes returned.
     * @param result      filled with a view of the batches; its previous view is released.
     * @return the status, also in {@link LogReadResult#status()}.
     */
    public int read(final long fetchOffset, final int maxBytes, final LogReadResult result)
    {
        result.release();
        for (int attempt = 0; attempt < MAX_READ_ATTEMPTS; attempt++)
        {
            final long end = logEndOffset();
            final long start = logStartOffset;
            if (closed)
            {
                result.empty(LogReadResult.LOG_CLOSED, start, end);
                return LogReadResult.LOG_CLOSED;
            }
            if (fetchOffset == end)
            {
                result.empty(LogReadResult.NO_DATA, start, end);
                return LogReadResult.NO_DATA;
            }
            if (fetchOffset < start || fetchOffset > end)
            {
                result.empty(LogReadResult.OFFSET_OUT_OF_RANGE, start, end);
                return LogReadResult.OFFSET_OUT_OF_RANGE;
            }

            final LogSegment[] snapshot = segments;
            int index = floorSegment(snapshot, fetchOffset);
            if (index < 0)
            {
                continue;
            }
            LogSegment segment = snapshot[index];
            if (!segment.tryRetain())
            {
                continue;
            }

            int limit = segment.endPosition();
            UnsafeBuffer log = segment.buffer;
            int position = segment.offsetIndex.floorPosition((int)(fetchOffset - segment.baseOffset));
            while (position < limit && lastOffsetAt(log, position) < fetchOffset)
            {
                position += RecordBatchDescriptor.batchLength(log, position);
            }
            // Past the segment's last batch: the offset lies in a gap compaction left; the next batch is further on.
            boolean retained = true;
            while (position >= limit && index + 1 < snapshot.length)
            {
                segment.release();
                segment = snapshot[++index];
                if (!segment.tryRetain())
                {
                    retained = false;
                    break;
                }
                limit = segment.endPosition();
                log = segment.buffer;
                position = 0;
            }
            if (!retained)
            {
                continue;
            }
            if (position >= limit)
            {
                segment.release();
                if (null != cleaner && snapshot == segments)
                {
                    // Nothing at or after the offset but offsets a compaction removed: wait for appends.
                    result.empty(LogReadResult.NO_DATA, start, end);
                    return LogReadResult.NO_DATA;
                }
                continue;
            }

            // Jump through the index to the last indexed batch that still fits, so the walk covers at most one
            // index interval rather than every batch of the read. The segment end is published before the log end
            // offset, so the segment may hold batches at or past the log end read above: stop before them, so the
            // next fetch offset never passes that log end.
            final int first = position;
            int lastBatch = position;
            int next = position + RecordBatchDescriptor.batchLength(log, position);
            final int jump = segment.offsetIndex.lastPositionAtMost((int)Math.min((long)first + maxBytes, limit));
            if (jump > next && jump < limit && RecordBatchDescriptor.baseOffset(log, jump) < end)
            {
                next = jump;
            }
            while (next < limit && RecordBatchDescriptor.baseOffset(log, next) < end)
            {
                final int length = RecordBatchDescriptor.batchLength(log, next);
                if (next + length - first > maxBytes)
                {
                    break;
                }
                lastBatch = next;
                next += length;
            }
            // Batches are contiguous in offsets: the next fetch starts at the batch after the read, if any.
            result.set(
                segment,
                first,
                next - first,
                RecordBatchDescriptor.baseOffset(log, first),
                next < limit ? RecordBatchDescriptor.baseOffset(log, next) : lastOffsetAt(log, lastBatch) + 1);
            result.bounds(start, end);
            return LogReadResult.OK;
        }

        // Only a log being closed or truncated under the reader gets here.
        result.empty(LogReadResult.OFFSET_OUT_OF_RANGE, logStartOffset, logEndOffset());
        return LogReadResult.OFFSET_OUT_OF_RANGE;
    }

    /**
     * Offset of the first record whose timestamp is at or after {@code timestamp}. Any thread; lock-free and, after
     * a thread's first call, allocation-free.
     *
     * @param timestamp ms since the epoch.
     * @return the offset, or -1 if no record in the log is that recent.
     */
    public long offsetForTimestamp(final long timestamp)
    {
        final RecordBatchView view = TIMESTAMP_VIEW.get();
        retry:
        while (true)
        {
            final LogSegment[] snapshot = segments;
            for (final LogSegment segment : snapshot)
            {
                if (segment.maxTimestamp() < timestamp)
                {
                    continue;
                }
                if (!segment.tryRetain())
                {
                    continue retry;
                }
                try
                {
                    final int limit = segment.endPosition();
                    final UnsafeBuffer log = segment.buffer;
                    int position = segment.offsetIndex.floorPosition(segment.timeIndex.scanStartOffset(timestamp));
                    while (position < limit)
                    {
                        if (RecordBatchDescriptor.maxTimestamp(log, position) >= timestamp)
                        {
                            view.wrap(log, position);
                            while (view.nextRecord())
                            {
                                if (view.timestamp() >= timestamp)
                                {
                                    return view.offset();
                                }
                            }
                        }
                        position += RecordBatchDescriptor.batchLength(log, position);
                    }
                }
                finally
                {
                    segment.release();
                }
            }
            return -1;
        }
    }

    LogSegment activeSegmentForTest()
    {
        return active;
    }

    /**
     * Whether the log was closed or deleted.
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Force every appended byte to the device, close every segment and the prepared one. The writer must have
     * stopped; readers get {@link LogReadResult#LOG_CLOSED}.
     */
    public void close()
    {
        synchronized (maintenanceLock)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            for (final LogSegment segment : segments)
            {
                flush(segment);
                segment.offsetIndex.force();
                segment.timeIndex.force();
            }
            releaseAll(false);
        }
    }

    /**
     * Close the log and delete its directory. The writer must have stopped.
     */
    void delete()
    {
        synchronized (maintenanceLock)
        {
            closed = true;
            releaseAll(true);
            final File[] files = directory.listFiles();
            if (null != files)
            {
                for (final File file : files)
                {
                    if (!file.delete())
                    {
                        LOG.warn("cannot delete {}", file);
                    }
                }
            }
            if (!directory.delete())
            {
                LOG.warn("cannot delete {}", directory);
            }
        }
    }

    private void releaseAll(final boolean deleteFiles)
    {
        if (null != cleaner)
        {
            cleaner.abandon();
        }
        final PreparedSegment spare = prepared.getAndSet(null);
        if (null != spare)
        {
            spare.delete();
        }
        if (null != preparing)
        {
            preparing.delete();
            preparing = null;
        }
        final LogSegment[] all;
        synchronized (segmentsLock)
        {
            all = segments;
            segments = NO_SEGMENTS;
        }
        for (final LogSegment segment : all)
        {
            segment.retire();
            retired.add(segment);
        }
        for (final LogSegment segment : retired)
        {
            segment.closeRetired(deleteFiles);
        }
        retired.clear();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Maintenance thread
    // ---------------------------------------------------------------------------------------------------------

    /**
     * One maintenance step: prepare the next segment, touch pages ahead of the writer, flush, enforce retention and
     * unmap retired segments. Called by the {@link LogManager}'s maintenance agent; never blocks on the writer.
     *
     * @param nowMs current time.
     * @return amount of work done, 0 when idle.
     */
    int doMaintenance(final long nowMs)
    {
        writeOutPreparing(nowMs);
        synchronized (maintenanceLock)
        {
            if (closed)
            {
                return 0;
            }
            int work = 0;
            final LogSegment[] snapshot = segments;
            final LogSegment last = snapshot[snapshot.length - 1];
            work += pretouch(last);
            work += prepareNextSegment(nowMs);
            if (config.flushPolicy() == FlushPolicy.INTERVAL && nowMs - lastFlushMs >= config.flushIntervalMs())
            {
                lastFlushMs = nowMs;
                for (final LogSegment segment : snapshot)
                {
                    work += flush(segment);
                }
            }
            work += enforceRetention(nowMs);
            if (null != cleaner)
            {
                work += cleaner.doWork(nowMs);
            }
            work += closeRetired();
            return work;
        }
    }

    /**
     * Keep one segment prepared ahead of the writer: begun as soon as none is ready, allocated a budget per duty
     * cycle. After a failure (a full device) the next attempt waits a second.
     */
    private int prepareNextSegment(final long nowMs)
    {
        if (null != prepared.get() || nowMs < nextPrepareAttemptMs)
        {
            return 0;
        }
        try
        {
            if (null == preparing)
            {
                preparing = PreparedSegment.begin(directory, config, ++preparedSequence);
            }
            // Ready once filled and written out (the last step's zeros by the next cycle's writeOutPreparing).
            if (preparing.allocate(PREPARE_BUDGET_BYTES) && 0 == preparing.unwrittenBytes())
            {
                preparing.pretouch(config.pretouchBytes());
                if (!prepared.compareAndSet(null, preparing))
                {
                    preparing.delete();
                }
                preparing = null;
            }
            return 1;
        }
        catch (final LogStorageException ex)
        {
            preparationFailed(nowMs, ex);
            return 0;
        }
    }

    /** The segment being prepared is gone (its files deleted): try again in a second. Under the maintenance lock. */
    private void preparationFailed(final long nowMs, final LogStorageException ex)
    {
        preparing = null;
        nextPrepareAttemptMs = nowMs + 1000;
        LOG.warn("cannot prepare the next segment of {}-{}: {}", topic, partition, ex.getMessage());
    }

    /**
     * Write the zeros of the segment being prepared to the device, outside the maintenance lock: the writer takes
     * that lock to promote a prepared segment or truncate, and must not wait on the device. {@link #close} and
     * {@link #delete} may delete its files meanwhile, and then clear {@code preparing} under the lock: a write-out
     * that fails after that is expected; otherwise it is a storage failure, handled as in
     * {@link #prepareNextSegment}.
     */
    private void writeOutPreparing(final long nowMs)
    {
        final PreparedSegment filling = preparing;
        if (null == filling || 0 == filling.unwrittenBytes())
        {
            return;
        }
        try
        {
            filling.writeOut();
        }
        catch (final LogStorageException ex)
        {
            synchronized (maintenanceLock)
            {
                if (preparing == filling)
                {
                    preparationFailed(nowMs, ex);
                }
            }
        }
    }

    private int pretouch(final LogSegment segment)
    {
        final int window = config.pretouchBytes();
        if (0 == window)
        {
            return 0;
        }
        final int end = segment.endPosition();
        final int target = (int)Math.min((long)end + window, segment.capacity());
        int position = Math.max(segment.touchedPosition, align(end));
        final int stop = Math.min(target, position + PRETOUCH_BUDGET_PAGES * PAGE_SIZE);
        int touched = 0;
        for (; position < stop; position += PAGE_SIZE)
        {
            // A write fault maps the page; CAS of 0 to 0 never changes bytes the writer may have stored.
            segment.buffer.compareAndSetInt(position, 0, 0);
            touched++;
        }
        segment.touchedPosition = Math.max(segment.touchedPosition, position);
        return touched;
    }

    private int flush(final LogSegment segment)
    {
        final int end = segment.endPosition();
        final int flushed = segment.flushedPosition;
        if (end > flushed)
        {
            segment.log.force(flushed, end - flushed);
            segment.flushedPosition = end;
            return 1;
        }
        return 0;
    }

    private int enforceRetention(final long nowMs)
    {
        // A compact-only log keeps every key's latest record for good: time and size retention are the delete policy's.
        final long retentionMs = config.delete() ? config.retentionMs() : -1;
        final long retentionBytes = config.delete() ? config.retentionBytes() : -1;
        final long deleteBefore = deleteBeforeOffset;
        if (retentionMs < 0 && retentionBytes < 0 && deleteBefore <= logStartOffset)
        {
            return 0;
        }

        final LogSegment[] snapshot = segments;
        long size = 0;
        for (final LogSegment segment : snapshot)
        {
            size += segment.endPosition();
        }

        int expired = 0;
        while (expired < snapshot.length - 1)
        {
            final LogSegment segment = snapshot[expired];
            final boolean byTime = retentionMs >= 0 && nowMs - segment.maxTimestamp() > retentionMs;
            final boolean bySize = retentionBytes >= 0 && size - segment.endPosition() >= retentionBytes;
            final boolean byRequest = snapshot[expired + 1].baseOffset <= deleteBefore;
            if (!byTime && !bySize && !byRequest)
            {
                break;
            }
            size -= segment.endPosition();
            expired++;
        }
        if (0 == expired)
        {
            return 0;
        }

        segmentChanges++;
        synchronized (segmentsLock)
        {
            // Publish the new start first: a reader that sees the old segment list still finds its segments there.
            final LogSegment[] current = segments;
            logStartOffset = current[expired].baseOffset;
            segments = Arrays.copyOfRange(current, expired, current.length);
        }
        for (int i = 0; i < expired; i++)
        {
            final LogSegment segment = snapshot[i];
            segment.retire();
            segment.markDeleted();
            retired.add(segment);
            LOG.info("retention deleted {}", segment);
        }
        return expired;
    }

    /** @return the segments now, oldest first; for the cleaner. */
    LogSegment[] segmentArray()
    {
        return segments;
    }

    /** @return the count of changes a cleaning pass must not miss (see the field); under the maintenance lock. */
    int segmentChanges()
    {
        return segmentChanges;
    }

    /** @return the cleaner of a compacted log, or null; for tests. */
    LogCleaner cleaner()
    {
        return cleaner;
    }

    /**
     * Put a cleaned copy of a sealed segment in its place ({@link LogCleaner}): the copy, forced, is renamed to
     * {@code .log.swap}, the segment's files to {@code .deleted}, and the swap file to the segment's name; then its
     * indexes are built and it replaces the segment in the list, which readers find next. A copy without batches
     * removes the segment instead, unless it is the first (whose base offset is the log start). Recovery finishes a
     * swap a crash interrupted. Maintenance thread, under the maintenance lock.
     *
     * @param old             the segment cleaned.
     * @param cleaned         its cleaned copy, forced to the device.
     * @param length          bytes in the copy.
     * @param batches         batches in the copy.
     * @param nextOffsetAfter offset after the copy's last batch, or the segment's base offset if it has none.
     * @return false if the segment is no longer in the log, or is now its active segment: the caller deletes the copy.
     */
    boolean swapCleaned(final LogSegment old, final File cleaned, final int length, final int batches,
        final long nextOffsetAfter)
    {
        final int index = closed ? -1 : indexOfSegment(segments, old);
        if (index < 0 || index == segments.length - 1)
        {
            return false;
        }
        segmentChanges++;
        if (0 == batches && index > 0)
        {
            synchronized (segmentsLock)
            {
                final LogSegment[] current = segments;
                final int at = indexOfSegment(current, old);
                final LogSegment[] updated = new LogSegment[current.length - 1];
                System.arraycopy(current, 0, updated, 0, at);
                System.arraycopy(current, at + 1, updated, at, current.length - at - 1);
                segments = updated;
            }
            old.retire();
            old.markDeleted();
            retired.add(old);
            deleteFile(cleaned);
            return true;
        }

        final File logFile = new File(directory, LogSegment.fileName(old.baseOffset, LogSegment.LOG_SUFFIX));
        final File swap = new File(logFile.getPath() + LogCleaner.SWAP_SUFFIX);
        move(cleaned, swap);
        old.markDeleted();
        try
        {
            move(swap, logFile);
        }
        catch (final LogStorageException ex)
        {
            old.unmarkDeleted();
            deleteFile(swap);
            throw ex;
        }
        // An emptied first segment keeps a page of zeros: a mapping of no bytes is of no use to anyone.
        final MappedFile log = MappedFile.open(logFile, 0 == length ? PAGE_SIZE : 0);
        final int entries = Math.min(offsetIndexBytes(config) / OffsetIndex.ENTRY_LENGTH, batches + 1);
        final MappedFile offsetIndex = MappedFile.create(
            new File(directory, LogSegment.fileName(old.baseOffset, LogSegment.INDEX_SUFFIX)),
            entries * OffsetIndex.ENTRY_LENGTH);
        final MappedFile timeIndex = MappedFile.create(
            new File(directory, LogSegment.fileName(old.baseOffset, LogSegment.TIME_INDEX_SUFFIX)),
            entries * TimeIndex.ENTRY_LENGTH);
        final LogSegment segment = new LogSegment(
            old.baseOffset, log, new OffsetIndex(offsetIndex), new TimeIndex(timeIndex), old.createdMs);
        reindex(segment, length);
        segment.nextOffset = nextOffsetAfter;
        segment.flushedPosition = length;
        segment.touchedPosition = length;
        segment.publishEnd(length);
        synchronized (segmentsLock)
        {
            final LogSegment[] updated = segments.clone();
            updated[indexOfSegment(updated, old)] = segment;
            segments = updated;
        }
        old.retire();
        retired.add(old);
        return true;
    }

    static int indexOfSegment(final LogSegment[] segments, final LogSegment segment)
    {
        for (int i = 0; i < segments.length; i++)
        {
            if (segments[i] == segment)
            {
                return i;
            }
        }
        return -1;
    }

    private static void move(final File from, final File to)
    {
        try
        {
            java.nio.file.Files.move(from.toPath(), to.toPath(), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final java.io.IOException ex)
        {
            throw new LogStorageException("cannot rename " + from + " to " + to, ex);
        }
    }

    private static void deleteFile(final File file)
    {
        try
        {
            java.nio.file.Files.deleteIfExists(file.toPath());
        }
        catch (final java.io.IOException ex)
        {
            LOG.warn("cannot delete {}: {}", file, ex.toString());
        }
    }

    private int closeRetired()
    {
        int closedCount = 0;
        for (int i = retired.size() - 1; i >= 0; i--)
        {
            if (retired.get(i).closeIfUnused())
            {
                retired.remove(i);
                closedCount++;
            }
        }
        return closedCount;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Writer thread: roll
    // ---------------------------------------------------------------------------------------------------------

    private long roll()
    {
        final long baseOffset = nextOffset;
        if (baseOffset == active.baseOffset)
        {
            // Unreachable while an empty active segment holds segment.bytes: refuse rather than reuse its file names.
            LOG.error("{}-{}: refusing to roll the empty segment {}", topic, partition, active);
            return STORAGE_ERROR;
        }
        final LogSegment next;
        try
        {
            final PreparedSegment spare = prepared.getAndSet(null);
            next = null != spare ?
                spare.activate(directory, baseOffset, clock.time()) :
                createSegment(directory, baseOffset, config, clock.time());
        }
        catch (final LogStorageException ex)
        {
            LOG.warn("cannot roll {}-{} at offset {}: {}", topic, partition, baseOffset, ex.getMessage());
            return LogStorageException.isDiskFull(ex) ? STORAGE_FULL : STORAGE_ERROR;
        }

        synchronized (segmentsLock)
        {
            final LogSegment[] current = segments;
            final LogSegment[] updated = Arrays.copyOf(current, current.length + 1);
            updated[current.length] = next;
            segments = updated;
        }
        active = next;
        return 0;
    }

    /**
     * Create a starter segment on the writer's thread (see {@link #STARTER_SEGMENT_BYTES}): it holds any batch the
     * log accepts, and costs a megabyte or so of zeros rather than a whole segment.
     */
    static LogSegment createSegment(final File directory, final long baseOffset, final LogConfig config, final long nowMs)
    {
        final MappedFile log = MappedFile.create(
            new File(directory, LogSegment.fileName(baseOffset, LogSegment.LOG_SUFFIX)), starterLogBytes(config));
        MappedFile offsetIndex = null;
        try
        {
            offsetIndex = MappedFile.create(
                new File(directory, LogSegment.fileName(baseOffset, LogSegment.INDEX_SUFFIX)),
                starterOffsetIndexBytes(config));
            final MappedFile timeIndex = MappedFile.create(
                new File(directory, LogSegment.fileName(baseOffset, LogSegment.TIME_INDEX_SUFFIX)),
                starterTimeIndexBytes(config));
            return new LogSegment(baseOffset, log, new OffsetIndex(offsetIndex), new TimeIndex(timeIndex), nowMs);
        }
        catch (final RuntimeException ex)
        {
            log.delete();
            if (null != offsetIndex)
            {
                offsetIndex.delete();
            }
            throw ex;
        }
    }

    static int starterLogBytes(final LogConfig config)
    {
        return Math.min(config.segmentBytes(), Math.max(STARTER_SEGMENT_BYTES, config.maxMessageBytes()));
    }

    static int starterOffsetIndexBytes(final LogConfig config)
    {
        return Math.min(offsetIndexBytes(config), STARTER_INDEX_ENTRIES * OffsetIndex.ENTRY_LENGTH);
    }

    static int starterTimeIndexBytes(final LogConfig config)
    {
        return Math.min(timeIndexBytes(config), STARTER_INDEX_ENTRIES * TimeIndex.ENTRY_LENGTH);
    }

    /**
     * Entries of a full segment's indexes: as many as {@code segment.index.bytes} holds, but no more than the segment
     * can fill. An entry is added at most once every {@code index.interval.bytes} of batches, plus the first, so a
     * 64 MiB segment at the default interval fills 16,385, not the 1.3 million 10 MiB would hold; the rest would be
     * zeros written to the device for nothing. A full index rolls the segment, so a short one can never lose an entry.
     */
    static int indexEntries(final LogConfig config)
    {
        final int configured = config.segmentIndexBytes() / OffsetIndex.ENTRY_LENGTH;
        if (config.indexIntervalBytes() <= 0)
        {
            return configured;
        }
        return (int)Math.min(configured, (long)config.segmentBytes() / config.indexIntervalBytes() + 2);
    }

    static int offsetIndexBytes(final LogConfig config)
    {
        return indexEntries(config) * OffsetIndex.ENTRY_LENGTH;
    }

    static int timeIndexBytes(final LogConfig config)
    {
        return indexEntries(config) * TimeIndex.ENTRY_LENGTH;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Recovery
    // ---------------------------------------------------------------------------------------------------------

    private void recover(final boolean rebuildEpochs)
    {
        deleteLeftovers();
        final long[] baseOffsets = listSegments();
        final List<LogSegment> opened = new ArrayList<>();
        final long nowMs = clock.time();

        if (0 == baseOffsets.length)
        {
            opened.add(createSegment(directory, 0, config, nowMs));
            if (rebuildEpochs || epochCache.latestEpoch() < 0)
            {
                epochCache.add(0, 0);
                epochCache.persist();
            }
        }
        else
        {
            long expectedOffset = baseOffsets[0];
            int lastEpoch = -1;
            boolean truncated = false;
            for (int i = 0; i < baseOffsets.length; i++)
            {
                final long baseOffset = baseOffsets[i];
                // A compacted log may have lost a segment's last batches, or a whole segment, to cleaning.
                if (config.compact() && !truncated && baseOffset > expectedOffset)
                {
                    expectedOffset = baseOffset;
                }
                if (truncated || baseOffset != expectedOffset)
                {
                    if (!truncated)
                    {
                        LOG.error("{}-{}: segment {} does not follow offset {}; deleting it and every later segment",
                            topic, partition, baseOffset, expectedOffset);
                    }
                    truncated = true;
                    deleteSegmentFiles(baseOffset);
                    continue;
                }

                // The last segment is the one a roll may have left short (killed while zero-filling it): grow it
                // to a starter's size at least, which holds any batch. A full segment stays as large as it is.
                final boolean isLast = i == baseOffsets.length - 1;
                final LogSegment segment = openSegment(baseOffset, isLast ? starterLogBytes(config) : 0, nowMs);
                opened.add(segment);
                final ScanResult scan = scan(segment, expectedOffset, lastEpoch, rebuildEpochs);
                expectedOffset = scan.nextOffset;
                lastEpoch = scan.lastEpoch;
                if (scan.corrupt)
                {
                    truncated = true;
                }
            }
        }

        final LogSegment[] all = opened.toArray(NO_SEGMENTS);
        final LogSegment last = all[all.length - 1];
        zeroStaleTail(last);
        segments = all;
        active = last;
        logStartOffset = all[0].baseOffset;
        nextOffset = last.nextOffset;
        LOG_END_OFFSET.setRelease(this, nextOffset);

        if (epochCache.truncateAfter(nextOffset) || rebuildEpochs)
        {
            if (epochCache.latestEpoch() < 0)
            {
                epochCache.add(0, logStartOffset);
            }
            epochCache.persist();
        }
        leaderEpoch = Math.max(0, epochCache.latestEpoch());
    }

    private static final class ScanResult
    {
        long nextOffset;
        int lastEpoch;
        boolean corrupt;
    }

    private ScanResult scan(
        final LogSegment segment, final long startOffset, final int previousEpoch, final boolean rebuildEpochs)
    {
        final ScanResult result = new ScanResult();
        final UnsafeBuffer log = segment.buffer;
        final int capacity = segment.capacity();
        long expectedOffset = startOffset;
        int lastEpoch = previousEpoch;
        int position = 0;
        long maxTimestamp = Long.MIN_VALUE;
        String problem = null;

        while (position < capacity)
        {
            final int length = RecordBatchDescriptor.verify(log, position, capacity - position, capacity);
            if (length < 0)
            {
                if (!isZero(log, position, Math.min(RecordBatchDescriptor.RECORDS_OFFSET, capacity - position)))
                {
                    problem = RecordBatchDescriptor.errorMessage(length);
                }
                break;
            }
            final long baseOffset = RecordBatchDescriptor.baseOffset(log, position);
            final int epoch = RecordBatchDescriptor.leaderEpoch(log, position);
            if (baseOffset != expectedOffset && !(config.compact() && baseOffset > expectedOffset))
            {
                problem = "base offset " + baseOffset + " where " + expectedOffset + " was expected";
                break;
            }
            if (rebuildEpochs)
            {
                if (epoch < lastEpoch || !(epoch == lastEpoch || epochCache.add(epoch, baseOffset)))
                {
                    problem = "leader epoch " + epoch + " after epoch " + lastEpoch;
                    break;
                }
            }
            else if (epoch != epochCache.epochFor(baseOffset))
            {
                problem = "leader epoch " + epoch + " where the checkpoint says " + epochCache.epochFor(baseOffset);
                break;
            }

            indexBatch(segment, position, length, baseOffset);
            maxTimestamp = Math.max(maxTimestamp, RecordBatchDescriptor.maxTimestamp(log, position));
            segment.maxTimestamp(maxTimestamp);
            lastEpoch = epoch;
            expectedOffset = baseOffset + RecordBatchDescriptor.lastOffsetDelta(log, position) + 1;
            if (RecordBatchDescriptor.producerId(log, position) >= 0)
            {
                recordProducer(log, position, baseOffset);
            }
            position += length;
        }

        if (null != problem)
        {
            LOG.error("{}-{}: {} at position {} of {}; truncating the log to offset {}",
                topic, partition, problem, position, segment.log.file(), expectedOffset);
            log.setMemory(position, capacity - position, (byte)0);
            segment.log.force(position, capacity - position);
            result.corrupt = true;
        }

        segment.nextOffset = expectedOffset;
        segment.publishEnd(position);
        segment.flushedPosition = position;
        segment.touchedPosition = position;
        result.nextOffset = expectedOffset;
        result.lastEpoch = lastEpoch;
        return result;
    }

    /**
     * After a power failure a later page of the active segment may have reached the device while an earlier one
     * did not, leaving whole batches past the end recovery found. Zero them, or new appends could one day line up
     * with them and make them look like part of the log.
     */
    private void zeroStaleTail(final LogSegment segment)
    {
        final int end = segment.endPositionPlain();
        final int capacity = segment.capacity();
        final UnsafeBuffer log = segment.buffer;
        int position = end;
        while (position < capacity && (position & 7) != 0 && 0 == log.getByte(position))
        {
            position++;
        }
        while (capacity - position >= 8 && 0 == log.getLong(position))
        {
            position += 8;
        }
        while (position < capacity && 0 == log.getByte(position))
        {
            position++;
        }
        if (position < capacity)
        {
            LOG.warn("{}-{}: non-zero bytes at position {} past the end {} of {}; zeroing them",
                topic, partition, position, end, segment.log.file());
            log.setMemory(end, capacity - end, (byte)0);
            segment.log.force(end, capacity - end);
        }
    }

    private static boolean isZero(final UnsafeBuffer buffer, final int position, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (0 != buffer.getByte(position + i))
            {
                return false;
            }
        }
        return true;
    }

    private LogSegment openSegment(final long baseOffset, final int minLength, final long nowMs)
    {
        final MappedFile log = MappedFile.open(
            new File(directory, LogSegment.fileName(baseOffset, LogSegment.LOG_SUFFIX)), minLength);
        // An index keeps the size it was made with (a starter's, or a prepared segment's, which may be larger).
        final OffsetIndex offsetIndex = new OffsetIndex(MappedFile.open(
            new File(directory, LogSegment.fileName(baseOffset, LogSegment.INDEX_SUFFIX)),
            starterOffsetIndexBytes(config)));
        final TimeIndex timeIndex = new TimeIndex(MappedFile.open(
            new File(directory, LogSegment.fileName(baseOffset, LogSegment.TIME_INDEX_SUFFIX)),
            starterTimeIndexBytes(config)));
        return new LogSegment(baseOffset, log, offsetIndex, timeIndex, nowMs);
    }

    private long[] listSegments()
    {
        final String[] names = directory.list();
        if (null == names)
        {
            throw new LogStorageException("cannot list partition directory " + directory);
        }
        return Arrays.stream(names)
            .mapToLong((name) -> LogSegment.parseBaseOffset(name, LogSegment.LOG_SUFFIX))
            .filter((baseOffset) -> baseOffset >= 0)
            .sorted()
            .toArray();
    }

    private void deleteLeftovers()
    {
        final File[] files = directory.listFiles();
        if (null == files)
        {
            throw new LogStorageException("cannot list partition directory " + directory);
        }
        for (final File file : files)
        {
            final String name = file.getName();
            if (name.endsWith(LogSegment.LOG_SUFFIX + LogCleaner.SWAP_SUFFIX))
            {
                // A cleaned copy, forced before it was named so: finish the swap a crash interrupted.
                move(file, new File(directory, name.substring(0, name.length() - LogCleaner.SWAP_SUFFIX.length())));
                continue;
            }
            if (name.endsWith(LogSegment.DELETED_SUFFIX) || name.startsWith(PREPARED_PREFIX) || name.endsWith(".tmp") ||
                name.endsWith(LogCleaner.CLEANED_SUFFIX))
            {
                if (!file.delete())
                {
                    throw new LogStorageException("cannot delete leftover file " + file);
                }
            }
        }
    }

    private void deleteSegmentFiles(final long baseOffset)
    {
        for (final String suffix : new String[]{ LogSegment.LOG_SUFFIX, LogSegment.INDEX_SUFFIX,
            LogSegment.TIME_INDEX_SUFFIX })
        {
            final File file = new File(directory, LogSegment.fileName(baseOffset, suffix));
            if (file.exists() && !file.delete())
            {
                throw new LogStorageException("cannot delete " + file);
            }
        }
    }

    private static int floorSegment(final LogSegment[] snapshot, final long offset)
    {
        int low = 0;
        int high = snapshot.length - 1;
        int found = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (snapshot[mid].baseOffset <= offset)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return found;
    }

    private static long lastOffsetAt(final DirectBuffer log, final int position)
    {
        return RecordBatchDescriptor.baseOffset(log, position) + RecordBatchDescriptor.lastOffsetDelta(log, position);
    }

    private static int align(final int position)
    {
        return (position + PAGE_SIZE - 1) & -PAGE_SIZE;
    }

    public String toString()
    {
        return "PartitionLog{" + topic + '-' + partition + ", start=" + logStartOffset + ", end=" + logEndOffset() + '}';
    }
}
