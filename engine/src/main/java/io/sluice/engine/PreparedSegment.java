package io.sluice.engine;

import java.io.File;

/**
 * The next segment's files, allocated by the maintenance thread ahead of a roll, so the writer's roll is three
 * renames instead of zero-filling a whole segment. Allocation proceeds a budget at a time ({@link #allocate(int)}),
 * so a maintenance duty cycle stays short and pretouching is never starved; each budget's zeros are written to the
 * device ({@link #writeOut()}) before the next, so no backlog of dirty pages builds up for the kernel to write back
 * later all at once. Named {@code prepared-segment-<n>.*}
 * until activated; recovery deletes leftovers. Maintenance thread until {@link #activate}, writer thread after.
 */
final class PreparedSegment
{
    private final MappedFile.Allocation[] allocations;
    private final MappedFile[] files = new MappedFile[3];
    private int allocating;

    private PreparedSegment(final MappedFile.Allocation[] allocations)
    {
        this.allocations = allocations;
    }

    /**
     * Start allocating the files of a prepared segment. Each gets a name of its own, so a preparation can never touch
     * the files of one the writer is activating.
     */
    static PreparedSegment begin(final File directory, final LogConfig config, final long sequence)
    {
        final String prefix = PartitionLog.PREPARED_PREFIX + '-' + sequence;
        final MappedFile.Allocation[] allocations = new MappedFile.Allocation[3];
        try
        {
            allocations[0] = MappedFile.Allocation.start(
                new File(directory, prefix + LogSegment.LOG_SUFFIX), config.segmentBytes());
            allocations[1] = MappedFile.Allocation.start(
                new File(directory, prefix + LogSegment.INDEX_SUFFIX), PartitionLog.offsetIndexBytes(config));
            allocations[2] = MappedFile.Allocation.start(
                new File(directory, prefix + LogSegment.TIME_INDEX_SUFFIX), PartitionLog.timeIndexBytes(config));
            return new PreparedSegment(allocations);
        }
        catch (final LogStorageException ex)
        {
            for (final MappedFile.Allocation allocation : allocations)
            {
                if (null != allocation)
                {
                    allocation.abandon();
                }
            }
            throw ex;
        }
    }

    /**
     * Zero-fill up to {@code budgetBytes} more; map the files once all are filled.
     *
     * @return true when the segment is ready to activate.
     * @throws LogStorageException after deleting every file, if the device is full.
     */
    boolean allocate(final int budgetBytes)
    {
        try
        {
            int budget = budgetBytes;
            while (allocating < allocations.length && budget > 0)
            {
                final MappedFile.Allocation allocation = allocations[allocating];
                final long before = allocation.filled();
                final boolean filled = allocation.fill(budget);
                budget -= (int)(allocation.filled() - before);
                if (!filled)
                {
                    return false;
                }
                files[allocating] = allocation.map();
                allocating++;
            }
            return allocating == allocations.length;
        }
        catch (final LogStorageException ex)
        {
            delete();
            throw ex;
        }
    }

    /**
     * Touch the first {@code bytes} of the log so the writer's first appends after the roll take no page faults.
     */
    void pretouch(final int bytes)
    {
        final MappedFile log = files[0];
        final int end = Math.min(bytes, log.length());
        for (int position = 0; position < end; position += 4096)
        {
            log.buffer().putByte(position, (byte)0);
        }
    }

    LogSegment activate(final File directory, final long baseOffset, final long nowMs)
    {
        final MappedFile log = files[0];
        final MappedFile offsetIndex = files[1];
        final MappedFile timeIndex = files[2];
        log.renameTo(new File(directory, LogSegment.fileName(baseOffset, LogSegment.LOG_SUFFIX)));
        offsetIndex.renameTo(new File(directory, LogSegment.fileName(baseOffset, LogSegment.INDEX_SUFFIX)));
        timeIndex.renameTo(new File(directory, LogSegment.fileName(baseOffset, LogSegment.TIME_INDEX_SUFFIX)));
        return new LogSegment(baseOffset, log, new OffsetIndex(offsetIndex), new TimeIndex(timeIndex), nowMs);
    }

    /**
     * Write the zeros filled so far to the device (fdatasync of each file with unwritten zeros). The maintenance
     * thread calls it outside the log's maintenance lock, so that a writer waiting for that lock never waits on the
     * device.
     *
     * @throws LogStorageException after deleting every file, if a write fails (or the log closed the files).
     */
    void writeOut()
    {
        try
        {
            for (final MappedFile.Allocation allocation : allocations)
            {
                allocation.writeOut();
            }
        }
        catch (final LogStorageException ex)
        {
            delete();
            throw ex;
        }
    }

    /**
     * @return bytes filled and not yet written to the device, over all the files.
     */
    long unwrittenBytes()
    {
        long unwritten = 0;
        for (final MappedFile.Allocation allocation : allocations)
        {
            unwritten += allocation.unwrittenBytes();
        }
        return unwritten;
    }

    void delete()
    {
        for (int i = 0; i < allocations.length; i++)
        {
            if (null != files[i])
            {
                files[i].delete();
            }
            else if (null != allocations[i])
            {
                allocations[i].abandon();
            }
        }
    }
}
