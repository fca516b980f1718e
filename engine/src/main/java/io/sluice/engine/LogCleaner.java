package io.sluice.engine;

import io.sluice.codecs.RecordBatchDescriptor;
import io.sluice.codecs.RecordBatchFilter;
import io.sluice.codecs.RecordBatchView;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;

/**
 * Compacts a log whose {@code cleanup.policy} includes {@code compact}, as Kafka's log cleaner does: every sealed
 * segment is rewritten keeping, for each key, only its latest record, and every record keeps its offset (a
 * compacted log has gaps in its offsets, never a changed offset). The active segment is never cleaned.
 * <p>
 * A pass starts when the sealed bytes not yet cleaned (the dirty part: segments from the end of the last pass) are at
 * least {@code min.cleanable.dirty.ratio} of all sealed bytes. It has two phases, each a budget of bytes per duty
 * cycle so that the maintenance thread keeps pretouching and preparing segments for the other logs:
 * <ol>
 *   <li><b>Map</b>: read the dirty segments and note each key's last offset.</li>
 *   <li><b>Copy</b>: for each sealed segment, oldest first, write the records to keep to
 *   {@code <base>.log.cleaned} ({@link RecordBatchFilter}), force it, then swap it in for the segment
 *   ({@link PartitionLog#swapCleaned}).</li>
 * </ol>
 * A record is kept if its key is null, if the map has no later offset for its key, and, for a tombstone (null
 * value) in the part cleaned by an earlier pass, if it is younger than {@code delete.retention.ms} or is the last
 * record of the log. A pass whose segments changed under it (truncation, retention, close) is abandoned, its
 * temporary file deleted, and tried again later. Where a pass ended is kept in memory only: after a restart the first
 * pass cleans every sealed segment again, which changes nothing that was already clean.
 * <p>
 * Owned by the maintenance thread; every step runs under the log's maintenance lock.
 */
