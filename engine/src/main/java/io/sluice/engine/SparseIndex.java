package io.sluice.engine;

import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A memory-mapped, append-only array of fixed-size entries sorted by their first field, searched by readers without
 * locks. The writer stores an entry, then publishes the entry count with a release store; readers search the
 * entries below the count they load with acquire.
 * <p>
 * Owned by the partition's writer thread for appends and resets; read by any thread.
 */
abstract class SparseIndex implements AutoCloseable
{
    private static final VarHandle ENTRIES;

    static
    {
        try
        {
            ENTRIES = MethodHandles.lookup().findVarHandle(SparseIndex.class, "entries", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    final MappedFile file;
    final UnsafeBuffer buffer;
    final int entryLength;
    final int maxEntries;
    @SuppressWarnings("unused")
    private volatile int entries;

    SparseIndex(final MappedFile file, final int entryLength)
    {
        this.file = file;
        this.buffer = file.buffer();
        this.entryLength = entryLength;
        this.maxEntries = file.length() / entryLength;
    }

    final int entries()
    {
        return (int)ENTRIES.getAcquire(this);
    }

    final int entriesPlain()
    {
        return (int)ENTRIES.get(this);
    }

    final void publishEntries(final int count)
    {
        ENTRIES.setRelease(this, count);
    }

    /**
     * A field of an entry, at {@code fieldOffset} in it, of a field by which the entries are sorted.
     */
    abstract long field(int entry, int fieldOffset);

    /**
     * Index of the last published entry whose field at {@code fieldOffset} is at most {@code key}, or -1.
     */
    final int lastEntryAtMost(final long key, final int fieldOffset)
    {
        int low = 0;
        int high = entries() - 1;
        int found = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (field(mid, fieldOffset) <= key)
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

    final boolean isFull()
    {
        return entriesPlain() >= maxEntries;
    }

    /**
     * Forget every entry; the writer rebuilds the index from the log.
     */
    final void reset()
    {
        publishEntries(0);
    }


    final void force()
    {
        file.force(0, entriesPlain() * entryLength);
    }

    public final void close()
    {
        file.close();
    }
}
