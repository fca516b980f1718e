package io.sluice.engine;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One segment of a partition log: a preallocated, memory-mapped {@code .log} file of batches starting at
 * {@code baseOffset}, with its {@link OffsetIndex} and {@link TimeIndex}. Files are named by the 20-digit base offset.
 * <p>
 * The writer thread appends below {@link #capacity()} and publishes the end of the data with a release store;
 * readers read below the end they load with acquire. Readers {@link #tryRetain() retain} a segment while they use
 * its mapping, so retention never unmaps memory under a reader: a retired segment is closed by the maintenance
 * thread only when no reader holds it.
 */
final class LogSegment
{
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String DELETED_SUFFIX = ".deleted";

    private static final VarHandle END_POSITION;
    private static final VarHandle MAX_TIMESTAMP;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            END_POSITION = lookup.findVarHandle(LogSegment.class, "endPosition", int.class);
            MAX_TIMESTAMP = lookup.findVarHandle(LogSegment.class, "maxTimestamp", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    final long baseOffset;
    final MappedFile log;
    final UnsafeBuffer buffer;
    final OffsetIndex offsetIndex;
    final TimeIndex timeIndex;
    final long createdMs;

    @SuppressWarnings("unused")
    private volatile int endPosition;
    @SuppressWarnings("unused")
    private volatile long maxTimestamp = Long.MIN_VALUE;

    /** Offset after the last batch; written by the writer thread before {@link #publishEnd(int)}. */
    long nextOffset;
    /** Bytes appended since the last index entry; writer thread only. */
    int bytesSinceIndexEntry;
    /** Position up to which pages were touched ahead of the writer; maintenance thread only. */
    int touchedPosition;
    /** Position up to which the data was forced to the device; maintenance or writer thread. */
    volatile int flushedPosition;

    private final AtomicInteger readers = new AtomicInteger();
    private volatile boolean retired;

    LogSegment(
        final long baseOffset,
        final MappedFile log,
        final OffsetIndex offsetIndex,
        final TimeIndex timeIndex,
        final long createdMs)
    {
        this.baseOffset = baseOffset;
        this.log = log;
        this.buffer = log.buffer();
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.createdMs = createdMs;
        this.nextOffset = baseOffset;
    }

    static String fileName(final long baseOffset, final String suffix)
    {
        final String digits = Long.toString(baseOffset);
        return "0".repeat(20 - digits.length()) + digits + suffix;
    }

    /**
     * Base offset encoded in a segment file name, or -1 if the name is not a segment file with {@code suffix}.
     */
    static long parseBaseOffset(final String name, final String suffix)
    {
        if (name.length() != 20 + suffix.length() || !name.endsWith(suffix))
        {
            return -1;
        }
        for (int i = 0; i < 20; i++)
        {
            if (!Character.isDigit(name.charAt(i)))
            {
                return -1;
            }
        }
        return Long.parseLong(name.substring(0, 20));
    }

    int capacity()
    {
        return log.length();
    }

    int endPosition()
    {
        return (int)END_POSITION.getAcquire(this);
    }

    int endPositionPlain()
    {
        return (int)END_POSITION.get(this);
    }

    void publishEnd(final int position)
    {
        END_POSITION.setRelease(this, position);
    }

    long maxTimestamp()
    {
        return (long)MAX_TIMESTAMP.getAcquire(this);
    }

    void maxTimestamp(final long timestamp)
    {
        MAX_TIMESTAMP.setRelease(this, timestamp);
    }

    boolean isEmpty()
    {
        return 0 == endPositionPlain();
    }

    /**
     * Pin the segment for reading.
     *
     * @return false if it was retired: the caller must look the segment up again.
     */
    boolean tryRetain()
    {
        readers.getAndIncrement();
        if (retired)
        {
            readers.getAndDecrement();
            return false;
        }
        return true;
    }

    void release()
    {
        readers.getAndDecrement();
    }

    /**
     * Stop new readers; the segment is closed by {@link #closeIfUnused()} once the last reader releases it.
     */
    void retire()
    {
        retired = true;
    }


    /**
     * Unmap and delete the files of a retired segment if no reader holds it.
     *
     * @return true if deleted.
     */
    boolean closeIfUnused()
    {
        if (retired && 0 == readers.get())
        {
            for (final MappedFile file : files())
            {
                file.delete();
            }
            return true;
        }
        return false;
    }

    /**
     * Close a retired segment for good, at log close or delete. Unmaps if no reader holds it; otherwise the
     * mapping is left to the garbage collector, which frees it once the last reader's view is gone.
     */
    void closeRetired(final boolean deleteFiles)
    {
        final boolean unused = 0 == readers.get();
        for (final MappedFile file : files())
        {
            if (unused)
            {
                file.close();
            }
            else
            {
                file.closeChannel();
            }
            if (deleteFiles)
            {
                file.deleteFile();
            }
        }
    }

    private MappedFile[] files()
    {
        return new MappedFile[]{ log, offsetIndex.file, timeIndex.file };
    }

    /**
     * Rename the files with {@code .deleted} so a restart does not load a retired segment.
     */
    void markDeleted()
    {
        for (final MappedFile file : files())
        {
            file.renameTo(new File(file.file().getPath() + DELETED_SUFFIX));
        }
    }

    /**
     * Undo {@link #markDeleted()}.
     */
    void unmarkDeleted()
    {
        for (final MappedFile file : files())
        {
            final String path = file.file().getPath();
            if (path.endsWith(DELETED_SUFFIX))
            {
                file.renameTo(new File(path.substring(0, path.length() - DELETED_SUFFIX.length())));
            }
        }
    }

    public String toString()
    {
        return "LogSegment{base=" + baseOffset + ", end=" + endPositionPlain() + ", file=" + log.file() + '}';
    }
}