final class LogCleaner
{
    static final String CLEANED_SUFFIX = ".cleaned";
    static final String SWAP_SUFFIX = ".swap";
    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);
    private static final int BUDGET_BYTES = 4 * 1024 * 1024;
    private static final long CHECK_INTERVAL_MS = 100;

    private final PartitionLog log;
    private final LogConfig config;
    private final RecordBatchView view = new RecordBatchView();
    private final RecordBatchFilter filter = new RecordBatchFilter();
    /** Each key's last offset in the dirty part; keys map to themselves, the entry holding the offset. */
    private final HashMap<Key, Key> latest = new HashMap<>();
    private final Key probe = new Key();
    private final RecordBatchFilter.RecordFilter keep = this::keep;
    private UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));

    /** Segments of base offset at or above this are dirty; -1 before the first pass. */
    private long cleanedEnd = -1;
    private long nextCheckMs;

    /** The sealed segments of the running pass, or null; and each one's end when the pass began. */
    private LogSegment[] pass;
    /** The log's {@link PartitionLog#segmentChanges()} as the pass last left them. */
    private int changesSeen;
    private long passEndOffset;
    private int firstDirty;
    private boolean mapping;
    private int cursor;
    private int position;

    /** The copy under way: its file, channel and counts. */
    private File outFile;
    private FileChannel out;
    private int outLength;
    private int outBatches;
    private long outNextOffset;
    private long inRecords;
    private long outRecords;

    /** For {@link #keep}: whether the batch copied lies in the part an earlier pass cleaned, and the time now. */
    private boolean inCleanPart;
    private long nowMs;
    private long logEnd;

    private long passesCompleted;
    private long recordsRemoved;

    LogCleaner(final PartitionLog log, final LogConfig config)
    {
        this.log = log;
        this.config = config;
    }

    /**
     * One step of cleaning.
     *
     * @param nowMs time now.
     * @return work done.
     */
    int doWork(final long nowMs)
    {
        this.nowMs = nowMs;
        if (null == pass)
        {
            if (nowMs < nextCheckMs)
            {
                return 0;
            }
            nextCheckMs = nowMs + CHECK_INTERVAL_MS;
            return startPassIfDirty() ? 1 : 0;
        }
        if (log.segmentChanges() != changesSeen)
        {
            LOG.info("{}: its segments changed during a cleaning pass; abandoning it", log);
            abandon();
            return 1;
        }
        try
        {
            return mapping ? map() : copy();
        }
        catch (final IOException | LogStorageException ex)
        {
            LOG.warn("{}: cleaning failed, will retry: {}", log, ex.toString());
            abandon();
            nextCheckMs = nowMs + 1000;
            return 1;
        }
    }

    /** @return passes completed since the log was opened. */
    long passesCompleted()
    {
        return passesCompleted;
    }

    /** @return records the completed passes removed. */
    long recordsRemoved()
    {
        return recordsRemoved;
    }

    /**
     * Stop any pass and delete its temporary file: the log is closing.
     */
    void abandon()
    {
        closeOut();
        if (null != outFile)
        {
            deleteQuietly(outFile);
            outFile = null;
        }
        pass = null;
        latest.clear();
    }

    private boolean startPassIfDirty()
    {
        final LogSegment[] segments = log.segmentArray();
        if (segments.length < 2)
        {
            return false;
        }
        long total = 0;
        long dirty = 0;
        int dirtyFrom = -1;
        for (int i = 0; i < segments.length - 1; i++)
        {
            final long size = segments[i].endPosition();
            total += size;
            if (segments[i].baseOffset >= cleanedEnd)
            {
                dirty += size;
                dirtyFrom = dirtyFrom < 0 ? i : dirtyFrom;
            }
        }
        if (dirtyFrom < 0 || 0 == dirty || dirty < config.minCleanableDirtyRatio() * total)
        {
            return false;
        }
        pass = Arrays.copyOf(segments, segments.length - 1);
        changesSeen = log.segmentChanges();
        passEndOffset = segments[segments.length - 1].baseOffset;
        firstDirty = dirtyFrom;
        mapping = true;
        cursor = dirtyFrom;
        position = 0;
        latest.clear();
        return true;
    }

    private int map()
    {
        int budget = BUDGET_BYTES;
        while (budget > 0 && cursor < pass.length)
        {
            final LogSegment segment = pass[cursor];
            final UnsafeBuffer buffer = segment.buffer;
            final int end = segment.endPosition();
            while (budget > 0 && position < end)
            {
                final int length = RecordBatchDescriptor.batchLength(buffer, position);
                view.wrap(buffer, position);
                while (view.nextRecord())
                {
                    if (!view.isKeyNull())
                    {
                        final Key known = latest.get(probe.wrap(view.key()));
                        if (null != known)
                        {
                            known.offset = view.offset();
                        }
                        else
                        {
                            final Key key = Key.copyOf(view.key());
                            key.offset = view.offset();
                            latest.put(key, key);
                        }
                    }
                }
                position += length;
                budget -= length;
            }
            if (position >= end)
            {
                cursor++;
                position = 0;
            }
        }
        if (cursor >= pass.length)
        {
            mapping = false;
            cursor = 0;
            position = 0;
        }
        return 1;
    }

    private int copy() throws IOException
    {
        final LogSegment segment = pass[cursor];
        if (null == out)
        {
            outFile = new File(log.directory(), LogSegment.fileName(segment.baseOffset, LogSegment.LOG_SUFFIX) +
                CLEANED_SUFFIX);
            out = FileChannel.open(outFile.toPath(), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
            outLength = 0;
            outBatches = 0;
            outNextOffset = segment.baseOffset;
            inRecords = 0;
            outRecords = 0;
        }
        inCleanPart = cursor < firstDirty;
        logEnd = log.logEndOffset();
        final UnsafeBuffer buffer = segment.buffer;
        final int end = segment.endPosition();
        int budget = BUDGET_BYTES;
        while (budget > 0 && position < end)
        {
            final int length = RecordBatchDescriptor.batchLength(buffer, position);
            if (scratch.capacity() < length)
            {
                scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
            }
            final int written = filter.filter(buffer, position, scratch, 0, keep);
            inRecords += RecordBatchDescriptor.recordCount(buffer, position);
            if (written > 0)
            {
                outRecords += RecordBatchDescriptor.recordCount(scratch, 0);
                final ByteBuffer bytes = scratch.byteBuffer().duplicate();
                bytes.limit(written).position(0);
                while (bytes.hasRemaining())
                {
                    out.write(bytes, outLength + bytes.position());
                }
                outLength += written;
                outBatches++;
                outNextOffset = RecordBatchDescriptor.baseOffset(scratch, 0) +
                    RecordBatchDescriptor.lastOffsetDelta(scratch, 0) + 1;
            }
            position += length;
            budget -= length;
        }
        if (position < end)
        {
            return 1;
        }

        out.force(true);
        closeOut();
        final File cleaned = outFile;
        outFile = null;
        if (!log.swapCleaned(segment, cleaned, outLength, outBatches, outNextOffset))
        {
            deleteQuietly(cleaned);
            abandon();
            return 1;
        }
        changesSeen = log.segmentChanges(); // the swap was the pass's own change
        recordsRemoved += inRecords - outRecords;
        cursor++;
        position = 0;
        if (cursor >= pass.length)
        {
            cleanedEnd = passEndOffset;
            passesCompleted++;
            LOG.info("{}: cleaned {} segments up to offset {} ({} records removed so far)", log, pass.length,
                cleanedEnd, recordsRemoved);
            pass = null;
            latest.clear();
        }
        return 1;
    }

    private boolean keep(final RecordBatchView record)
    {
        if (record.isKeyNull())
        {
            return true;
        }
        final Key last = latest.get(probe.wrap(record.key()));
        final long offset = record.offset();
        if (null != last && last.offset > offset)
        {
            return false;
        }
        return !(record.isValueNull() && inCleanPart && offset < logEnd - 1 &&
            record.timestamp() < nowMs - config.deleteRetentionMs());
    }

    private void closeOut()
    {
        if (null != out)
        {
            try
            {
                out.close();
            }
            catch (final IOException ignore)
            {
                // the file is deleted or swapped in next; a failing close leaves nothing to recover
            }
            out = null;
        }
    }

    private static void deleteQuietly(final File file)
    {
        try
        {
            Files.deleteIfExists(file.toPath());
        }
        catch (final IOException ignore)
        {
            // recovery deletes a leftover .cleaned file
        }
    }

    /**
     * Key bytes as a map key. A probe wraps a record's key without copying for look-ups; entries are copies.
     */
    private static final class Key
    {
        long offset;
        private byte[] bytes;
        private DirectBuffer wrapped;
        private int hash;

        static Key copyOf(final DirectBuffer buffer)
        {
            final Key key = new Key();
            key.bytes = new byte[buffer.capacity()];
            buffer.getBytes(0, key.bytes);
            key.hash = Arrays.hashCode(key.bytes);
            return key;
        }

        Key wrap(final DirectBuffer buffer)
        {
            wrapped = buffer;
            bytes = null;
            int h = 1;
            for (int i = 0, length = buffer.capacity(); i < length; i++)
            {
                h = 31 * h + buffer.getByte(i);
            }
            hash = h;
            return this;
        }

        public int hashCode()
        {
            return hash;
        }

        public boolean equals(final Object other)
        {
            if (!(other instanceof Key that))
            {
                return false;
            }
            if (hash != that.hash)
            {
                return false;
            }
            final int length = length();
            if (length != that.length())
            {
                return false;
            }
            for (int i = 0; i < length; i++)
            {
                if (byteAt(i) != that.byteAt(i))
                {
                    return false;
                }
            }
            return true;
        }

        private int length()
        {
            return null != bytes ? bytes.length : wrapped.capacity();
        }

        private byte byteAt(final int i)
        {
            return null != bytes ? bytes[i] : wrapped.getByte(i);
        }
    }
}
