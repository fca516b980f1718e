package io.sluice.engine;

import java.io.File;

/**
 * The next segment's files, created and allocated by the maintenance thread ahead of a roll, so the writer's roll
 * is three renames instead of allocating and zeroing a whole segment. Named {@code prepared-segment-<n>.*} until
 * activated; recovery deletes leftovers.
 */
final class PreparedSegment
{
    private final MappedFile log;
    private final MappedFile offsetIndex;
    private final MappedFile timeIndex;

    private PreparedSegment(final MappedFile log, final MappedFile offsetIndex, final MappedFile timeIndex)
    {
        this.log = log;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
    }

    /**
     * Create the files of a prepared segment. Each gets a name of its own ({@code prepared-segment-<sequence>}), so
     * a preparation can never touch the files of one the writer is activating.
     */
    static PreparedSegment create(final File directory, final LogConfig config, final long sequence)
    {
        final String prefix = PartitionLog.PREPARED_PREFIX + '-' + sequence;
        final MappedFile log = MappedFile.create(
            new File(directory, prefix + LogSegment.LOG_SUFFIX), config.segmentBytes());
        MappedFile offsetIndex = null;
        try
        {
            offsetIndex = MappedFile.create(
                new File(directory, prefix + LogSegment.INDEX_SUFFIX), PartitionLog.offsetIndexBytes(config));
            final MappedFile timeIndex = MappedFile.create(
                new File(directory, prefix + LogSegment.TIME_INDEX_SUFFIX), PartitionLog.timeIndexBytes(config));
            return new PreparedSegment(log, offsetIndex, timeIndex);
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

    /**
     * Touch the first {@code bytes} of the log so the writer's first appends after the roll take no page faults.
     */
    void pretouch(final int bytes)
    {
        final int end = Math.min(bytes, log.length());
        for (int position = 0; position < end; position += 4096)
        {
            log.buffer().putByte(position, (byte)0);
        }
    }

    LogSegment activate(final File directory, final long baseOffset, final long nowMs)
    {
        log.renameTo(new File(directory, LogSegment.fileName(baseOffset, LogSegment.LOG_SUFFIX)));
        offsetIndex.renameTo(new File(directory, LogSegment.fileName(baseOffset, LogSegment.INDEX_SUFFIX)));
        timeIndex.renameTo(new File(directory, LogSegment.fileName(baseOffset, LogSegment.TIME_INDEX_SUFFIX)));
        return new LogSegment(baseOffset, log, new OffsetIndex(offsetIndex), new TimeIndex(timeIndex), nowMs);
    }

    void delete()
    {
        log.delete();
        offsetIndex.delete();
        timeIndex.delete();
    }
}
