package io.sluice.engine;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Sparse map from timestamp to offset in a segment, used to find where to start scanning for the first record at
 * or after a timestamp. Entries have strictly increasing timestamps: each holds the largest timestamp appended so
 * far and the relative offset of the batch that follows.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    max timestamp so far (int64, ms)           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    relative offset of the batch (int32)       |
 *  +---------------------------------------------------------------+
 * </pre>
 * An entry (t, r) says: every batch before relative offset r has a max timestamp of at most t. Owned by the
 * partition's writer thread for appends; searched by any thread.
 */
final class TimeIndex extends SparseIndex
{
    static final int ENTRY_LENGTH = 12;

    TimeIndex(final MappedFile file)
    {
        super(file, ENTRY_LENGTH);
    }

    long lastTimestamp()
    {
        final int count = entriesPlain();
        return 0 == count ? Long.MIN_VALUE : buffer.getLong((count - 1) * ENTRY_LENGTH, LITTLE_ENDIAN);
    }

    /**
     * Append an entry if {@code timestamp} is larger than the last one. The caller checks {@link #isFull()} first.
     */
    void maybeAppend(final long timestamp, final int relativeOffset)
    {
        if (timestamp > lastTimestamp())
        {
            final int count = entriesPlain();
            final int at = count * ENTRY_LENGTH;
            buffer.putLong(at, timestamp, LITTLE_ENDIAN);
            buffer.putInt(at + 8, relativeOffset, LITTLE_ENDIAN);
            publishEntries(count + 1);
        }
    }

    /**
     * Relative offset from which to scan for the first record with a timestamp at or after {@code timestamp}: the
     * offset of the last entry whose timestamp is below it, or 0.
     */
    int scanStartOffset(final long timestamp)
    {
        final int entry = timestamp == Long.MIN_VALUE ? -1 : lastEntryAtMost(timestamp - 1, 0);
        return entry < 0 ? 0 : buffer.getInt(entry * ENTRY_LENGTH + 8, LITTLE_ENDIAN);
    }

    long field(final int entry, final int fieldOffset)
    {
        return buffer.getLong(entry * ENTRY_LENGTH + fieldOffset, LITTLE_ENDIAN);
    }
}
