package io.sluice.engine;

import org.agrona.collections.IntArrayList;
import org.agrona.collections.LongArrayList;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * The start offset of each leader epoch of a partition, checkpointed in {@code leader-epoch-checkpoint}
 * (format: a version line {@code 0}, a count line, then {@code epoch startOffset} lines).
 * <p>
 * It lets recovery check the one batch field that leaders patch outside the CRC: a batch whose leader epoch is not
 * the epoch the cache gives for its offset is corrupt. It is also what a follower will truncate by. Owned by the
 * partition's writer thread.
 */
final class LeaderEpochCache
{
    static final String FILE_NAME = "leader-epoch-checkpoint";

    private final File file;
    private final IntArrayList epochs = new IntArrayList();
    private final LongArrayList startOffsets = new LongArrayList();

    private LeaderEpochCache(final File file)
    {
        this.file = file;
    }

    static LeaderEpochCache empty(final File directory)
    {
        return new LeaderEpochCache(new File(directory, FILE_NAME));
    }

    /**
     * Load the checkpoint of {@code directory}.
     *
     * @return the cache, or null if there is no readable checkpoint.
     */
    static LeaderEpochCache load(final File directory)
    {
        final LeaderEpochCache cache = empty(directory);
        if (!cache.file.exists())
        {
            return null;
        }
        try
        {
            final List<String> lines = CheckpointFile.read(cache.file);
            if (lines.size() < 2 || !"0".equals(lines.get(0).trim()))
            {
                return null;
            }
            final int count = Integer.parseInt(lines.get(1).trim());
            if (lines.size() < 2 + count)
            {
                return null;
            }
            for (int i = 0; i < count; i++)
            {
                final String[] parts = lines.get(2 + i).trim().split(" ");
                if (!cache.add(Integer.parseInt(parts[0]), Long.parseLong(parts[1])))
                {
                    return null;
                }
            }
            return cache;
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
    }

    /**
     * Record that {@code epoch} starts at {@code startOffset} in memory only.
     *
     * @return false if the epoch or offset goes backwards.
     */
    boolean add(final int epoch, final long startOffset)
    {
        if (epoch < 0 || startOffset < 0)
        {
            return false;
        }
        if (!epochs.isEmpty())
        {
            final int last = epochs.size() - 1;
            if (epoch <= epochs.getInt(last) || startOffset < startOffsets.getLong(last))
            {
                return false;
            }
            if (startOffset == startOffsets.getLong(last))
            {
                epochs.removeAt(last);
                startOffsets.removeAt(last);
            }
        }
        epochs.addInt(epoch);
        startOffsets.addLong(startOffset);
        return true;
    }

    /**
     * Epoch in force at {@code offset}, or -1 if the offset precedes every entry.
     */
    int epochFor(final long offset)
    {
        for (int i = epochs.size() - 1; i >= 0; i--)
        {
            if (startOffsets.getLong(i) <= offset)
            {
                return epochs.getInt(i);
            }
        }
        return -1;
    }

    /**
     * The largest epoch at or below {@code epoch}, or -1 if every entry is later.
     */
    int epochAtOrBelow(final int epoch)
    {
        for (int i = epochs.size() - 1; i >= 0; i--)
        {
            if (epochs.getInt(i) <= epoch)
            {
                return epochs.getInt(i);
            }
        }
        return -1;
    }

    /**
     * Where the epoch at or below {@code epoch} ends: the start offset of the first later epoch, or
     * {@code logEndOffset} if there is none; -1 if every entry is later than {@code epoch}.
     */
    long endOffsetFor(final int epoch, final long logEndOffset)
    {
        for (int i = 0; i < epochs.size(); i++)
        {
            if (epochs.getInt(i) > epoch)
            {
                return 0 == i ? -1 : startOffsets.getLong(i);
            }
        }
        return logEndOffset;
    }

    /**
     * Latest epoch, or -1 if none.
     */
    int latestEpoch()
    {
        return epochs.isEmpty() ? -1 : epochs.getInt(epochs.size() - 1);
    }

    /**
     * Forget the epochs that start after {@code endOffset}, the new end of a truncated log.
     *
     * @return true if anything was removed.
     */
    boolean truncateAfter(final long endOffset)
    {
        boolean removed = false;
        while (!epochs.isEmpty() && startOffsets.getLong(startOffsets.size() - 1) > endOffset)
        {
            epochs.removeAt(epochs.size() - 1);
            startOffsets.removeAt(startOffsets.size() - 1);
            removed = true;
        }
        return removed;
    }

    /**
     * Forget the epochs that start at or after {@code offset}: a follower truncated its log there and takes the
     * epochs of what follows from its leader's batches.
     *
     * @return true if anything was removed.
     */
    boolean truncateFrom(final long offset)
    {
        boolean removed = false;
        while (!epochs.isEmpty() && startOffsets.getLong(startOffsets.size() - 1) >= offset)
        {
            epochs.removeAt(epochs.size() - 1);
            startOffsets.removeAt(startOffsets.size() - 1);
            removed = true;
        }
        return removed;
    }

    void persist()
    {
        final List<String> lines = new ArrayList<>(2 + epochs.size());
        lines.add("0");
        lines.add(Integer.toString(epochs.size()));
        for (int i = 0; i < epochs.size(); i++)
        {
            lines.add(epochs.getInt(i) + " " + startOffsets.getLong(i));
        }
        CheckpointFile.write(file, lines);
    }
}
