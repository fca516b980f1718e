package io.sluice.engine;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Sparse map from offset to byte position in a segment: an entry every {@code index.interval.bytes}, each the
 * offset of a batch's first record relative to the segment's base offset and the batch's position.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    relative offset (int32)                    |
 *  +---------------------------------------------------------------+
 *  |                    position (int32)                           |
 *  +---------------------------------------------------------------+
 * </pre>
 * Owned by the partition's writer thread for appends; searched by any thread.
 */
final class OffsetIndex extends SparseIndex
{
    static final int ENTRY_LENGTH = 8;

    OffsetIndex(final MappedFile file)
    {
        super(file, ENTRY_LENGTH);
    }

    /**
     * Append an entry. The caller checks {@link #isFull()} first.
     */
    void append(final int relativeOffset, final int position)
    {
        final int count = entriesPlain();
        final int at = count * ENTRY_LENGTH;
        buffer.putInt(at, relativeOffset, LITTLE_ENDIAN);
        buffer.putInt(at + 4, position, LITTLE_ENDIAN);
        publishEntries(count + 1);
    }

    /**
     * Position of the last indexed batch whose first offset is at most {@code relativeOffset}, or 0.
     */
    int floorPosition(final int relativeOffset)
    {
        final int entry = lastEntryAtMost(relativeOffset, 0);
        return entry < 0 ? 0 : position(entry);
    }

    /**
     * Largest indexed batch position at most {@code position}, or -1. Positions increase with offsets, so the
     * index is sorted by both.
     */
    int lastPositionAtMost(final int position)
    {
        final int entry = lastEntryAtMost(position, 4);
        return entry < 0 ? -1 : position(entry);
    }

    private int position(final int entry)
    {
        return buffer.getInt(entry * ENTRY_LENGTH + 4, LITTLE_ENDIAN);
    }

    long field(final int entry, final int fieldOffset)
    {
        return buffer.getInt(entry * ENTRY_LENGTH + fieldOffset, LITTLE_ENDIAN);
    }
}
