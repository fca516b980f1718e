package io.sluice.engine;

import java.io.File;

/**
 * The next segment's files, created and allocated by the maintenance thread ahead of a roll, so the writer's roll
 * is three renames instead of allocating and zeroing a whole segment. Named {@code prepared-segment.*} until
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

    static PreparedSegment create(final File directory, final LogConfig config)
    {
        final String prefix = PartitionLog.PREPARED_PREFIX;
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

    boolean fits(final LogConfig config)
    {
        return log.length() == config.segmentBytes() &&
            offsetIndex.length() == PartitionLog.offsetIndexBytes(config) &&
            timeIndex.length() == PartitionLog.timeIndexBytes(config);
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
